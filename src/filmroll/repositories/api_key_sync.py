"""SQL for API keys' sync records: when each key's last v1 sync was answered."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import api_keys


def set_v1_synced_at(conn: Connection, key_id: uuid.UUID, at: datetime) -> None:
    """Record a delta sync answered as of `at` (a key deleted meanwhile updates nothing)."""
    conn.execute(sa.update(api_keys).where(api_keys.c.id == key_id).values(v1_synced_at=at))


def lower_v1_synced_at(conn: Connection, key_id: uuid.UUID, at: datetime, since: datetime) -> None:
    """Record a full sync up to `at`, but keep an earlier record made at or after `since`: one
    pass of a client syncs each library in turn, and is complete only as of the earliest."""
    column = api_keys.c.v1_synced_at
    keep = sa.and_(column.is_not(None), column >= since, column < at)
    conn.execute(
        sa.update(api_keys)
        .where(api_keys.c.id == key_id)
        .values(v1_synced_at=sa.case((keep, column), else_=sa.literal(at, column.type)))
    )


def sync_records(conn: Connection, user_id: uuid.UUID) -> Sequence[Row[Any]]:
    """The user's keys, oldest first, with their names and sync records."""
    query: sa.Select[Any] = (
        sa.select(api_keys.c.id, api_keys.c.name, api_keys.c.v1_synced_at)
        .where(api_keys.c.user_id == user_id)
        .order_by(api_keys.c.created_at, api_keys.c.id)
    )
    return conn.execute(query).all()
