"""Fixtures for sync v2 tests: direct access to the running server's database for writers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from filmroll.db.engine import Database
from tests.sync.v1.builders import AssetBuilder


@pytest.fixture
def builder(db: Database) -> AssetBuilder:
    return AssetBuilder(db, seed=4321)


@pytest.fixture
def own_db(database_url: str) -> Iterator[Database]:
    """A database of its own, with no server: nothing else (a renderer refreshing stale forms,
    a job) writes to it while a test reads it directly."""
    database = Database(database_url)
    try:
        yield database
    finally:
        database.dispose()
