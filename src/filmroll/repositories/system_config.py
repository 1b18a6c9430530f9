"""SQL for the one `system_config` row: what an admin changed from Immich's defaults."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from filmroll.db.clock import utcnow
from filmroll.db.schema import system_config

ROW_ID = 1
"""The single row's key: there is one configuration per server."""


def get(conn: Connection) -> dict[str, Any]:
    """The stored overrides ({} when an admin never saved one)."""
    query = sa.select(system_config.c.value).where(system_config.c.id == ROW_ID)
    value = conn.execute(query).scalar_one_or_none()
    return value if isinstance(value, dict) else {}


def put(conn: Connection, value: dict[str, Any]) -> None:
    """Replace the stored overrides; an upsert, so two first saves at once cannot collide."""
    values = {"id": ROW_ID, "value": value, "updated_at": utcnow()}
    stmt = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(system_config).values(values)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["id"], set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at}
        )
    )


def password_login_enabled(conn: Connection) -> bool:
    """`passwordLogin.enabled` as stored, Immich's default (true) when never saved."""
    section = get(conn).get("passwordLogin")
    enabled = section.get("enabled") if isinstance(section, dict) else None
    return enabled is not False
