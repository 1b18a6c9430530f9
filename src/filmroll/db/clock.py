"""The commit-ordered change clock.

Every write transaction that touches a syncable row takes its sequence numbers from the
single `sync_clock` row. On PostgreSQL the `UPDATE ... RETURNING` holds that row's lock
until commit, so a later sequence number can only become visible after every earlier one
is committed; on SQLite the single writer connection gives the same order. Hence a reader
that has seen sequence N can never later discover a committed row below N: cursors are
gap-free, which Immich's clock-time `updateId` is not.

The clock also hands out `updated_at` timestamps that strictly increase with the
sequence, and `barrier()` waits for in-flight writers so that a v1 delta sync starting at
time T sees every change stamped at or before T. Stamps follow the server's own wall clock
only: no request may move them (a client's clock running ahead is handled per request by
v1 sync), since every user's later writes would carry the moved time.

Nothing here lives in the process: the order comes from the database's lock on the clock
row (PostgreSQL) or its single writer (SQLite, see `db/engine.py`), so the guarantees hold
for any number of server and worker processes. On PostgreSQL the timestamps come from the
database server's clock, the one clock every host sees; on SQLite (one host) from the
host's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db.schema import sync_clock

_TICK = timedelta(microseconds=1)
_SEQ_BITS = 62
_SEQ_MASK = (1 << _SEQ_BITS) - 1
_VARIANT = 0b10 << 62
_LOW48 = (1 << 48) - 1
_DB_NOW = sa.func.timezone("UTC", sa.func.clock_timestamp(), type_=sa.DateTime(timezone=False))
"""PostgreSQL's wall clock at the moment of evaluation, as naive UTC like every stored time."""


def utcnow() -> datetime:
    """Naive UTC now: the database stores naive UTC on both backends."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Stamp:
    """A range of `count` sequence numbers starting at `seq`, with matching timestamps."""

    seq: int
    at: datetime
    count: int = 1

    def seq_at(self, index: int) -> int:
        return self.seq + index

    def at_at(self, index: int) -> datetime:
        return self.at + _TICK * index

    @property
    def last_seq(self) -> int:
        return self.seq + self.count - 1

    @property
    def last_at(self) -> datetime:
        return self.at_at(self.count - 1)


def reserve(conn: Connection, count: int = 1) -> Stamp:
    """Take `count` consecutive sequence numbers inside the caller's write transaction."""
    postgres = conn.dialect.name == "postgresql"
    # PostgreSQL evaluates RETURNING after the row lock is taken: its clock reading comes
    # after every earlier writer committed, without a second round trip.
    now_column = _DB_NOW.label("now") if postgres else sa.null().label("now")
    row = conn.execute(
        sa.update(sync_clock)
        .where(sync_clock.c.id == 1)
        .values(seq=sync_clock.c.seq + count)
        .returning(sync_clock.c.seq, sync_clock.c.last_at, now_column)
    ).one()
    last_seq, last_at = int(row.seq), row.last_at
    start_at = max(row.now if postgres else utcnow(), last_at + _TICK)
    stamp = Stamp(seq=last_seq - count + 1, at=start_at, count=count)
    conn.execute(sa.update(sync_clock).where(sync_clock.c.id == 1).values(last_at=stamp.last_at))
    return stamp


def hold(conn: Connection) -> None:
    """Take the clock's lock now, before `reserve`, in a write that first reads what it will
    stamp tombstones for: every writer that reserved earlier has then committed, so what is
    read next includes its rows, and no later writer stamps anything until this one commits."""
    conn.execute(sa.select(sync_clock.c.seq).where(sync_clock.c.id == 1).with_for_update())


def _now(conn: Connection) -> datetime:
    """The clock stamps follow: the database server's on PostgreSQL, the host's on SQLite.

    Called while holding the clock (or a share lock on it), so the time is read after
    every earlier writer has committed.
    """
    if conn.dialect.name == "postgresql":
        now: datetime = conn.execute(sa.select(_DB_NOW)).scalar_one()
        return now
    return utcnow()


def barrier_time(conn: Connection) -> datetime:
    """Inside a write transaction: wait for every writer holding the clock, then return the
    time every change stamped at or before is committed.

    On SQLite the caller already holds the single writer, so no writer holds the clock. On
    PostgreSQL a share lock on the clock row waits for the writer holding it (whatever its
    process or host) and keeps new ones out until this transaction ends; the locked read
    returns the row as its last writer committed it. Later writers stamp after both the
    returned time and `last_at`.
    """
    query = sa.select(sync_clock.c.last_at).where(sync_clock.c.id == 1)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    last_at: datetime = conn.execute(query).scalar_one()
    return max(_now(conn), last_at)


def current(conn: Connection) -> int:
    """The highest committed sequence number: a safe upper bound for a sync run."""
    return int(conn.execute(sa.select(sync_clock.c.seq).where(sync_clock.c.id == 1)).scalar_one())


def seed_row() -> dict[str, object]:
    return {"id": 1, "seq": 0, "last_at": datetime(2000, 1, 1)}


def seq_to_uuid(seq: int, at: datetime | None = None) -> str:
    """Encode a sequence number as a UUIDv7-shaped string (ms timestamp, then the sequence).

    Immich clients treat ack ids as opaque strings; the timestamp part keeps the 30-day
    staleness check working on our own `SyncCompleteV1` acks.
    """
    if at is None and 0 <= seq <= _LOW48:  # the common case, on every line of a stream
        return f"00000000-0000-7000-8000-{seq:012x}"
    if seq < 0 or seq > _SEQ_MASK:
        raise ValueError("sequence out of range")
    low = _VARIANT | seq
    if at is None:
        return f"00000000-0000-7000-{low >> 48:04x}-{low & _LOW48:012x}"
    ms = int(at.replace(tzinfo=UTC).timestamp() * 1000) & _LOW48
    return f"{ms >> 16:08x}-{ms & 0xFFFF:04x}-7000-{low >> 48:04x}-{low & _LOW48:012x}"


def uuid_to_seq(value: str) -> int:
    """Decode `seq_to_uuid`; raises ValueError for anything that is not such a UUID."""
    parsed = uuid.UUID(value)
    if parsed.version != 7 or (parsed.int >> 62) & 0b11 != 0b10:
        raise ValueError("not a filmroll change id")
    return parsed.int & _SEQ_MASK


def uuid_time(value: str) -> datetime:
    """The timestamp part of a UUIDv7, as naive UTC."""
    ms = uuid.UUID(value).int >> 80
    return datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None)
