"""Fixtures of the user-directory tests: a server in `related` mode next to the default one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import BACKENDS, LiveServer, fresh_database, live_server


@pytest.fixture(scope="module", params=BACKENDS)
def related_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server with `FILMROLL_USER_DIRECTORY=related`, shared by one module's tests."""
    tmp = tmp_path_factory.mktemp(f"related-{request.param}")
    with live_server(fresh_database(str(request.param), tmp), tmp / "data", user_directory="related") as live:
        yield live
