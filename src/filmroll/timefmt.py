"""Date formatting as Immich sends it: JavaScript `toISOString()`, UTC with milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def iso(value: datetime | str | None) -> str | None:
    """A string is passed through: sync queries may select timestamps already in this form."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="milliseconds") + "Z"


def to_naive_utc(value: datetime) -> datetime:
    """Store form: naive UTC (a naive input is taken to be UTC already).

    Raises ValueError, like a malformed date, when the instant has no UTC equivalent
    within years 1 to 9999 (`0001-01-01T00:00:00+05:00`), so callers answer 400.
    """
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError as exc:
        raise ValueError("date out of range in UTC") from exc


def next_month(at: datetime) -> datetime:
    """The first instant of the month after `at`'s; the last instant there is in December 9999,
    which has no next month (an asset may be dated then; answering 500 for it is no option)."""
    if at.month < 12:
        return datetime(at.year, at.month + 1, 1)
    return datetime(at.year + 1, 1, 1) if at.year < 9999 else datetime.max


def plus(at: datetime, delta: timedelta) -> datetime:
    """`at + delta`, or the last instant there is when that is past year 9999."""
    try:
        return at + delta
    except OverflowError:
        return datetime.max
