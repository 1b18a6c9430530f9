"""SQL for server-wide state: `system_metadata` (JSON values by key) and `version_history`."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import system_metadata, version_history

_VERSION_LOCK = 0x66696C6D_76657273
"""PostgreSQL advisory-lock key held while a process records its version, so processes
starting together cannot both append the same version (SQLite's single writer does this)."""


def get(conn: Connection, key: str) -> Any | None:
    """The decoded JSON value stored under `key`, or None when there is none."""
    text = conn.execute(sa.select(system_metadata.c.value).where(system_metadata.c.key == key)).scalar()
    return None if text is None else json.loads(text)


def put(conn: Connection, key: str, value: Any) -> None:
    """Store `value` under `key`, replacing any earlier value (one statement, so concurrent
    writers of the same key never collide on the primary key)."""
    text = json.dumps(value, separators=(",", ":"))
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(system_metadata).values(key=key, value=text)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value}))


def lock_version_history(conn: Connection) -> None:
    """Serialise version recording until the transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_VERSION_LOCK)))


def latest_version(conn: Connection) -> str | None:
    query = sa.select(version_history.c.version).order_by(version_history.c.created_at.desc()).limit(1)
    return conn.execute(query).scalar()


def add_version(conn: Connection, version: str, at: datetime) -> uuid.UUID:
    entry = uuid.uuid4()
    conn.execute(sa.insert(version_history).values(id=entry, created_at=at, version=version))
    return entry


def versions(conn: Connection) -> list[Row[Any]]:
    """Every recorded version, newest first."""
    query = sa.select(version_history).order_by(version_history.c.created_at.desc(), version_history.c.id)
    return list(conn.execute(query).all())
