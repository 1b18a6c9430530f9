"""SQL for per-user metadata rows (`preferences`, `onboarding`), the source of `UserMetadataV1`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db.schema import user_metadata, user_metadata_audit


def get(conn: Connection, user_id: uuid.UUID, key: str) -> Any | None:
    """The stored JSON value, or None when the user has no row for `key`."""
    query = sa.select(user_metadata.c.value).where(
        user_metadata.c.user_id == user_id, user_metadata.c.key == key
    )
    return conn.execute(query).scalar_one_or_none()


def change(conn: Connection, user_id: uuid.UUID, key: str, compute: Callable[[Any | None], Any]) -> Any:
    """Replace the value with `compute(current)` and stamp it from the clock.

    The clock is reserved before the read: it is the single lock every writer takes, so two
    concurrent read-modify-write updates of the same row cannot lose one another's change.
    """
    stamp = clock.reserve(conn)
    where = (user_metadata.c.user_id == user_id, user_metadata.c.key == key)
    current = conn.execute(sa.select(user_metadata.c.value).where(*where)).first()
    value = compute(None if current is None else current.value)
    stamped = {"value": value, "updated_at": stamp.at, "update_seq": stamp.seq}
    if current is None:
        conn.execute(sa.insert(user_metadata).values(user_id=user_id, key=key, **stamped))
    else:
        conn.execute(sa.update(user_metadata).where(*where).values(**stamped))
    return value


def put(conn: Connection, user_id: uuid.UUID, key: str, value: Any) -> None:
    """Store `value` as is (an upsert: the row is re-stamped even when the value is unchanged)."""
    change(conn, user_id, key, lambda _current: value)


def delete(conn: Connection, user_id: uuid.UUID, key: str) -> bool:
    """Remove the row and record a tombstone so sync sends `UserMetadataDeleteV1`; False if absent."""
    where = (user_metadata.c.user_id == user_id, user_metadata.c.key == key)
    if conn.execute(sa.select(user_metadata.c.key).where(*where)).first() is None:
        return False
    stamp = clock.reserve(conn)
    if conn.execute(sa.delete(user_metadata).where(*where)).rowcount == 0:
        return False
    conn.execute(
        sa.insert(user_metadata_audit).values(seq=stamp.seq, user_id=user_id, key=key, deleted_at=stamp.at)
    )
    return True
