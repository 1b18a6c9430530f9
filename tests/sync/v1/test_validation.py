"""Bad input to sync v1 gets Immich's 400 body with a list message, in both forms."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract import assert_error_body
from tests.support import LiveServer
from tests.sync.v1.helpers import now_iso

NOW = "2026-01-01T00:00:00.000Z"
ID = "4b9e7c1a-3f0e-4a7d-9c55-0d7e2a6c8f11"

FULL_BODIES: list[tuple[dict[str, Any], str]] = [
    ({"updatedUntil": NOW}, "limit must be a positive number"),
    ({"limit": 0, "updatedUntil": NOW}, "limit must be a positive number"),
    ({"limit": -5, "updatedUntil": NOW}, "limit must be a positive number"),
    ({"limit": "ten", "updatedUntil": NOW}, "limit must be an integer number"),
    ({"limit": 1.5, "updatedUntil": NOW}, "limit must be an integer number"),
    ({"limit": True, "updatedUntil": NOW}, "limit must be an integer number"),
    ({"limit": 10}, "updatedUntil must be a date string"),
    ({"limit": 10, "updatedUntil": "yesterday"}, "updatedUntil must be a date string"),
    ({"limit": 10, "updatedUntil": 1700000000}, "updatedUntil must be a date string"),
    ({"limit": 10, "updatedUntil": "2026-13-45T00:00:00Z"}, "updatedUntil must be a date string"),
    ({"limit": 10, "updatedUntil": NOW, "lastId": "abc"}, "lastId must be a UUID"),
    ({"limit": 10, "updatedUntil": NOW, "lastId": 7}, "lastId must be a UUID"),
    ({"limit": 10, "updatedUntil": NOW, "userId": "not-a-uuid"}, "userId must be a UUID"),
]

FULL_QUERIES: list[tuple[dict[str, Any], str]] = [
    ({"updatedUntil": NOW}, "limit must be a positive number"),
    ({"limit": "0", "updatedUntil": NOW}, "limit must be a positive number"),
    ({"limit": "x", "updatedUntil": NOW}, "limit must be an integer number"),
    ({"limit": "10"}, "updatedUntil must be a date string"),
    ({"limit": "10", "updatedUntil": NOW, "lastId": "zzz"}, "lastId must be a UUID"),
    ({"limit": "10", "updatedUntil": NOW, "userId": "1"}, "userId must be a UUID"),
    (
        {"limit": "10", "updatedUntil": NOW, "lastCreationDate": "soon"},
        "lastCreationDate must be a date string",
    ),
]

DELTA_BODIES: list[tuple[Any, str]] = [
    ({"userIds": [ID]}, "updatedAfter must be a date string"),
    ({"updatedAfter": "never", "userIds": [ID]}, "updatedAfter must be a date string"),
    ({"updatedAfter": NOW}, "userIds must be an array"),
    ({"updatedAfter": NOW, "userIds": ID}, "userIds must be an array"),
    ({"updatedAfter": NOW, "userIds": [ID, "nope"]}, "each value in userIds must be a UUID"),
    ({"updatedAfter": NOW, "userIds": [1]}, "each value in userIds must be a UUID"),
    ([1, 2], "body must be an object"),
]


@pytest.fixture
def token(server: LiveServer) -> str:
    return server.new_user("validator")[2]


def _message(resp: Any) -> list[str]:
    body = assert_error_body(resp, 400)
    assert isinstance(body["message"], list)
    return list(body["message"])


def test_full_sync_post_rejects_bad_bodies(server: LiveServer, token: str) -> None:
    with server.client(token) as client:
        for body, message in FULL_BODIES:
            assert message in _message(client.post("/api/sync/full-sync", json=body)), body
        resp = client.post(
            "/api/sync/full-sync", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert _message(resp) == ["Unexpected token in JSON body"]


def test_full_sync_get_rejects_bad_queries(server: LiveServer, token: str) -> None:
    with server.client(token) as client:
        for params, message in FULL_QUERIES:
            assert message in _message(client.get("/api/sync/full-sync", params=params)), params


def test_delta_sync_rejects_bad_input(server: LiveServer, token: str) -> None:
    with server.client(token) as client:
        for body, message in DELTA_BODIES:
            assert message in _message(client.post("/api/sync/delta-sync", json=body)), body
        assert "userIds must be an array" in _message(
            client.get("/api/sync/delta-sync", params={"updatedAfter": now_iso()})
        )
        assert "updatedAfter must be a date string" in _message(
            client.get("/api/sync/delta-sync", params={"updatedAfter": "x", "userIds": ID})
        )


def test_sync_requires_authentication(server: LiveServer) -> None:
    with server.client() as client:
        assert_error_body(client.post("/api/sync/full-sync", json={"limit": 1, "updatedUntil": NOW}), 401)
        assert_error_body(client.post("/api/sync/delta-sync", json={"updatedAfter": NOW, "userIds": []}), 401)
