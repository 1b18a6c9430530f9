"""SQL for login sessions and their sync checkpoints."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import session_sync_checkpoints, sessions, users


def insert(conn: Connection, values: dict[str, Any]) -> Row[Any]:
    row = {"id": uuid.uuid4(), "is_pending_sync_reset": False, **values}
    conn.execute(sa.insert(sessions).values(row))
    found = get(conn, row["id"])
    assert found is not None
    return found


def get(conn: Connection, session_id: uuid.UUID) -> Row[Any] | None:
    return conn.execute(sa.select(sessions).where(sessions.c.id == session_id)).first()


def find_valid(conn: Connection, token_hash: bytes, now: datetime) -> tuple[Row[Any], Row[Any]] | None:
    """The unexpired session for a token digest and its user, unless the user is deleted."""
    session = conn.execute(
        sa.select(sessions).where(
            sessions.c.token_hash == token_hash,
            sa.or_(sessions.c.expires_at.is_(None), sessions.c.expires_at > now),
        )
    ).first()
    if session is None:
        return None
    user = conn.execute(
        sa.select(users).where(users.c.id == session.user_id, users.c.deleted_at.is_(None))
    ).first()
    return (session, user) if user is not None else None


def list_for_user(conn: Connection, user_id: uuid.UUID) -> Sequence[Row[Any]]:
    query = sa.select(sessions).where(sessions.c.user_id == user_id).order_by(sessions.c.updated_at.desc())
    return conn.execute(query).all()


def update(conn: Connection, session_id: uuid.UUID, values: dict[str, Any]) -> None:
    conn.execute(sa.update(sessions).where(sessions.c.id == session_id).values(**values))


def delete(conn: Connection, session_id: uuid.UUID) -> None:
    conn.execute(sa.delete(sessions).where(sessions.c.id == session_id))


def delete_for_user(conn: Connection, user_id: uuid.UUID, *, keep: uuid.UUID | None = None) -> None:
    query = sa.delete(sessions).where(sessions.c.user_id == user_id)
    if keep is not None:
        query = query.where(sessions.c.id != keep)
    conn.execute(query)


def delete_expired(conn: Connection, now: datetime) -> int:
    result = conn.execute(sa.delete(sessions).where(sessions.c.expires_at <= now))
    return int(result.rowcount or 0)


def reset_sync_progress(conn: Connection, session_id: uuid.UUID) -> None:
    """Clear a pending reset and forget every checkpoint, in the caller's transaction."""
    update(conn, session_id, {"is_pending_sync_reset": False})
    conn.execute(
        sa.delete(session_sync_checkpoints).where(session_sync_checkpoints.c.session_id == session_id)
    )


def v1_synced_at(conn: Connection, session_id: uuid.UUID) -> datetime | None:
    """Server time as of which the session's last v1 full or delta sync was answered."""
    value = conn.execute(sa.select(sessions.c.v1_synced_at).where(sessions.c.id == session_id)).scalar()
    return value if isinstance(value, datetime) else None


def set_v1_synced_at(conn: Connection, session_id: uuid.UUID, at: datetime) -> None:
    update(conn, session_id, {"v1_synced_at": at})


def lower_v1_synced_at(conn: Connection, session_id: uuid.UUID, at: datetime, since: datetime) -> None:
    """Set the record to `at`, but keep an earlier record made at or after `since`.

    One pass of a client fully syncs each library (its own, then each partner's) in turn, and
    keeps a single watermark for all of them, so the record must be the earliest of them.
    """
    column = sessions.c.v1_synced_at
    keep = sa.and_(column.is_not(None), column >= since, column < at)
    conn.execute(
        sa.update(sessions)
        .where(sessions.c.id == session_id)
        .values(v1_synced_at=sa.case((keep, column), else_=sa.literal(at, sessions.c.v1_synced_at.type)))
    )


def set_pin_expires_at(conn: Connection, session_id: uuid.UUID, at: datetime | None) -> None:
    """Unlock the session until `at`, or lock it (None)."""
    update(conn, session_id, {"pin_expires_at": at})


def extend_pin_expires_at(conn: Connection, session_id: uuid.UUID, at: datetime, now: datetime) -> None:
    """Move an unexpired unlock forward to `at`; a session locked or expired meanwhile stays so."""
    column = sessions.c.pin_expires_at
    conn.execute(
        sa.update(sessions)
        .where(sessions.c.id == session_id, column.is_not(None), column > now, column < at)
        .values(pin_expires_at=at)
    )


def lock_all(conn: Connection, user_id: uuid.UUID) -> None:
    """Lock every session of the user (its PIN was removed or replaced)."""
    conn.execute(
        sa.update(sessions)
        .where(sessions.c.user_id == user_id, sessions.c.pin_expires_at.is_not(None))
        .values(pin_expires_at=None)
    )
