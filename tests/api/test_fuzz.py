"""Fuzzing every operation filmroll implements with Immich's own schemas: never a 5xx, and every
documented answer matches Immich's response schema.

Operations are those in both filmroll's OpenAPI document and Immich's; requests are generated
from Immich's request schemas (what Immich's apps may send) and sent over HTTP to a live server
on each database, as a logged-in ordinary user. `MAX_EXAMPLES` keeps the run to a few minutes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from filmroll.app import create_app
from filmroll.config import Settings
from tests.support import FIXTURES, fresh_database, live_server, login

MAX_EXAMPLES = 6
SKIPPED = {
    ("post", "/auth/logout"),  # would end the session the fuzzer uses
    ("post", "/auth/admin-sign-up"),  # the admin exists; answers 400 without touching anything
}


def _implemented() -> set[tuple[str, str]]:
    served = create_app(Settings()).openapi()["paths"]
    return {
        (method, path.removeprefix("/api"))
        for path, item in served.items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def _immich_subset() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / "immich-openapi-v2.7.5.json").read_text())
    keep = _implemented() - SKIPPED
    paths = {}
    for path, item in doc["paths"].items():
        ops = {m: op for m, op in item.items() if (m, path) in keep}
        if ops:
            paths[path] = {**{k: v for k, v in item.items() if k == "parameters"}, **ops}
    return {**doc, "paths": paths}


schema = schemathesis.openapi.from_dict(_immich_subset())


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def fuzz_target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """A server of its own (the fuzzer leaves junk behind) and a logged-in ordinary user."""
    tmp = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    with live_server(fresh_database(str(request.param), tmp), Path(tmp / "data"), jobs_enabled=False) as live:
        live.admin()
        _id, email, _token = live.new_user("fuzz", password="fuzz-password")
        with live.client() as c:
            yield f"{live.url}/api", login(c, email, "fuzz-password")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_documented_shapes(
    case: schemathesis.Case[Any], fuzz_target: tuple[str, str]
) -> None:
    base_url, token = fuzz_target
    case.call_and_validate(
        base_url=base_url,
        headers={"authorization": f"Bearer {token}"},
        checks=[not_a_server_error, response_schema_conformance],
        timeout=30,
    )
