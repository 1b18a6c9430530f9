"""SQL for a user's notifications (album invitations and the like, shown in the apps' bell).

The one access rule is ownership: a user reads and changes only notifications addressed to
them, and every statement here is narrowed by `owned_by`. Deleting is soft (`deleted_at`), as in
Immich; soft-deleted notifications are invisible to every read and write. Notifications are not
synced, so they carry no change clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import notifications


def owned_by(user_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """The access rule: addressed to `user_id` and not deleted."""
    return sa.and_(notifications.c.user_id == user_id, notifications.c.deleted_at.is_(None))


def owned_ids(conn: Connection, user_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `ids` the user may see and change."""
    query = sa.select(notifications.c.id).where(notifications.c.id.in_(set(ids)), owned_by(user_id))
    return {uuid.UUID(str(i)) for i in conn.execute(query).scalars()}


def search(
    conn: Connection,
    user_id: uuid.UUID,
    *,
    notification_id: uuid.UUID | None = None,
    level: str | None = None,
    type: str | None = None,
    unread_only: bool = False,
) -> Sequence[Row[Any]]:
    """The user's notifications, newest first."""
    query = sa.select(notifications).where(owned_by(user_id))
    if notification_id is not None:
        query = query.where(notifications.c.id == notification_id)
    if level is not None:
        query = query.where(notifications.c.level == level)
    if type is not None:
        query = query.where(notifications.c.type == type)
    if unread_only:
        query = query.where(notifications.c.read_at.is_(None))
    order = (notifications.c.created_at.desc(), notifications.c.id.desc())
    return conn.execute(query.order_by(*order)).all()


def get(conn: Connection, user_id: uuid.UUID, notification_id: uuid.UUID) -> Row[Any] | None:
    query = sa.select(notifications).where(notifications.c.id == notification_id, owned_by(user_id))
    return conn.execute(query).first()


def insert(conn: Connection, user_id: uuid.UUID, values: dict[str, Any], now: datetime) -> Row[Any]:
    row = {"id": uuid.uuid4(), "user_id": user_id, **values, "created_at": now, "updated_at": now}
    conn.execute(sa.insert(notifications).values(row))
    found = get(conn, user_id, row["id"])
    assert found is not None
    return found


def set_read(
    conn: Connection, user_id: uuid.UUID, ids: Sequence[uuid.UUID], read_at: datetime | None, now: datetime
) -> None:
    """Mark the user's notifications among `ids` read at `read_at` (None: unread again)."""
    query = sa.update(notifications).where(notifications.c.id.in_(set(ids)), owned_by(user_id))
    conn.execute(query.values(read_at=read_at, updated_at=now))


def soft_delete(conn: Connection, user_id: uuid.UUID, ids: Sequence[uuid.UUID], now: datetime) -> None:
    query = sa.update(notifications).where(notifications.c.id.in_(set(ids)), owned_by(user_id))
    conn.execute(query.values(deleted_at=now, updated_at=now))


def cleanup(conn: Connection, now: datetime) -> int:
    """Delete what no one will look at again: notifications deleted over 3 days ago, read ones
    created over 15 days ago and read over 2 days ago, and unread ones over 30 days old. The
    ages are Immich's; its read rule keeps notifications read *more* than 2 days ago, which
    reads as a slip, so read ones go once 2 days have passed since they were read."""
    n = notifications.c
    old = sa.or_(
        sa.and_(n.deleted_at.is_not(None), n.deleted_at < now - timedelta(days=3)),
        sa.and_(n.read_at < now - timedelta(days=2), n.created_at < now - timedelta(days=15)),
        sa.and_(n.read_at.is_(None), n.created_at < now - timedelta(days=30)),
    )
    return conn.execute(sa.delete(notifications).where(old)).rowcount
