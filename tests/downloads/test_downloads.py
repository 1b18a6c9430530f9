"""Downloads over HTTP: archive plans, streamed zips compared byte for byte, and who may download."""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from filmroll.db.engine import Database
from filmroll.db.schema import assets
from filmroll.repositories import assets as asset_repo
from filmroll.services.download import numbered, safe_name
from tests.assets.helpers import PHOTOS, upload, wait_for_jobs
from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer
from tests.sync.v2.helpers import SyncClient, new_client

STARFISH = PHOTOS / "exif-parser" / "starfish.jpg"
SONY = PHOTOS / "node-exif" / "sony-alpha-6000.jpg"
VIDEO = PHOTOS / "pymediainfo" / "sample.mp4"


def put(client: SyncClient, path: Any, content: bytes | None = None) -> tuple[str, bytes]:
    data = path.read_bytes() if content is None else content
    resp = upload(client.http, path, data)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"]), data


def info(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    resp = client.post("/api/download/info", json=body)
    assert resp.status_code == 201, resp.text
    assert_matches("DownloadResponseDto", resp.json())
    return dict(resp.json())


def archive(client: httpx.Client, ids: list[str]) -> dict[str, bytes]:
    resp = client.post("/api/download/archive", json={"assetIds": ids})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/octet-stream"
    with zipfile.ZipFile(io.BytesIO(resp.content)) as zf:
        assert zf.testzip() is None
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        return {name: zf.read(name) for name in zf.namelist()}


def test_info_and_archive(server: LiveServer, db: Database) -> None:
    owner = new_client(server, "owner")
    star, star_bytes = put(owner, STARFISH)
    sony, sony_bytes = put(owner, SONY)
    # Same file name, different bytes: the archive numbers the repeat as Immich does.
    again, again_bytes = put(owner, STARFISH, STARFISH.read_bytes() + b"\0more")
    motion, motion_bytes = put(owner, VIDEO)
    wait_for_jobs(server)
    db.write_sync(
        lambda c: (
            asset_repo.update(c, [uuid.UUID(motion)], {"visibility": "hidden"}),
            asset_repo.update(c, [uuid.UUID(sony)], {"live_photo_video_id": uuid.UUID(motion)}),
        )
    )

    plan = info(owner.http, {"assetIds": [star, sony, again]})
    sizes = {star: len(star_bytes), sony: len(sony_bytes), again: len(again_bytes), motion: len(motion_bytes)}
    assert plan == {"totalSize": sum(sizes.values()), "archives": [
        {"size": sum(sizes.values()), "assetIds": [star, sony, again, motion]}
    ]}  # fmt: skip
    # An archive closes once it passes archiveSize; the motion part comes after the stills.
    split = info(owner.http, {"assetIds": [star, sony, again], "archiveSize": len(star_bytes)})
    assert [a["assetIds"] for a in split["archives"]] == [[star, sony], [again], [motion]]
    assert [a["size"] for a in split["archives"]] == [sizes[star] + sizes[sony], sizes[again], sizes[motion]]
    assert split["totalSize"] == plan["totalSize"]
    everything = info(owner.http, {"userId": owner.user_id})
    assert sorted(i for a in everything["archives"] for i in a["assetIds"]) == sorted(sizes)
    assert info(owner.http, {"assetIds": []}) == {"totalSize": 0, "archives": []}

    files = archive(owner.http, [star, sony, again, motion])
    assert files == {"starfish.jpg": star_bytes, "sony-alpha-6000.jpg": sony_bytes,
                     "starfish+1.jpg": again_bytes, "sample.mp4": motion_bytes}  # fmt: skip
    assert archive(owner.http, []) == {}

    # A trashed asset is not planned; an original gone from storage is left out of the zip.
    assert owner.http.request("DELETE", "/api/assets", json={"ids": [again]}).status_code == 204
    assert [a["assetIds"] for a in info(owner.http, {"assetIds": [star, again]})["archives"]] == [[star]]
    key = db.read_sync(
        lambda c: c.execute(
            sa.select(assets.c.original_path).where(assets.c.id == uuid.UUID(star))
        ).scalar_one()
    )
    (server.settings.data_dir / key).unlink()
    assert archive(owner.http, [star, sony]) == {"sony-alpha-6000.jpg": sony_bytes}


def test_who_may_download(server: LiveServer, db: Database) -> None:
    owner, partner, member, stranger = (
        new_client(server, n) for n in ("owner", "partner", "member", "stranger")
    )
    shown, shown_bytes = put(owner, STARFISH)
    archived, archived_bytes = put(owner, SONY)
    owner.http.put(f"/api/assets/{archived}", json={"visibility": "archive"}).raise_for_status()
    assert owner.http.post("/api/partners", json={"sharedWithId": partner.user_id}).status_code == 201
    resp = owner.http.post(
        "/api/albums",
        json={"albumName": "d", "assetIds": [archived],
              "albumUsers": [{"userId": member.user_id, "role": "viewer"}]},
    )  # fmt: skip
    album_id = resp.json()["id"]

    # Partners: timeline assets only.
    assert archive(partner.http, [shown]) == {"starfish.jpg": shown_bytes}
    denied = assert_error_body(partner.http.post("/api/download/info", json={"assetIds": [archived]}), 400)
    assert denied["message"] == "Not found or no asset.download access"
    assert_error_body(partner.http.post("/api/download/archive", json={"assetIds": [shown, archived]}), 400)
    # Album members: the album's assets, archived ones too.
    assert [a["assetIds"] for a in info(member.http, {"albumId": album_id})["archives"]] == [[archived]]
    assert archive(member.http, [archived]) == {"sony-alpha-6000.jpg": archived_bytes}
    assert_error_body(member.http.post("/api/download/archive", json={"assetIds": [shown]}), 400)
    # Others: nothing; a user's whole library is its own to download only.
    body = assert_error_body(stranger.http.post("/api/download/info", json={"albumId": album_id}), 400)
    assert body["message"] == "Not found or no album.download access"
    body = assert_error_body(partner.http.post("/api/download/info", json={"userId": owner.user_id}), 400)
    assert body["message"] == "Not found or no timeline.download access"
    assert_error_body(stranger.http.post("/api/download/archive", json={"assetIds": [shown]}), 400)
    assert_error_body(httpx.post(f"{server.url}/api/download/archive", json={"assetIds": [shown]}), 401)

    def key(permission: str) -> dict[str, str]:
        resp = owner.http.post("/api/api-keys", json={"name": permission, "permissions": [permission]})
        return {"x-api-key": resp.json()["secret"]}

    allowed, other = key("asset.download"), key("asset.read")
    body = {"assetIds": [shown]}
    assert httpx.post(f"{server.url}/api/download/info", json=body, headers=allowed).status_code == 201
    assert httpx.post(f"{server.url}/api/download/archive", json=body, headers=allowed).status_code == 200
    assert_error_body(httpx.post(f"{server.url}/api/download/archive", json=body, headers=other), 403)


def test_bad_input(server: LiveServer) -> None:
    user = new_client(server, "bad")
    body = assert_error_body(user.http.post("/api/download/info", json={}), 400)
    assert body["message"] == "assetIds, albumId, or userId is required"
    bad_info: list[dict[str, Any]] = [{"assetIds": ["x"]}, {"albumId": 5}, {"userId": None},
                                      {"assetIds": [], "archiveSize": 0}]  # fmt: skip
    for bad in bad_info:
        assert_error_body(user.http.post("/api/download/info", json=bad), 400)
    bad_archive: list[dict[str, Any]] = [{}, {"assetIds": "x"}, {"assetIds": [str(uuid.uuid4())]},
                                         {"assetIds": [], "edited": "yes"}]  # fmt: skip
    for bad in bad_archive:
        assert_error_body(user.http.post("/api/download/archive", json=bad), 400)


@pytest.mark.parametrize(
    ("name", "safe"),
    [("a/b:c*.jpg", "abc.jpg"), ("..", "unnamed"), ("CON.txt", "unnamed"), ("photo. ", "photo"),
     ("ok.jpg", "ok.jpg"), ("é" * 200, "é" * 127)],
)  # fmt: skip
def test_safe_names(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_numbered_names() -> None:
    assert [numbered("IMG.jpg", 1), numbered("README", 2), numbered(".hidden", 1)] == [
        "IMG+1.jpg", "README+2", ".hidden+1"
    ]  # fmt: skip
