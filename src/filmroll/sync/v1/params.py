"""Sync v1 request parameters: strict parsing with class-validator-style messages.

The GET forms (query strings) and POST forms (JSON bodies) share these parsers, so every
malformed value gets the same 400 list message whichever form a client uses.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from filmroll.errors import BadRequest
from filmroll.timefmt import to_naive_utc

MAX_USER_IDS = 10_000
"""Most `userIds` one delta sync may name: the caller and their partners, never near this."""
_INT = re.compile(r"^[+-]?\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$")


@dataclass(frozen=True, slots=True)
class FullSyncParams:
    limit: int
    updated_until: datetime
    last_id: uuid.UUID | None = None
    last_creation_date: datetime | None = None
    user_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class DeltaSyncParams:
    updated_after: datetime
    user_ids: tuple[uuid.UUID, ...]


class _Errors:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def check(self) -> None:
        if self.messages:
            raise BadRequest(self.messages)


def parse_date(value: object) -> datetime | None:
    """An ISO 8601 date string as naive UTC, or None when it is not one (or has no UTC
    equivalent within years 1 to 9999)."""
    if not isinstance(value, str) or not _DATE.match(value.strip()):
        return None
    text = value.strip().replace(" ", "T")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return to_naive_utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def parse_uuid(value: object) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value) if len(value) == 36 else None
    except ValueError:
        return None


def _limit(value: object, errors: _Errors, *, from_query: bool) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif from_query and isinstance(value, str) and _INT.match(value.strip()):
        number = int(value.strip())
    if number is None:
        errors.messages += ["limit must be a positive number", "limit must be an integer number"]
        return 0
    if number < 1:
        errors.messages.append("limit must be a positive number")
    return number


def _date(name: str, value: object, errors: _Errors, *, required: bool) -> datetime | None:
    if value is None and not required:
        return None
    parsed = parse_date(value)
    if parsed is None:
        errors.messages.append(f"{name} must be a date string")
    return parsed


def _uuid(name: str, values: Mapping[str, object], errors: _Errors, *, nullable: bool) -> uuid.UUID | None:
    """An optional UUID; absent is fine, an explicit JSON `null` only where the schema allows it."""
    value = values.get(name)
    if value is None and (nullable or name not in values):
        return None
    parsed = parse_uuid(value)
    if parsed is None:
        errors.messages.append(f"{name} must be a UUID")
    return parsed


def full_sync(values: Mapping[str, object], *, from_query: bool) -> FullSyncParams:
    """Validate a full-sync request; `lastCreationDate` is only meaningful in the GET form."""
    errors = _Errors()
    limit = _limit(values.get("limit"), errors, from_query=from_query)
    until = _date("updatedUntil", values.get("updatedUntil"), errors, required=True)
    last_id = _uuid("lastId", values, errors, nullable=from_query)
    user_id = _uuid("userId", values, errors, nullable=from_query)
    created = (
        _date("lastCreationDate", values.get("lastCreationDate"), errors, required=False)
        if from_query
        else None
    )
    errors.check()
    assert until is not None
    return FullSyncParams(
        limit=limit, updated_until=until, last_id=last_id, last_creation_date=created, user_id=user_id
    )


def delta_sync(updated_after: object, user_ids: object) -> DeltaSyncParams:
    errors = _Errors()
    after = _date("updatedAfter", updated_after, errors, required=True)
    ids: list[uuid.UUID] = []
    if not isinstance(user_ids, Sequence) or isinstance(user_ids, str):
        errors.messages.append("userIds must be an array")
    elif len(user_ids) > MAX_USER_IDS:
        errors.messages.append(f"userIds must contain no more than {MAX_USER_IDS} elements")
    else:
        parsed = [parse_uuid(v) for v in user_ids]
        if any(p is None for p in parsed):
            errors.messages.append("each value in userIds must be a UUID")
        ids = [p for p in parsed if p is not None]
    errors.check()
    assert after is not None
    return DeltaSyncParams(updated_after=after, user_ids=tuple(ids))
