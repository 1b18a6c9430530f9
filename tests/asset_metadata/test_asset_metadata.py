"""Asset metadata over HTTP: the upload's `metadata` field, Immich's `/assets/{id}/metadata`
routes and bulk routes, bounded input, owner-only writes, and the v2 stream."""

from __future__ import annotations

import json
import uuid
from typing import Any

from filmroll.db.engine import Database
from tests.assets.helpers import PHOTOS, asset_count, upload
from tests.contract import assert_error_body, assert_matches
from tests.memories.helpers import data_of, share, stream
from tests.support import LiveServer

PHOTO = PHOTOS / "piexif" / "r_canon.jpg"
CLOUD = {"iCloudId": "9A1B2C3D-0000-4000-8000-ABCDEF012345", "createdAt": "2019-06-15T10:00:00.000"}
TYPES = ["AssetMetadataV1"]


def _nested(levels: int) -> dict[str, Any]:
    """An object nested `levels` deep: `{"a": {"a": ... {}}}`."""
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def _unique(seed: int) -> bytes:
    """The test photo with trailing bytes, so each upload has its own checksum."""
    return PHOTO.read_bytes() + seed.to_bytes(8, "big") + uuid.uuid4().bytes


def test_upload_stores_the_apps_metadata(server: LiveServer) -> None:
    _owner, _e, token = server.new_user("md-upload")
    items = [{"key": "mobile-app", "value": CLOUD}]
    with server.client(token) as c:
        resp = upload(c, PHOTO, _unique(1), metadata=json.dumps(items))
        assert resp.status_code == 201, resp.text
        asset_id = resp.json()["id"]
        listed = c.get(f"/api/assets/{asset_id}/metadata")
        assert listed.status_code == 200
        for item in listed.json():
            assert_matches("AssetMetadataResponseDto", item)
        assert [(i["key"], i["value"]) for i in listed.json()] == [("mobile-app", CLOUD)]
        one = c.get(f"/api/assets/{asset_id}/metadata/mobile-app")
        assert one.status_code == 200 and one.json()["value"] == CLOUD
        lines = stream(c, TYPES)
        assert data_of(lines, "AssetMetadataV1") == [
            {"assetId": asset_id, "key": "mobile-app", "value": CLOUD}
        ]
        plain = upload(c, PHOTO, _unique(2))
        assert plain.status_code == 201
        assert c.get(f"/api/assets/{plain.json()['id']}/metadata").json() == []


def test_bad_upload_metadata_is_refused_before_storing(server: LiveServer) -> None:
    owner_id, _e, token = server.new_user("md-bad-upload")
    with server.client(token) as c:
        for i, bad in enumerate(
            (
                "{not json",
                '{"key": "mobile-app", "value": {}}',
                '[{"key": "mobile-app", "value": "x"}]',
                '[{"key": 5, "value": {}}]',
                '[{"value": {}}]',
                '[{"key": "", "value": {}}]',
                json.dumps([{"key": "k" * 101, "value": {}}]),
                '[{"key": "a\\u0000b", "value": {}}]',
                '[{"key": "a", "value": {"x": "\\ud800"}}]',
                json.dumps([{"key": "a", "value": {}}, {"key": "a", "value": {}}]),
                "[" * 5000 + "]" * 5000,
                json.dumps([{"key": "big", "value": {"x": "y" * 40_000}}]),
                json.dumps([{"key": "deep", "value": _nested(300)}]),
                json.dumps([{"key": "too-long-field", "value": {"x": "y" * 70_000}}]),
            )
        ):
            assert_error_body(upload(c, PHOTO, _unique(100 + i), metadata=bad), 400)
    assert asset_count(server, owner_id) == 0


def test_metadata_routes(server: LiveServer) -> None:
    _id, _e, token = server.new_user("md-routes")
    with server.client(token) as c:
        asset_id = upload(c, PHOTO, _unique(3)).json()["id"]
        base = f"/api/assets/{asset_id}/metadata"
        put = c.put(
            base, json={"items": [{"key": "mobile-app", "value": CLOUD}, {"key": "note", "value": {"a": 1}}]}
        )
        assert put.status_code == 200, put.text
        for item in put.json():
            assert_matches("AssetMetadataResponseDto", item)
        assert [i["key"] for i in put.json()] == ["mobile-app", "note"]
        deep = c.put(base, json={"items": [{"key": "deep", "value": _nested(32)}]})
        assert deep.status_code == 200, "32 levels are fine"
        assert c.delete(f"{base}/deep").status_code == 204
        changed = c.put(base, json={"items": [{"key": "note", "value": {"a": 2}}]})
        assert changed.json()[0]["value"] == {"a": 2}
        assert [(i["key"], i["value"]) for i in c.get(base).json()] == [
            ("mobile-app", CLOUD),
            ("note", {"a": 2}),
        ]

        missing = assert_error_body(c.get(f"{base}/nope"), 400)
        assert missing["message"] == f'Metadata with key "nope" not found for asset with id "{asset_id}"'
        dup = c.put(base, json={"items": [{"key": "x", "value": {}}, {"key": "x", "value": {}}]})
        assert assert_error_body(dup, 400)["message"] == 'Duplicate items are not allowed: "x"'
        bad: dict[str, Any]
        for bad in (
            {"items": [{"key": "x", "value": "string"}]},
            {"items": [{"key": "x", "value": None}]},
            {"items": [{"key": "", "value": {}}]},
            {"items": [{"key": "k" * 101, "value": {}}]},
            {"items": [{"key": "x", "value": {"big": "y" * 40_000}}]},
            {"items": [{"key": "x", "value": _nested(33)}]},
            {"items": [{"value": {}}]},
            {"items": None},
            {"items": [{"key": "x", "value": {}}] * 1001},
            {},
        ):
            assert_error_body(c.put(base, json=bad), 400)
        assert_error_body(
            c.put(base, content=b"{not json", headers={"content-type": "application/json"}), 400
        )
        assert_error_body(c.get(f"/api/assets/{asset_id}/metadata/{'k' * 101}"), 400)
        assert_error_body(c.get("/api/assets/not-a-uuid/metadata"), 400)

        assert c.delete(f"{base}/note").status_code == 204
        assert c.delete(f"{base}/never-there").status_code == 204
        assert [i["key"] for i in c.get(base).json()] == ["mobile-app"]


def test_bulk_routes(server: LiveServer) -> None:
    _id, _e, token = server.new_user("md-bulk")
    with server.client(token) as c:
        a = upload(c, PHOTO, _unique(4)).json()["id"]
        b = upload(c, PHOTO, _unique(5)).json()["id"]
        items: list[dict[str, Any]] = [
            {"assetId": a, "key": "mobile-app", "value": {"iCloudId": "A"}},
            {"assetId": b, "key": "mobile-app", "value": {"iCloudId": "B"}},
        ]
        put = c.put("/api/assets/metadata", json={"items": items})
        assert put.status_code == 200, put.text
        for item in put.json():
            assert_matches("AssetMetadataBulkResponseDto", item)
        assert [(i["assetId"], i["value"]) for i in put.json()] == [
            (a, {"iCloudId": "A"}),
            (b, {"iCloudId": "B"}),
        ]
        dup = c.put("/api/assets/metadata", json={"items": [items[0], items[0]]})
        assert_error_body(dup, 400)
        gone = c.request(
            "DELETE", "/api/assets/metadata", json={"items": [{"assetId": a, "key": "mobile-app"}]}
        )
        assert gone.status_code == 204
        assert c.get(f"/api/assets/{a}/metadata").json() == []
        assert len(c.get(f"/api/assets/{b}/metadata").json()) == 1
        assert_error_body(
            c.put("/api/assets/metadata", json={"items": [{"assetId": "x", "key": "k", "value": {}}]}), 400
        )


def test_access_and_permissions(server: LiveServer, db: Database) -> None:
    _owner, _e, token = server.new_user("md-owner")
    partner_id, _e2, partner_token = server.new_user("md-partner")
    _s, _e3, stranger_token = server.new_user("md-stranger")
    with server.client(token) as c:
        asset_id = upload(
            c, PHOTO, _unique(6), metadata=json.dumps([{"key": "mobile-app", "value": CLOUD}])
        ).json()["id"]
        share(c, partner_id)
        key = c.post("/api/api-keys", json={"name": "ro", "permissions": ["asset.read"]}).json()["secret"]
    base = f"/api/assets/{asset_id}/metadata"
    with server.client(partner_token) as p:
        assert p.get(base).status_code == 200, "a partner may read it"
        refused = assert_error_body(p.put(base, json={"items": [{"key": "x", "value": {}}]}), 400)
        assert refused["message"] == "Not found or no asset.update access"
        assert_error_body(p.delete(f"{base}/mobile-app"), 400)
        bulk = p.request(
            "DELETE", "/api/assets/metadata", json={"items": [{"assetId": asset_id, "key": "mobile-app"}]}
        )
        assert_error_body(bulk, 400)
        assert data_of(stream(p, TYPES), "AssetMetadataV1") == [], (
            "partners are not sent the owner's metadata"
        )
    with server.client(stranger_token) as s:
        assert_error_body(s.get(base), 400)
        assert_error_body(s.get(f"{base}/mobile-app"), 400)
    with server.client(**{"x-api-key": key}) as k:
        assert k.get(base).status_code == 200
        assert_error_body(k.put(base, json={"items": []}), 403)
        assert_error_body(k.delete(f"{base}/mobile-app"), 403)
    with server.client(token) as c:
        assert [i["key"] for i in c.get(base).json()] == ["mobile-app"]


def test_stream_sends_changes_and_deletes(server: LiveServer, db: Database) -> None:
    _id, _e, token = server.new_user("md-stream")
    with server.client(token) as c:
        asset_id = upload(c, PHOTO, _unique(7)).json()["id"]
        base = f"/api/assets/{asset_id}/metadata"
        assert data_of(stream(c, TYPES), "AssetMetadataV1") == []
        c.put(
            base,
            json={"items": [{"key": "mobile-app", "value": {"iCloudId": "1"}}, {"key": "b", "value": {}}]},
        )
        first = stream(c, TYPES)
        assert [(d["key"], d["value"]) for d in data_of(first, "AssetMetadataV1")] == [
            ("mobile-app", {"iCloudId": "1"}),
            ("b", {}),
        ]
        assert stream(c, TYPES)[:-1] == []
        c.put(base, json={"items": [{"key": "mobile-app", "value": {"iCloudId": "2"}}]})
        c.delete(f"{base}/b")
        second = stream(c, TYPES)
        assert data_of(second, "AssetMetadataDeleteV1") == [{"assetId": asset_id, "key": "b"}]
        assert data_of(second, "AssetMetadataV1") == [
            {"assetId": asset_id, "key": "mobile-app", "value": {"iCloudId": "2"}}
        ]
        assert [x["type"] for x in second] == ["AssetMetadataDeleteV1", "AssetMetadataV1", "SyncCompleteV1"]
