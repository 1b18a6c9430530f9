"""Fixtures for the album asset digest tests: direct writes to the running server's database."""

from __future__ import annotations

import pytest

from filmroll.db.engine import Database
from tests.sync.v1.builders import AssetBuilder


@pytest.fixture
def builder(db: Database) -> AssetBuilder:
    return AssetBuilder(db, seed=4242)
