"""Shared DTO helpers: camelCase models and the user response shapes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from filmroll.api.uuids import Uuid
from filmroll.mappers.user import AvatarColor as AvatarColor
from filmroll.mappers.user import avatar_color
from filmroll.timefmt import iso, to_naive_utc

T = TypeVar("T")

MAX_IDS = 100_000
"""Most ids (or other items) one bulk call may carry.

Immich's apps send a whole selection in one call (a "select all" in the web timeline
included), bounded only by Immich's 10 MiB JSON limit, about 268,000 UUIDs; in practice
selections stay far below 100,000. Beyond this limit a request would approach the
databases' bound-parameter limits (SQLite's 250,000 variables), so it gets a 400 instead.
"""
MAX_NAME = 200
"""Longest user, album and API-key name: the width of the narrowest name column."""
MAX_DESCRIPTION = 5_000
"""Longest asset or album description, far above any caption Immich's apps let one type."""
MAX_EMAIL = 320
"""Longest email address (RFC 5321: 64 for the local part, 255 for the domain)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _email(value: str) -> str:
    if len(value) > MAX_EMAIL or not _EMAIL.match(value):
        raise ValueError("email must be an email")
    return value.lower()


Email = Annotated[str, AfterValidator(_email)]


def _not_null(value: T | None) -> T:
    if value is None:
        raise PydanticCustomError("not_null", "must not be null")
    return value


NotNull = Annotated[T | None, AfterValidator(_not_null)]
"""An optional field that is not nullable, as Immich's schema says: it may be left out, but
an explicit `null` is a 400 (Immich validates every value that is not `undefined`)."""


def _representable(value: datetime) -> datetime:
    try:
        to_naive_utc(value)
    except ValueError as exc:
        raise PydanticCustomError("date_range", "must be a date between years 1 and 9999 in UTC") from exc
    return value


Timestamp = Annotated[datetime, Field(strict=False), AfterValidator(_representable)]
"""A date-time from JSON; refused when it has no UTC equivalent (`0001-01-01T00:00:00+05:00`)."""
Name = Annotated[str, Field(max_length=MAX_NAME)]
Description = Annotated[str, Field(max_length=MAX_DESCRIPTION)]
IdList = Annotated[list[Uuid], Field(max_length=MAX_IDS)]


class Model(BaseModel):
    """Immich-style DTO: camelCase names, unknown fields ignored, no type coercion (like class-validator)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", strict=True)


class UserResponse(Model):
    id: str
    name: str
    email: str
    avatar_color: AvatarColor
    profile_image_path: str
    profile_changed_at: str


class UserLicense(Model):
    activated_at: str
    activation_key: str
    license_key: str


class UserAdminResponse(UserResponse):
    storage_label: str | None
    should_change_password: bool
    is_admin: bool
    created_at: str
    deleted_at: str | None
    updated_at: str
    oauth_id: str
    quota_size_in_bytes: int | None
    quota_usage_in_bytes: int | None
    status: Literal["active", "removing", "deleted"]
    license: UserLicense | None


def user_response(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "email": row.email,
        "avatarColor": avatar_color(row),
        "profileImagePath": row.profile_image_path,
        "profileChangedAt": iso(row.profile_changed_at),
    }


def user_admin_response(row: Any) -> dict[str, Any]:
    return {
        **user_response(row),
        "storageLabel": row.storage_label,
        "shouldChangePassword": row.should_change_password,
        "isAdmin": row.is_admin,
        "createdAt": iso(row.created_at),
        "deletedAt": iso(row.deleted_at),
        "updatedAt": iso(row.updated_at),
        "oauthId": row.oauth_id,
        "quotaSizeInBytes": row.quota_size_in_bytes,
        "quotaUsageInBytes": row.quota_usage_in_bytes,
        "status": "deleted" if row.deleted_at else "active",
        "license": None,
    }
