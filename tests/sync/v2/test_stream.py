"""Sync v2 stream basics over HTTP: first sync, updates, deletes, complete, reset, acks, bad input."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import sqlalchemy as sa

from filmroll.db.clock import seq_to_uuid, utcnow
from filmroll.db.engine import Database
from filmroll.db.schema import session_sync_checkpoints
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import SyncClient, body, new_client, of_type, types_of


def test_first_sync_sends_own_asset_exif_and_complete(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    asset_id = builder.insert(
        uuid.UUID(alice.user_id), exif=True, duration="0:10:00.00000", width=1920, height=1080
    )
    lines = alice.stream(["AssetsV1", "AssetExifsV1", "AuthUsersV1"])
    assert types_of(lines) == ["AuthUserV1", "AssetV1", "AssetExifV1", "SyncCompleteV1"]
    asset = of_type(lines, "AssetV1")[0]
    assert asset["id"] == str(asset_id)
    assert asset["duration"] == "0:10:00.00000"
    assert (asset["width"], asset["height"]) == (1920, 1080)
    assert len(base64.b64decode(asset["checksum"])) == 20
    assert of_type(lines, "AuthUserV1")[0]["id"] == alice.user_id
    assert lines[-1]["ack"].startswith("SyncCompleteV1|")


def test_acked_rows_are_not_resent_and_updates_follow(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    asset_id = builder.insert(uuid.UUID(alice.user_id))
    alice.sync(["AssetsV1"])
    assert types_of(alice.stream(["AssetsV1"])) == ["SyncCompleteV1"]
    builder.update([asset_id], is_favorite=True)
    lines = alice.sync(["AssetsV1"])
    assert types_of(lines) == ["AssetV1", "SyncCompleteV1"]
    assert of_type(lines, "AssetV1")[0]["isFavorite"] is True


def test_delete_comes_before_upserts(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    owner = uuid.UUID(alice.user_id)
    gone, kept = builder.insert(owner), builder.insert(owner)
    alice.sync(["AssetsV1"])
    builder.delete([gone])
    builder.update([kept], is_favorite=True)
    lines = alice.sync(["AssetsV1"])
    assert body(lines)[0] == ("AssetDeleteV1", {"assetId": str(gone)})
    assert types_of(lines) == ["AssetDeleteV1", "AssetV1", "SyncCompleteV1"]


def test_unrelated_users_see_nothing(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    asset_id = builder.insert(uuid.UUID(alice.user_id), exif=True)
    builder.delete([asset_id])
    lines = bob.stream(["AssetsV1", "AssetExifsV1", "PartnerAssetsV1", "PartnerAssetExifsV1", "PartnersV1"])
    assert types_of(lines) == ["SyncCompleteV1"]


def test_request_type_order_is_fixed(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    builder.insert(uuid.UUID(alice.user_id), exif=True)
    lines = alice.stream(["AssetExifsV1", "AssetsV1", "AuthUsersV1", "AssetsV1", "MemoriesV1", "PeopleV1"])
    assert types_of(lines) == ["AuthUserV1", "AssetV1", "AssetExifV1", "SyncCompleteV1"]


def test_ack_endpoints(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    builder.insert(uuid.UUID(alice.user_id))
    lines = alice.sync(["AssetsV1", "AuthUsersV1"])
    stored = alice.http.get("/api/sync/ack").json()
    assert {a["type"] for a in stored} == {"AssetV1", "AuthUserV1", "SyncCompleteV1"}
    assert {a["ack"] for a in stored} >= {lines[-1]["ack"]}
    assert alice.http.request("DELETE", "/api/sync/ack", json={"types": ["AssetV1"]}).status_code == 204
    assert {a["type"] for a in alice.http.get("/api/sync/ack").json()} == {"AuthUserV1", "SyncCompleteV1"}
    assert types_of(alice.stream(["AssetsV1"])) == ["AssetV1", "SyncCompleteV1"]
    assert alice.http.request("DELETE", "/api/sync/ack", json={}).status_code == 204
    alice.sync(["AssetsV1"])
    assert alice.http.request("DELETE", "/api/sync/ack", json={}).status_code == 204
    assert alice.http.get("/api/sync/ack").json() == []


def test_last_ack_per_type_wins(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    first, second = f"AssetV1|{seq_to_uuid(5)}", f"AssetV1|{seq_to_uuid(3)}"
    assert alice.http.post("/api/sync/ack", json={"acks": [first, second]}).status_code == 204
    assert alice.http.get("/api/sync/ack").json() == [{"type": "AssetV1", "ack": second}]


def test_reset_flows(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    builder.insert(uuid.UUID(alice.user_id))
    alice.sync(["AssetsV1"])
    session_id = next(s["id"] for s in alice.http.get("/api/sessions").json() if s["current"])
    assert alice.http.put(f"/api/sessions/{session_id}", json={"isPendingSyncReset": True}).status_code == 200
    reset = alice.stream(["AssetsV1"])
    assert [(i["type"], i["ack"]) for i in reset] == [("SyncResetV1", "SyncResetV1|reset")]
    assert alice.stream(["AssetsV1"]) == reset
    alice.ack(reset)
    assert types_of(alice.stream(["AssetsV1"])) == ["AssetV1", "SyncCompleteV1"]
    assert alice.http.get("/api/sync/ack").json() == []


def test_reset_flag_in_request_clears_pending_reset(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    builder.insert(uuid.UUID(alice.user_id))
    alice.sync(["AssetsV1"])
    session_id = next(s["id"] for s in alice.http.get("/api/sessions").json() if s["current"])
    alice.http.put(f"/api/sessions/{session_id}", json={"isPendingSyncReset": True})
    assert types_of(alice.stream(["AssetsV1"], reset=True)) == ["AssetV1", "SyncCompleteV1"]


def _age_complete(db: Database, session_ack: str, days: int) -> str:
    seq = int(uuid.UUID(session_ack.split("|")[1]).int & ((1 << 62) - 1))
    old = f"SyncCompleteV1|{seq_to_uuid(seq, utcnow() - timedelta(days=days))}"
    db.write_sync(
        lambda c: c.execute(
            sa.update(session_sync_checkpoints)
            .where(session_sync_checkpoints.c.ack == session_ack)
            .values(ack=old)
        )
    )
    return old


def test_complete_older_than_30_days_forces_reset(
    server: LiveServer, builder: AssetBuilder, db: Database
) -> None:
    alice = new_client(server, "alice")
    builder.insert(uuid.UUID(alice.user_id))
    lines = alice.sync(["AssetsV1"])
    _age_complete(db, lines[-1]["ack"], 7)
    assert types_of(alice.stream(["AssetsV1"])) == ["SyncCompleteV1"]
    _age_complete(db, alice.http.get("/api/sync/ack").json()[-1]["ack"], 60)
    assert types_of(alice.stream(["AssetsV1"])) == ["SyncResetV1"]


def test_api_keys_are_refused(server: LiveServer) -> None:
    alice = new_client(server, "alice")
    resp = alice.http.post("/api/api-keys", json={"name": "k", "permissions": ["all"]})
    assert resp.status_code == 201, resp.text
    with server.client(**{"x-api-key": resp.json()["secret"]}) as keyed:
        for method, path, payload in (
            ("POST", "/api/sync/stream", {"types": ["AssetsV1"]}),
            ("GET", "/api/sync/ack", None),
            ("POST", "/api/sync/ack", {"acks": []}),
            ("DELETE", "/api/sync/ack", {}),
        ):
            answer = keyed.request(method, path, json=payload)
            assert answer.status_code == 403, (path, answer.text)
            assert answer.json()["message"] == "Sync endpoints cannot be used with API keys"


def _bad(client: SyncClient, method: str, path: str, payload: object) -> dict[str, object]:
    resp = client.http.request(method, path, json=payload)
    assert resp.status_code == 400, (payload, resp.text)
    found: dict[str, object] = resp.json()
    assert set(found) == {"message", "error", "statusCode", "correlationId"}
    return found


def test_bad_input_is_400_and_never_breaks_later_streams(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    builder.insert(uuid.UUID(alice.user_id))
    message = _bad(alice, "POST", "/api/sync/stream", {"types": ["AssetsV1", "NopeV1"]})["message"]
    assert isinstance(message, list) and "each value in types must be one of" in message[0]
    _bad(alice, "POST", "/api/sync/stream", {"types": "AssetsV1"})
    _bad(alice, "POST", "/api/sync/stream", {})
    _bad(alice, "DELETE", "/api/sync/ack", {"types": ["AssetsV1"]})
    assert (
        _bad(alice, "POST", "/api/sync/ack", {"acks": ["NopeV1|x"]})["message"] == "Invalid ack type: NopeV1"
    )
    for malformed in (
        "AssetV1",
        "AssetV1|not-a-uuid",
        f"AssetV1|{uuid.uuid4()}",
        f"AssetV1|{seq_to_uuid(1)}|{seq_to_uuid(2)}|x",
        f"PartnerAssetBackfillV1|{seq_to_uuid(1)}|garbage",
    ):
        assert str(_bad(alice, "POST", "/api/sync/ack", {"acks": [malformed]})["message"]).startswith(
            "Invalid ack"
        )
    too_many = [f"AssetV1|{seq_to_uuid(1)}"] * 1001
    assert _bad(alice, "POST", "/api/sync/ack", {"acks": too_many})["message"] == [
        "acks must contain no more than 1000 elements"
    ]
    assert alice.http.get("/api/sync/ack").json() == []
    assert types_of(alice.stream(["AssetsV1"])) == ["AssetV1", "SyncCompleteV1"]
