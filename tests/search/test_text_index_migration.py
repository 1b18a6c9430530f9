"""SQLite's text search index indexes the assets that exist when it is created, and its
migration goes down and up again cleanly."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection

from filmroll.db.engine import Database, admin_engine
from filmroll.db.migrate import alembic_config, upgrade
from filmroll.repositories import users
from tests.search.helpers import put
from tests.sync.v1.builders import AssetBuilder


def _found(conn: Connection, phrase: str) -> list[str]:
    query = sa.text(
        "SELECT s.asset_id FROM asset_search_fts JOIN asset_search_text s ON s.id = asset_search_fts.rowid"
        " WHERE asset_search_fts MATCH :phrase"
    )
    return [str(uuid.UUID(i)) for i in conn.execute(query, {"phrase": phrase}).scalars()]


def test_existing_assets_are_indexed_when_the_index_is_created(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL reads its trigram indexes (migration 0013)")
    db = Database(database_url)
    try:
        owner = db.write_sync(lambda c: users.insert(c, {"email": "t@example.com", "name": "t"})).id
        builder = AssetBuilder(db)
        kept = put(
            builder,
            str(owner),
            datetime(2022, 5, 1),
            {"description": "Old Mill"},
            original_file_name="Mill.JPG",
        )
        other = put(builder, str(owner), datetime(2022, 5, 2), original_file_name="quay.jpg")
    finally:
        db.dispose()
    engine = admin_engine(database_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0022")
            assert not sa.inspect(conn).has_table("asset_search_text")
            triggers = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").all()
            assert triggers == []
        upgrade(database_url)
        with engine.connect() as conn:
            assert _found(conn, 'file_name : "mill.j"') == [kept]
            assert _found(conn, 'description : "old mil"') == [kept]
            assert _found(conn, 'file_name : "QUAY"') == [other]
            assert _found(conn, 'description : "quay"') == []
    finally:
        engine.dispose()
