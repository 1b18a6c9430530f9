"""SQL for API keys."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import api_keys, users


def insert(conn: Connection, values: dict[str, Any]) -> Row[Any]:
    row = {"id": uuid.uuid4(), **values}
    conn.execute(sa.insert(api_keys).values(row))
    found = get(conn, row["user_id"], row["id"])
    assert found is not None
    return found


def get(conn: Connection, user_id: uuid.UUID, key_id: uuid.UUID) -> Row[Any] | None:
    query = sa.select(api_keys).where(api_keys.c.id == key_id, api_keys.c.user_id == user_id)
    return conn.execute(query).first()


def find_valid(conn: Connection, key_hash: bytes) -> tuple[Row[Any], Row[Any]] | None:
    key = conn.execute(sa.select(api_keys).where(api_keys.c.key_hash == key_hash)).first()
    if key is None:
        return None
    user = conn.execute(
        sa.select(users).where(users.c.id == key.user_id, users.c.deleted_at.is_(None))
    ).first()
    return (key, user) if user is not None else None


def list_for_user(conn: Connection, user_id: uuid.UUID) -> Sequence[Row[Any]]:
    query = sa.select(api_keys).where(api_keys.c.user_id == user_id).order_by(api_keys.c.created_at)
    return conn.execute(query).all()


def update(conn: Connection, key_id: uuid.UUID, values: dict[str, Any]) -> None:
    conn.execute(sa.update(api_keys).where(api_keys.c.id == key_id).values(**values))


def delete(conn: Connection, key_id: uuid.UUID) -> None:
    conn.execute(sa.delete(api_keys).where(api_keys.c.id == key_id))
