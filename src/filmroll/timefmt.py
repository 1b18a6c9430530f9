"""Date formatting as Immich sends it: JavaScript `toISOString()`, UTC with milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(value: datetime | str | None) -> str | None:
    """A string is passed through: sync queries may select timestamps already in this form."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="milliseconds") + "Z"


def to_naive_utc(value: datetime) -> datetime:
    """Store form: naive UTC (a naive input is taken to be UTC already)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
