"""GET/PUT/DELETE /api/assets, trash, statistics, partners and live photos on both databases."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from filmroll.db import clock
from filmroll.db.schema import partners
from tests.assets.helpers import (
    PHOTOS,
    asset_count,
    engine,
    owner_files,
    upload,
    validate_schema,
    wait_for_jobs,
)
from tests.support import LiveServer

JPEG = PHOTOS / "piexif" / "r_canon.jpg"
OTHER = PHOTOS / "piexif" / "r_sony.jpg"
VIDEO = PHOTOS / "pymediainfo" / "sample.mp4"


def _share(server: LiveServer, owner: str, viewer: str) -> None:
    eng = engine(server)
    try:
        with eng.begin() as conn:
            stamp = clock.reserve(conn, 2)
            conn.execute(
                sa.insert(partners).values(
                    shared_by_id=uuid.UUID(owner),
                    shared_with_id=uuid.UUID(viewer),
                    in_timeline=True,
                    created_at=stamp.at,
                    updated_at=stamp.at,
                    create_seq=stamp.seq,
                    update_seq=stamp.seq_at(1),
                )
            )
    finally:
        eng.dispose()


def test_access_rules(server: LiveServer) -> None:
    owner, _e, token = server.new_user("owner")
    partner, _e, partner_token = server.new_user("partner")
    _stranger, _e, stranger_token = server.new_user("stranger")
    _share(server, owner, partner)
    with server.client(token) as c:
        asset_id = upload(c, JPEG, isFavorite="true").json()["id"]
        mine = c.get(f"/api/assets/{asset_id}").json()
        assert mine["isFavorite"] is True and mine["ownerId"] == owner
    with server.client(partner_token) as p:
        seen = p.get(f"/api/assets/{asset_id}")
        assert seen.status_code == 200 and seen.json()["isFavorite"] is False
        denied = p.put(f"/api/assets/{asset_id}", json={"isFavorite": False})
        assert denied.status_code == 400
        assert denied.json()["message"] == "Not found or no asset.update access"
    with server.client(stranger_token) as s:
        for path in ("", "/thumbnail", "/original"):
            resp = s.get(f"/api/assets/{asset_id}{path}")
            assert resp.status_code == 400, path
        assert s.get(f"/api/assets/{asset_id}").json()["message"] == "Not found or no asset.read access"
        assert s.request("DELETE", "/api/assets", json={"ids": [asset_id]}).status_code == 400
    with server.client(token) as c:
        assert c.get(f"/api/assets/{uuid.uuid4()}").status_code == 400
        assert c.get("/api/assets/not-a-uuid").status_code == 400


def test_album_members_may_read_view_and_download(server: LiveServer) -> None:
    owner, _e, token = server.new_user("album-owner")
    member, _e, member_token = server.new_user("album-member")
    _outsider, _e, outsider_token = server.new_user("album-outsider")
    with server.client(token) as c:
        asset_id = upload(c, JPEG).json()["id"]
        wait_for_jobs(server)
        album = c.post(
            "/api/albums",
            json={
                "albumName": "shared",
                "assetIds": [asset_id],
                "albumUsers": [{"userId": member, "role": "viewer"}],
            },
        )
        assert album.status_code == 201, album.text
    with server.client(member_token) as m:
        seen = m.get(f"/api/assets/{asset_id}")
        assert seen.status_code == 200 and seen.json()["ownerId"] == owner
        for path in ("/thumbnail", "/original"):
            assert m.get(f"/api/assets/{asset_id}{path}").status_code == 200, path
        denied = m.put(f"/api/assets/{asset_id}", json={"isFavorite": True})
        assert denied.json()["message"] == "Not found or no asset.update access"
    with server.client(outsider_token) as o:
        assert o.get(f"/api/assets/{asset_id}/thumbnail").status_code == 400
    with server.client(token) as c:
        resp = c.request("DELETE", f"/api/albums/{album.json()['id']}/assets", json={"ids": [asset_id]})
        assert resp.status_code == 200
    with server.client(member_token) as m:
        assert m.get(f"/api/assets/{asset_id}").status_code == 400


def test_edits_bump_and_validate(server: LiveServer) -> None:
    _uid, _e, token = server.new_user("editor")
    with server.client(token) as c:
        a = upload(c, JPEG).json()["id"]
        b = upload(c, OTHER).json()["id"]
        wait_for_jobs(server)
        before = c.get(f"/api/assets/{a}").json()
        resp = c.put(
            f"/api/assets/{a}",
            json={
                "description": "hello",
                "rating": 4,
                "latitude": 48.85,
                "longitude": 2.35,
                "isFavorite": True,
            },
        )
        assert resp.status_code == 200, resp.text
        after = resp.json()
        validate_schema(after, "AssetResponseDto")
        assert after["exifInfo"]["description"] == "hello" and after["exifInfo"]["rating"] == 4
        assert after["exifInfo"]["latitude"] == 48.85 and after["isFavorite"] is True
        assert after["updatedAt"] > before["updatedAt"]
        resp = c.put(
            f"/api/assets/{a}",
            json={"dateTimeOriginal": "2020-05-06T07:08:09+02:00", "visibility": "archive"},
        )
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["fileCreatedAt"] == "2020-05-06T05:08:09.000Z"
        assert body["localDateTime"] == "2020-05-06T07:08:09.000Z"
        assert body["isArchived"] is True and body["visibility"] == "archive"

        assert c.put("/api/assets", json={"ids": [a, b], "isFavorite": False}).status_code == 204
        assert c.get(f"/api/assets/{b}").json()["isFavorite"] is False
        for bad in ({"visibility": "secret"}, {"rating": 9}, {"latitude": 100}, {"dateTimeOriginal": "soon"}):
            resp = c.put(f"/api/assets/{a}", json=bad)
            assert resp.status_code == 400, bad
            assert isinstance(resp.json()["message"], list)
        assert c.put("/api/assets", json={"ids": ["nope"]}).status_code == 400


def test_trash_restore_empty_and_force_delete(server: LiveServer) -> None:
    uid, _e, token = server.new_user("trash")
    with server.client(token) as c:
        a = upload(c, JPEG).json()["id"]
        b = upload(c, OTHER).json()["id"]
        v = upload(c, VIDEO).json()["id"]
        wait_for_jobs(server)
        stats = c.get("/api/assets/statistics").json()
        assert stats == {"images": 2, "videos": 1, "total": 3}
        assert c.request("DELETE", "/api/assets", json={"ids": [a, b]}).status_code == 204
        assert c.get(f"/api/assets/{a}").json()["isTrashed"] is True
        assert c.get("/api/assets/statistics", params={"isTrashed": "true"}).json()["total"] == 2
        assert c.post("/api/trash/restore/assets", json={"ids": [a]}).json() == {"count": 1}
        assert c.get(f"/api/assets/{a}").json()["isTrashed"] is False
        assert c.post("/api/trash/empty").json() == {"count": 1}
        assert c.get(f"/api/assets/{b}").status_code == 400
        c.request("DELETE", "/api/assets", json={"ids": [a]})
        assert c.post("/api/trash/restore").json() == {"count": 1}
        files_before = len(owner_files(server, uid))
        assert c.request("DELETE", "/api/assets", json={"ids": [v], "force": True}).status_code == 204
        assert c.get(f"/api/assets/{v}").status_code == 400
        assert len(owner_files(server, uid)) == files_before - 3
        assert asset_count(server, uid) == 1
        assert upload(c, OTHER).status_code == 201


def test_live_photo_video_is_hidden(server: LiveServer) -> None:
    _uid, _e, token = server.new_user("live")
    _other, _e, other_token = server.new_user("live-other")
    with server.client(token) as c:
        video = upload(c, VIDEO).json()["id"]
        photo = upload(c, JPEG, livePhotoVideoId=video)
        assert photo.status_code == 201, photo.text
        assert c.get(f"/api/assets/{video}").json()["visibility"] == "hidden"
        assert c.get(f"/api/assets/{photo.json()['id']}").json()["livePhotoVideoId"] == video
    with server.client(other_token) as o:
        resp = upload(o, JPEG, livePhotoVideoId=video)
        assert resp.status_code == 400
