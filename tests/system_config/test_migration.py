"""A configuration saved before it moved into `system_metadata` survives the upgrade, and the
downgrade puts it back in its own table."""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import command

from filmroll.db.engine import admin_engine
from filmroll.db.migrate import alembic_config, upgrade
from filmroll.repositories import system_config

SAVED = {"passwordLogin": {"enabled": False}, "server": {"loginPageMessage": "Grüße"}}
_OLD = sa.table("system_config", sa.column("id", sa.Integer()), sa.column("value", sa.JSON()))


def _old_rows(conn: sa.Connection) -> list[object]:
    return [row.value for row in conn.execute(sa.select(_OLD.c.value).where(_OLD.c.id == 1))]


def test_saved_config_moves_both_ways(database_url: str) -> None:
    engine = admin_engine(database_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0021")
            conn.execute(
                sa.text("INSERT INTO system_config (id, value, updated_at) VALUES (1, :v, :t)"),
                {"v": json.dumps(SAVED), "t": "2026-01-01 00:00:00"},
            )
        upgrade(database_url)
        with engine.begin() as conn:
            assert system_config.get(conn) == SAVED
            assert not system_config.password_login_enabled(conn)
            assert not sa.inspect(conn).has_table("system_config")
            command.downgrade(alembic_config(conn), "0021")
            assert _old_rows(conn) == [SAVED]
            assert conn.execute(sa.text("SELECT count(*) FROM system_metadata")).scalar() == 0
    finally:
        engine.dispose()
