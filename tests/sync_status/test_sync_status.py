"""`GET /api/filmroll/sync-status`: each of the caller's sessions and API keys, when it last
synced, by which protocol, and what a session's next stream would send."""

from __future__ import annotations

import functools
import json
import time
import uuid
from typing import Any

import httpx
import jsonschema

from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v1.helpers import delta, full_sync, now_iso
from tests.sync.v2.helpers import SyncClient, new_client


@functools.cache
def _validator(url: str) -> jsonschema.Draft202012Validator:
    """The route's own schema, from the document the server publishes (not Immich's: it has none)."""
    with httpx.Client(base_url=url) as c:
        document = c.get("/api/openapi.json").json()
    defs = document["components"]["schemas"]
    schema = {"type": "array", "items": {"$ref": "#/$defs/SyncStatusDto"}, "$defs": defs}
    return jsonschema.Draft202012Validator(
        json.loads(json.dumps(schema).replace("#/components/schemas/", "#/$defs/"))
    )


def status(server: LiveServer, client: httpx.Client) -> list[dict[str, Any]]:
    resp = client.get("/api/filmroll/sync-status")
    assert resp.status_code == 200, resp.text
    body: list[dict[str, Any]] = resp.json()
    _validator(server.url).validate(body)
    return body


def new_key(client: SyncClient, name: str, *permissions: str) -> tuple[str, str]:
    """(id, secret) of a new API key of the client's user."""
    resp = client.http.post("/api/api-keys", json={"name": name, "permissions": list(permissions or ["all"])})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["apiKey"]["id"]), str(resp.json()["secret"])


def test_sync_status_per_session(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    me = uuid.UUID(alice.user_id)
    [fresh] = status(server, alice.http)
    assert fresh == {"sessionId": fresh["sessionId"], "apiKeyId": None, "name": None, "lastSyncAt": None,
                     "protocol": None, "pending": {}}  # fmt: skip
    builder.insert(me)
    alice.sync(["AssetsV1", "AlbumsV1"])
    builder.insert_many(me, 3)
    [synced] = status(server, alice.http)
    assert synced["protocol"] == "v2" and synced["lastSyncAt"].endswith("Z")
    # request types are known by their checkpoints: no album ever went out, so none for albums
    assert synced["pending"] == {"AssetsV1": 3}
    other = new_client(server, "bob")
    assert [s["sessionId"] for s in status(server, other.http)] != [synced["sessionId"]]


def test_session_name_comes_from_its_device(server: LiveServer) -> None:
    user_id, email, _token = server.new_user("phone")
    with server.client(**{"user-agent": "Immich_Android_1.135.0"}) as c:
        token = c.post("/api/auth/login", json={"email": email, "password": "pw-123456"}).json()[
            "accessToken"
        ]
    with server.client(token) as c:
        names = {row["name"] for row in status(server, c)}
    assert "Mobile · Android" in names
    assert user_id


def test_api_keys_are_listed_with_their_last_v1_sync(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    me = uuid.UUID(alice.user_id)
    builder.insert(me)
    key_id, secret = new_key(alice, "backup script")
    session_row, key_row = status(server, alice.http)
    assert session_row["apiKeyId"] is None and session_row["sessionId"] is not None
    assert key_row == {"sessionId": None, "apiKeyId": key_id, "name": "backup script", "lastSyncAt": None,
                       "protocol": None, "pending": None}  # fmt: skip

    with server.client(**{"x-api-key": secret}) as key:
        before = now_iso()
        assert len(full_sync(key)) == 1
        [_, after_full] = status(server, alice.http)
        assert after_full["protocol"] == "v1" and after_full["pending"] is None
        assert before <= after_full["lastSyncAt"] <= now_iso()
        time.sleep(0.01)
        added = builder.insert(me)
        assert str(added) in {a["id"] for a in delta(key, before, [alice.user_id])["upserted"]}
        [_, after_delta] = status(server, alice.http)
        assert after_delta["lastSyncAt"] > after_full["lastSyncAt"]
        # the early GET form records too
        resp = key.get("/api/sync/delta-sync", params={"updatedAfter": before, "userIds": [alice.user_id]})
        assert resp.status_code == 200, resp.text
        [_, after_get] = status(server, alice.http)
        assert after_get["lastSyncAt"] >= after_delta["lastSyncAt"]
        # the session rows are untouched by a key's sync
        [session_after, _] = status(server, alice.http)
        assert session_after == session_row

    # a delta answer that sends the client to full sync completes nothing: no record
    other_id, other_secret = new_key(alice, "stale")
    with server.client(**{"x-api-key": other_secret}) as key:
        assert delta(key, before, [str(uuid.uuid4())])["needsFullSync"] is True
    assert next(r for r in status(server, alice.http) if r["apiKeyId"] == other_id)["lastSyncAt"] is None

    # a revoked key leaves the list; another user's keys never show
    assert alice.http.delete(f"/api/api-keys/{other_id}").status_code == 204
    assert [r["apiKeyId"] for r in status(server, alice.http) if r["apiKeyId"]] == [key_id]
    bob = new_client(server, "bob")
    new_key(bob, "bob's key")
    assert key_id not in {r["apiKeyId"] for r in status(server, bob.http)}


def test_key_rows_need_api_key_read_when_a_key_asks(server: LiveServer) -> None:
    alice = new_client(server, "alice")
    key_id, _ = new_key(alice, "k")
    _, narrow = new_key(alice, "narrow", "session.read")
    _, wide = new_key(alice, "wide", "session.read", "apiKey.read")
    with server.client(**{"x-api-key": narrow}) as c:
        assert [r["apiKeyId"] for r in status(server, c)] == [None]
    with server.client(**{"x-api-key": wide}) as c:
        assert key_id in {r["apiKeyId"] for r in status(server, c)}


def test_authentication_and_permission(server: LiveServer) -> None:
    owner = new_client(server, "owner")
    _, full = new_key(owner, "full")
    _, other = new_key(owner, "assets", "asset.read")
    with server.client(**{"x-api-key": full}) as c:
        assert c.get("/api/filmroll/sync-status").status_code == 200
    with server.client(**{"x-api-key": other}) as c:
        resp = c.get("/api/filmroll/sync-status")
        assert resp.status_code == 403
        assert set(resp.json()) == {"message", "error", "statusCode", "correlationId"}
    with server.client() as anonymous:
        resp = anonymous.get("/api/filmroll/sync-status")
        assert resp.status_code == 401
        assert resp.json()["statusCode"] == 401


def test_status_lists_only_own_sessions(server: LiveServer) -> None:
    owner, stranger = new_client(server, "owner"), new_client(server, "x")
    mine = {s["id"] for s in owner.http.get("/api/sessions").json()}
    assert {s["sessionId"] for s in status(server, owner.http) if s["sessionId"]} == mine
    assert not mine & {s["sessionId"] for s in status(server, stranger.http)}
