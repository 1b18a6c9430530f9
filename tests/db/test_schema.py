"""Migrations build the schema on both databases, and schema.py and migrations agree."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from filmroll.db.engine import admin_engine
from filmroll.db.migrate import drift, upgrade
from filmroll.db.schema import sync_clock


def test_migrations_match_schema(database_url: str) -> None:
    assert drift(database_url) == []


def test_upgrade_is_idempotent_and_seeds_the_clock(database_url: str) -> None:
    upgrade(database_url)
    engine = admin_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(sync_clock)).all()
    engine.dispose()
    assert [(r.id, r.seq) for r in rows] == [(1, 0)]


def test_stored_forms_are_lz4_compressed_on_postgresql(database_url: str) -> None:
    """A full sync reads every stored form; pglz's decompression cost a quarter of it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite stores text uncompressed")
    engine = admin_engine(database_url)
    with engine.connect() as conn:
        found = conn.execute(
            sa.text(
                "SELECT attrelid::regclass::text || '.' || attname, attcompression FROM pg_attribute"
                " WHERE attrelid IN ('assets'::regclass, 'asset_exif'::regclass) AND attname LIKE 'wire_v_'"
            )
        ).all()
    engine.dispose()
    assert sorted(found) == [
        ("asset_exif.wire_v1", "l"),
        ("asset_exif.wire_v2", "l"),
        ("assets.wire_v1", "l"),
        ("assets.wire_v2", "l"),
    ]
