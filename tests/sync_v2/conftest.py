"""Fixtures for sync v2 tests: direct access to the running server's database for writers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from filmroll.db.engine import Database
from tests.support import LiveServer
from tests.sync_v1.builders import AssetBuilder


@pytest.fixture
def db(server: LiveServer) -> Iterator[Database]:
    database = Database(server.settings.resolved_database_url, pool_size=4)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def builder(db: Database) -> AssetBuilder:
    return AssetBuilder(db, seed=4321)
