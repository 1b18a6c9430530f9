"""Fixtures shared by every test: each database-touching test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from filmroll.db.engine import Database
from tests.support import BACKENDS, LiveServer, fresh_database, live_server


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> str:
    """A fresh migrated database for one test."""
    return fresh_database(backend, tmp_path)


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real server per backend for the whole session; tests create their own users."""
    tmp = tmp_path_factory.mktemp(f"server-{request.param}")
    with live_server(fresh_database(str(request.param), tmp), tmp / "data") as live:
        yield live


@pytest.fixture
def fresh_server(backend: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A server on an empty database, for tests about first-run behaviour."""
    with live_server(fresh_database(backend, tmp_path), tmp_path / "data") as live:
        yield live


@pytest.fixture
def db(server: LiveServer) -> Iterator[Database]:
    """Direct access to the running server's database, for writers and assertions."""
    database = Database(server.settings.resolved_database_url, pool_size=4)
    try:
        yield database
    finally:
        database.dispose()
