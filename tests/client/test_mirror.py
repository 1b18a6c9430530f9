"""The mirror over real HTTP: first run, incremental runs, deletes, unshares, v1 fallback, reset."""

from __future__ import annotations

import base64
from pathlib import Path

from filmroll.client.connect import Credentials
from filmroll.client.layout import date_dir, safe_name
from tests.client.helpers import SMALL, check, files_of, mirror, new_user, sha1, upload_photos
from tests.support import LiveServer


def _changed(before: dict[tuple[str, ...], str], after: dict[tuple[str, ...], str]) -> set[str]:
    keys = set(before) | set(after)
    return {k[0] for k in keys if before.get(k) != after.get(k)}


async def test_first_mirror_downloads_verified_files_in_date_layout(
    server: LiveServer, tmp_path: Path
) -> None:
    user = new_user(server, "first")
    ids = upload_photos(server, user, SMALL[:3])
    report, replica = await mirror(server, tmp_path, user.creds, originals=True, thumbnails=True)
    try:
        assert report.stats is not None and report.stats.protocol == "v2" and report.stats.full
        assert report.downloaded == 6 and not report.failed
        assert {a["id"] for a in replica.assets()} == set(ids)
        assert replica.count("exif") == 3 and replica.count("auth_user") == 1
        indexes = {r[0] for r in replica.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"assets_own_dated", "exif_digest"} <= indexes  # a first verify needs not build them
        for asset in replica.assets():
            original = tmp_path / date_dir(asset) / safe_name(asset)
            assert base64.b64encode(bytes.fromhex(sha1(original))).decode() == asset["checksum"]
            thumbs = list(
                (tmp_path / "thumbnails" / date_dir(asset)).glob(Path(safe_name(asset)).stem + ".*")
            )
            assert len(thumbs) == 1 and thumbs[0].stat().st_size > 0
    finally:
        replica.close()
    assert not [f for f in files_of(tmp_path) if f.endswith(".part")]
    assert (await check(server, tmp_path, user.creds)).clean


async def test_second_mirror_applies_exactly_the_changes(server: LiveServer, tmp_path: Path) -> None:
    user = new_user(server, "second")
    ids = upload_photos(server, user, SMALL[:3])
    _report, replica = await mirror(server, tmp_path, user.creds, originals=True)
    before = replica.rows("assets")
    first_files = files_of(tmp_path)
    replica.close()

    with server.client(user.token) as http:
        assert http.put(f"/api/assets/{ids[0]}", json={"isFavorite": True}).status_code == 200
        assert http.request("DELETE", "/api/assets", json={"ids": [ids[1]], "force": True}).status_code == 204
    added = upload_photos(server, user, SMALL[3:4])

    report, replica = await mirror(server, tmp_path, user.creds, originals=True)
    try:
        assert report.stats is not None and not report.stats.full
        assert report.stats.applied.get("AssetDeleteV1") == 1
        assert _changed(before, replica.rows("assets")) == {ids[0], ids[1], added[0]}
        assert report.downloaded == 1 and report.removed == 1
    finally:
        replica.close()
    now = files_of(tmp_path)
    assert len(now) == 3 and len(now & first_files) == 2
    assert (await check(server, tmp_path, user.creds)).clean

    report, replica = await mirror(server, tmp_path, user.creds, originals=True)
    replica.close()
    assert report.stats is not None and set(report.stats.applied) == {"SyncCompleteV1"}
    assert report.downloaded == 0


async def test_trash_and_keep_deleted_move_files_to_local_trash(server: LiveServer, tmp_path: Path) -> None:
    user = new_user(server, "trash")
    ids = upload_photos(server, user, SMALL[4:6])
    (await mirror(server, tmp_path, user.creds, originals=True))[1].close()
    with server.client(user.token) as http:
        assert http.request("DELETE", "/api/assets", json={"ids": [ids[0]]}).status_code == 204
    report, replica = await mirror(server, tmp_path, user.creds, originals=True, keep_deleted=True)
    replica.close()
    assert report.trashed == 1 and report.removed == 0
    assert len(files_of(tmp_path)) == 1
    assert len([p for p in (tmp_path / ".trash").rglob("*") if p.is_file()]) == 1


async def test_partner_unshare_removes_local_copies(server: LiveServer, tmp_path: Path) -> None:
    owner, viewer = new_user(server, "owner"), new_user(server, "viewer")
    upload_photos(server, owner, SMALL[:2])
    upload_photos(server, viewer, SMALL[2:3])
    with server.client(owner.token) as http:
        assert http.post("/api/partners", json={"sharedWithId": viewer.id}).status_code == 201
    report, replica = await mirror(server, tmp_path, viewer.creds, originals=True)
    replica.close()
    assert report.downloaded == 3 and len(files_of(tmp_path)) == 3

    with server.client(owner.token) as http:
        assert http.delete(f"/api/partners/{viewer.id}").status_code == 204
    report, replica = await mirror(server, tmp_path, viewer.creds, originals=True)
    try:
        assert report.removed == 2
        assert {a["ownerId"] for a in replica.assets()} == {viewer.id}
    finally:
        replica.close()
    assert len(files_of(tmp_path)) == 1
    assert (await check(server, tmp_path, viewer.creds)).clean


async def test_api_key_falls_back_to_v1_full_then_delta(server: LiveServer, tmp_path: Path) -> None:
    user = new_user(server, "apikey")
    ids = upload_photos(server, user, SMALL[:2])
    with server.client(user.token) as http:
        resp = http.post("/api/api-keys", json={"name": "mirror", "permissions": ["all"]})
        assert resp.status_code == 201, resp.text
        creds = Credentials(api_key=resp.json()["secret"])
    report, replica = await mirror(server, tmp_path, creds, originals=True)
    replica.close()
    assert report.stats is not None and report.stats.protocol == "v1" and report.stats.full
    assert report.downloaded == 2

    with server.client(user.token) as http:
        assert http.request("DELETE", "/api/assets", json={"ids": [ids[0]], "force": True}).status_code == 204
    report, replica = await mirror(server, tmp_path, creds, originals=True)
    try:
        assert report.stats is not None and report.stats.protocol == "v1" and not report.stats.full
        assert [a["id"] for a in replica.assets()] == [ids[1]]
    finally:
        replica.close()
    assert report.removed == 1 and len(files_of(tmp_path)) == 1
    assert (await check(server, tmp_path, creds)).clean


async def test_sync_reset_wipes_and_streams_again(server: LiveServer, tmp_path: Path) -> None:
    user = new_user(server, "reset")
    upload_photos(server, user, SMALL[:2])
    _report, replica = await mirror(server, tmp_path, user.creds, originals=True)
    before = replica.snapshot()
    token = replica.get("token")
    replica.close()
    with server.client(token) as http:
        session = next(s for s in http.get("/api/sessions").json() if s["current"])
        resp = http.put(f"/api/sessions/{session['id']}", json={"isPendingSyncReset": True})
        assert resp.status_code == 200, resp.text
    report, replica = await mirror(server, tmp_path, user.creds, originals=True)
    try:
        assert report.stats is not None and report.stats.resets == 1
        assert replica.snapshot() == before
        assert report.downloaded == 0 and report.removed == 0
    finally:
        replica.close()
