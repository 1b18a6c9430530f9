"""Full sync, both forms: the viewer's view, the wire shape, access and paging."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from filmroll.db.clock import utcnow
from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v1.helpers import full_sync, now_iso, share


def test_own_full_sync_shows_the_owner_view(server: LiveServer, builder: AssetBuilder) -> None:
    owner, _, token = server.new_user("owner")
    oid = uuid.UUID(owner)
    normal = builder.insert(oid, exif=True, is_favorite=True)
    archived = builder.insert(oid, visibility="archive")
    trashed = builder.insert(oid, deleted_at=utcnow())
    offline = builder.insert(oid, is_offline=True)
    hidden = builder.insert(oid, visibility="hidden")
    locked = builder.insert(oid, visibility="locked")
    stacked = [builder.insert(oid), builder.insert(oid)]
    stack_id = builder.stack(oid, stacked)
    with server.client(token) as client:
        body = full_sync(client)
    by_id = {a["id"]: a for a in body}
    assert set(by_id) == {str(i) for i in (normal, archived, trashed, offline, *stacked)}
    assert str(hidden) not in by_id and str(locked) not in by_id
    assert [a["id"] for a in body] == sorted(by_id)
    for asset in body:
        assert_matches("AssetResponseDto", asset)
        assert asset["people"] == [] and asset["hasMetadata"] is True
    first = by_id[str(normal)]
    assert first["isFavorite"] is True and first["exifInfo"]["make"] and first["stack"] is None
    assert len(first["checksum"]) == 28
    assert by_id[str(archived)]["isArchived"] is True
    assert by_id[str(trashed)]["isTrashed"] is True
    assert by_id[str(offline)]["isOffline"] is True
    stack = by_id[str(stacked[1])]["stack"]
    assert stack == {"id": str(stack_id), "primaryAssetId": str(stacked[0]), "assetCount": 2}


def test_updated_until_bounds_the_result(server: LiveServer, builder: AssetBuilder) -> None:
    owner, _, token = server.new_user("until")
    before = builder.insert(uuid.UUID(owner))
    until = now_iso()
    builder.insert(uuid.UUID(owner))
    with server.client(token) as client:
        assert [a["id"] for a in full_sync(client, updatedUntil=until)] == [str(before)]


def test_partner_full_sync_shows_timeline_assets_only(server: LiveServer, builder: AssetBuilder) -> None:
    owner, _, owner_token = server.new_user("sharer")
    viewer, _, viewer_token = server.new_user("viewer")
    oid = uuid.UUID(owner)
    visible = builder.insert(oid, is_favorite=True)
    trashed = builder.insert(oid, deleted_at=utcnow())
    for visibility in ("archive", "hidden", "locked"):
        builder.insert(oid, visibility=visibility)
    stacked = [builder.insert(oid), builder.insert(oid)]
    builder.stack(oid, stacked)
    with server.client(owner_token) as client:
        share(client, viewer)
    with server.client(viewer_token) as client:
        body = full_sync(client, userId=owner)
    by_id = {a["id"]: a for a in body}
    assert set(by_id) == {str(i) for i in (visible, trashed, *stacked)}
    assert by_id[str(visible)]["isFavorite"] is False
    assert by_id[str(trashed)]["isTrashed"] is True
    assert all("stack" not in a for a in body)
    for asset in body:
        assert_matches("AssetResponseDto", asset)


def test_non_partner_gets_400(server: LiveServer, builder: AssetBuilder) -> None:
    stranger, _, _ = server.new_user("stranger")
    _, _, token = server.new_user("nosy")
    builder.insert(uuid.UUID(stranger))
    with server.client(token) as client:
        for resp in (
            client.post(
                "/api/sync/full-sync", json={"limit": 10, "updatedUntil": now_iso(), "userId": stranger}
            ),
            client.get(
                "/api/sync/full-sync", params={"limit": 10, "updatedUntil": now_iso(), "userId": stranger}
            ),
            client.post(
                "/api/sync/full-sync",
                json={"limit": 10, "updatedUntil": now_iso(), "userId": str(uuid.uuid4())},
            ),
        ):
            body = assert_error_body(resp, 400)
            assert body["message"] == "Not found or no timeline.read access"


def test_post_form_pages_by_id(server: LiveServer, builder: AssetBuilder) -> None:
    owner, _, token = server.new_user("pager")
    ids = {str(i) for i in builder.insert_many(uuid.UUID(owner), 53)}
    seen: list[str] = []
    until = now_iso()
    with server.client(token) as client:
        last_id = None
        while True:
            body = {"limit": 10, "updatedUntil": until} | ({"lastId": last_id} if last_id else {})
            page = full_sync(client, **body)
            seen += [a["id"] for a in page]
            if len(page) < 10:
                break
            last_id = page[-1]["id"]
    assert seen == sorted(ids)


def test_early_form_pages_by_creation_date(server: LiveServer, builder: AssetBuilder) -> None:
    owner, _, token = server.new_user("early")
    oid = uuid.UUID(owner)
    ids = builder.insert_many(oid, 40)
    same_time = utcnow().replace(microsecond=0) - timedelta(days=400)
    builder.update(ids[:12], file_created_at=same_time)
    until = now_iso()
    seen: list[dict[str, Any]] = []
    with server.client(token) as client:
        params: dict[str, str | int] = {"limit": 7, "updatedUntil": until}
        while True:
            resp = client.get("/api/sync/full-sync", params=params)
            assert resp.status_code == 200, resp.text
            page = resp.json()
            seen += page
            if len(page) < 7:
                break
            params |= {"lastCreationDate": page[-1]["fileCreatedAt"], "lastId": page[-1]["id"]}
    keys = [(a["fileCreatedAt"], a["id"]) for a in seen]
    assert keys == sorted(keys, reverse=True)
    assert sorted(a["id"] for a in seen) == sorted(str(i) for i in ids)
