"""Schema migrations with Alembic, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from filmroll.db.clock import seed_row
from filmroll.db.engine import admin_engine
from filmroll.db.schema import described, metadata, sync_clock

_SCRIPTS = Path(__file__).parent / "migrations"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision` and make sure the clock row exists."""
    engine = admin_engine(url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
        with engine.begin() as conn:
            if conn.execute(sa.select(sync_clock.c.id)).first() is None:
                conn.execute(sa.insert(sync_clock).values(**seed_row()))
    finally:
        engine.dispose()


def drift(url: str) -> list[Any]:
    """Differences between the migrated database and the schema definition (empty when they agree)."""
    engine = admin_engine(url)
    try:
        with engine.connect() as conn, warnings.catch_warnings():
            # SQLite cannot reflect expression indexes; the ones it would skip are PostgreSQL's.
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
            opts = {"compare_type": True, "include_object": described}
            return list(compare_metadata(MigrationContext.configure(conn, opts=opts), metadata))
    finally:
        engine.dispose()


def revision(url: str, message: str) -> None:
    """Autogenerate a new migration from the difference between `url` and the schema."""
    engine = admin_engine(url)
    try:
        with engine.begin() as conn:
            command.revision(alembic_config(conn), message=message, autogenerate=True)
    finally:
        engine.dispose()
