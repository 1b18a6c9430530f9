"""Focused access rules: album writes, locking, delete lines and live photos, over real HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.access.scenario import upload_video
from tests.assets.helpers import PHOTOS, upload, wait_for_jobs
from tests.locked.helpers import unlock
from tests.support import LiveServer
from tests.sync.v1.helpers import delta, now_iso
from tests.sync.v2.helpers import SyncClient, new_client, of_type

PHOTO = PHOTOS / "exif-parser" / "starfish.jpg"


def _album(owner: SyncClient, members: list[tuple[SyncClient, str]], ids: list[str]) -> str:
    users = [{"userId": m.user_id, "role": role} for m, role in members]
    resp = owner.http.post("/api/albums", json={"albumName": "a", "albumUsers": users, "assetIds": ids})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def _put(client: httpx.Client, album_id: str, ids: list[str]) -> list[dict[str, Any]]:
    resp = client.put(f"/api/albums/{album_id}/assets", json={"ids": ids})
    assert resp.status_code == 200, resp.text
    result: list[dict[str, Any]] = resp.json()
    return result


def _remove(client: httpx.Client, album_id: str, ids: list[str]) -> httpx.Response:
    return client.request("DELETE", f"/api/albums/{album_id}/assets", json={"ids": ids})


def _share(owner: SyncClient, viewer: SyncClient) -> None:
    assert owner.http.post("/api/partners", json={"sharedWithId": viewer.user_id}).status_code == 201


def _named(lines: list[dict[str, Any]]) -> set[str]:
    return {str(v) for item in lines for k, v in item["data"].items() if k in ("id", "assetId")}


def test_album_add_refuses_locked_assets(server: LiveServer) -> None:
    owner = new_client(server, "owner")
    locked = upload_video(owner.http, visibility="locked")
    album_id = _album(owner, [], [])
    assert _put(owner.http, album_id, [locked]) == [
        {"id": locked, "success": False, "error": "no_permission"}
    ]
    resp = owner.http.post("/api/albums", json={"albumName": "b", "assetIds": [locked]})
    assert resp.status_code == 400
    assert resp.json()["message"] == "Not found or no asset.share access"


def test_moving_into_locked_removes_from_every_album(server: LiveServer) -> None:
    owner, member = new_client(server, "owner"), new_client(server, "member")
    single, bulk = upload_video(owner.http), upload_video(owner.http)
    first = _album(owner, [(member, "viewer")], [single, bulk])
    second = _album(owner, [(member, "editor")], [bulk])
    types = ["AlbumsV1", "AlbumToAssetsV1", "AlbumAssetsV1"]
    lines = member.sync(types)
    assert {a["id"] for a in of_type(lines, "AlbumAssetCreateV1")} == {single, bulk}

    assert owner.http.put(f"/api/assets/{single}", json={"visibility": "locked"}).status_code == 200
    assert owner.http.put("/api/assets", json={"ids": [bulk], "visibility": "locked"}).status_code == 204

    lines = member.sync(types)
    links = {(d["albumId"], d["assetId"]) for d in of_type(lines, "AlbumToAssetDeleteV1")}
    assert links == {(first, single), (first, bulk), (second, bulk)}
    assert sorted(d["assetId"] for d in of_type(lines, "AssetDeleteV1")) == sorted([single, bulk])
    for album_id in (first, second):
        body = owner.http.get(f"/api/albums/{album_id}").json()
        assert (body["assets"], body["assetCount"], body["albumThumbnailAssetId"]) == ([], 0, None)
    for asset_id in (single, bulk):
        assert member.http.get(f"/api/assets/{asset_id}").status_code == 400
        assert owner.http.get(f"/api/assets/{asset_id}").status_code == 400  # until the PIN is entered
    unlock(owner.http)
    for asset_id in (single, bulk):
        assert owner.http.get(f"/api/assets/{asset_id}").json()["visibility"] == "locked"


def test_editor_removes_only_assets_it_may_share(server: LiveServer) -> None:
    owner, editor = new_client(server, "owner"), new_client(server, "editor")
    owners_asset, editors_asset = upload_video(owner.http), upload_video(editor.http)
    album_id = _album(owner, [(editor, "editor")], [owners_asset])
    assert _put(editor.http, album_id, [editors_asset]) == [{"id": editors_asset, "success": True}]
    missing = str(uuid.uuid4())

    resp = _remove(editor.http, album_id, [owners_asset, editors_asset, missing])
    assert resp.status_code == 200, resp.text
    assert resp.json() == [
        {"id": owners_asset, "success": False, "error": "no_permission"},
        {"id": editors_asset, "success": True},
        {"id": missing, "success": False, "error": "not_found"},
    ]
    assert [a["id"] for a in owner.http.get(f"/api/albums/{album_id}").json()["assets"]] == [owners_asset]

    _share(owner, editor)  # a partner's timeline asset is one the editor may share
    assert _remove(editor.http, album_id, [owners_asset]).json() == [{"id": owners_asset, "success": True}]

    assert _put(editor.http, album_id, [editors_asset])[0]["success"] is True
    assert _remove(owner.http, album_id, [editors_asset]).json() == [{"id": editors_asset, "success": True}]


def test_viewer_errors_name_the_album_permission(server: LiveServer) -> None:
    owner, viewer = new_client(server, "owner"), new_client(server, "viewer")
    asset_id = upload_video(owner.http)
    album_id = _album(owner, [(viewer, "viewer")], [asset_id])
    removed = _remove(viewer.http, album_id, [asset_id])
    assert removed.status_code == 400
    assert removed.json()["message"] == "Not found or no albumAsset.delete access"
    added = viewer.http.put(f"/api/albums/{album_id}/assets", json={"ids": [asset_id]})
    assert added.status_code == 400
    assert added.json()["message"] == "Not found or no albumAsset.create access"


def test_assets_never_on_the_timeline_are_never_named_to_partners(server: LiveServer) -> None:
    owner, partner = new_client(server, "owner"), new_client(server, "partner")
    _share(owner, partner)
    types = ["PartnerAssetsV1", "PartnerStacksV1"]
    partner.sync(types)
    watermark = now_iso()

    locked = upload_video(owner.http, visibility="locked")
    hidden = upload_video(owner.http, visibility="hidden")
    on_timeline = upload_video(owner.http)
    force = {"ids": [locked, on_timeline], "force": True}
    unlock(owner.http)  # deleting a locked asset takes the PIN
    assert owner.http.request("DELETE", "/api/assets", json=force).status_code == 204

    lines = partner.sync(types)
    assert [d["assetId"] for d in of_type(lines, "PartnerAssetDeleteV1")] == [on_timeline]
    assert not {locked, hidden} & _named(lines)
    body = delta(partner.http, watermark, [partner.user_id, owner.user_id])
    assert body["deleted"] == [on_timeline]
    assert not {locked, hidden} & {a["id"] for a in body["upserted"]}

    kept = upload_video(owner.http)
    partner.sync(types)
    assert owner.http.delete(f"/api/partners/{partner.user_id}").status_code in (200, 204)
    lines = partner.sync(types)
    assert [d["assetId"] for d in of_type(lines, "PartnerAssetDeleteV1")] == [kept], (
        "the unshare names no hidden"
    )
    assert hidden not in _named(lines)


def test_live_photo_motion_part_follows_its_still(server: LiveServer) -> None:
    owner, partner, stranger = (new_client(server, n) for n in ("owner", "partner", "stranger"))
    _share(owner, partner)
    motion = upload_video(owner.http)
    resp = upload(owner.http, PHOTO, PHOTO.read_bytes() + uuid.uuid4().bytes, livePhotoVideoId=motion)
    assert resp.status_code == 201, resp.text
    still = resp.json()["id"]
    wait_for_jobs(server)
    assert owner.http.get(f"/api/assets/{motion}").json()["visibility"] == "hidden"

    playback = f"/api/assets/{motion}/video/playback"
    assert partner.http.get(playback, headers={"range": "bytes=0-9"}).status_code == 206
    assert stranger.http.get(playback).status_code == 400
    assert owner.http.put(f"/api/assets/{still}", json={"visibility": "archive"}).status_code == 200
    assert partner.http.get(playback).status_code == 400, "the still left the partner's view"


def test_album_deletes_name_only_assets_seen_while_a_member(server: LiveServer) -> None:
    """A member who joins later is not told of assets removed (or locked) before it came, and one
    who left is not told of assets added after it went."""
    owner, early, late = (new_client(server, n) for n in ("owner", "early", "late"))
    before, after = upload_video(owner.http), upload_video(owner.http)
    album_id = _album(owner, [(early, "viewer")], [before])
    assert owner.http.put(f"/api/assets/{before}", json={"visibility": "locked"}).status_code == 200
    users = {"albumUsers": [{"userId": late.user_id, "role": "viewer"}]}
    assert owner.http.put(f"/api/albums/{album_id}/users", json=users).status_code == 200
    assert early.http.delete(f"/api/albums/{album_id}/user/me").status_code == 204
    assert _put(owner.http, album_id, [after])[0]["success"] is True

    early_lines, late_lines = early.sync(["AlbumAssetsV1"]), late.sync(["AlbumAssetsV1"])
    assert [d["assetId"] for d in of_type(early_lines, "AssetDeleteV1")] == [before]
    assert of_type(late_lines, "AssetDeleteV1") == []
    assert [
        a["id"]
        for a in of_type(late_lines, "AlbumAssetBackfillV1") + of_type(late_lines, "AlbumAssetCreateV1")
    ] == [after]
    assert after not in _named(early_lines)
