"""SQL for per-session sync v2 checkpoints (one ack string per session and entity type)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.clock import utcnow
from filmroll.db.schema import session_sync_checkpoints as ckpt


def list_for_session(conn: Connection, session_id: uuid.UUID) -> Sequence[Row[Any]]:
    query: sa.Select[Any] = (
        sa.select(ckpt.c.type, ckpt.c.ack).where(ckpt.c.session_id == session_id).order_by(ckpt.c.type)
    )
    return conn.execute(query).all()


def upsert(conn: Connection, session_id: uuid.UUID, acks: Mapping[str, str]) -> None:
    """Store one ack per type, replacing what the session had for that type."""
    if not acks:
        return
    now = utcnow()
    conn.execute(sa.delete(ckpt).where(ckpt.c.session_id == session_id, ckpt.c.type.in_(list(acks))))
    conn.execute(
        sa.insert(ckpt),
        [
            {"session_id": session_id, "type": t, "ack": a, "created_at": now, "updated_at": now}
            for t, a in acks.items()
        ],
    )


def delete(conn: Connection, session_id: uuid.UUID, types: Sequence[str] | None = None) -> None:
    query = sa.delete(ckpt).where(ckpt.c.session_id == session_id)
    if types is not None:
        query = query.where(ckpt.c.type.in_(list(types)))
    conn.execute(query)
