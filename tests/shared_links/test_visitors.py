"""Visitors of shared links over real HTTP: what a link lets them see and do, and nothing more.

One library is built per backend: the owner's album (a photo, a video, an archived photo, and
a photo trashed and one moved to the locked folder after they were added), a photo outside it,
another user's photo, and links on the album and on the single outside photo. Every asset id
is then tried through every read path with every link.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.assets.helpers import wait_for_jobs
from tests.contract import assert_error_body, assert_matches
from tests.shared_links.helpers import (
    PHOTO,
    VIDEO,
    create_album,
    create_link,
    upload_photo,
    user,
    visitor,
)
from tests.support import LiveServer

PATHS = ("info", "thumbnail", "original", "playback")
ACTION = {"info": "read", "thumbnail": "view", "original": "download", "playback": "view"}


@dataclass
class Library:
    server: LiveServer
    owner_id: str = ""
    owner: httpx.Client = field(default_factory=httpx.Client)
    stranger: httpx.Client = field(default_factory=httpx.Client)
    ids: dict[str, str] = field(default_factory=dict)
    album_id: str = ""
    links: dict[str, dict[str, Any]] = field(default_factory=dict)

    def visitor(self, link: str) -> httpx.Client:
        return visitor(self.server, key=self.links[link]["key"])


@pytest.fixture(scope="module")
def library(server: LiveServer) -> Iterator[Library]:
    lib = Library(server)
    lib.owner_id, lib.owner = user(server, "owner")
    _stranger_id, lib.stranger = user(server, "stranger")
    ids = lib.ids
    ids["photo"] = upload_photo(lib.owner)
    ids["video"] = upload_photo(lib.owner, VIDEO)
    ids["archived"] = upload_photo(lib.owner, visibility="archive")
    ids["trashed"] = upload_photo(lib.owner)
    ids["locked"] = upload_photo(lib.owner)
    ids["outside"] = upload_photo(lib.owner)
    ids["single"] = upload_photo(lib.owner)
    ids["stranger"] = upload_photo(lib.stranger)
    in_album = [ids[k] for k in ("photo", "video", "archived", "trashed", "locked")]
    lib.album_id = create_album(lib.owner, in_album)
    wait_for_jobs(server)
    # Moving into the locked folder needs a PIN-unlocked session, as in Immich.
    assert lib.owner.post("/api/auth/pin-code", json={"pinCode": "123456"}).status_code == 204
    assert lib.owner.post("/api/auth/session/unlock", json={"pinCode": "123456"}).status_code == 204
    locked = lib.owner.put(f"/api/assets/{ids['locked']}", json={"visibility": "locked"})
    assert locked.status_code == 200, locked.text
    assert lib.owner.request("DELETE", "/api/assets", json={"ids": [ids["trashed"]]}).status_code == 204
    lib.links["album"] = create_link(lib.owner, type="ALBUM", albumId=lib.album_id, allowUpload=False)
    lib.links["single"] = create_link(lib.owner, type="INDIVIDUAL", assetIds=[ids["single"]])
    yield lib
    lib.owner.close()
    lib.stranger.close()


SHOWN = {"album": ("photo", "video", "archived"), "single": ("single",)}
EVERY_ID = ("photo", "video", "archived", "trashed", "locked", "outside", "single", "stranger", "missing")


def _url(asset_id: str, path: str) -> str:
    base = f"/api/assets/{asset_id}"
    return {"info": base, "thumbnail": f"{base}/thumbnail", "original": f"{base}/original",
            "playback": f"{base}/video/playback"}[path]  # fmt: skip


@pytest.mark.parametrize("link", ("album", "single"))
def test_a_link_reads_exactly_its_assets(library: Library, link: str) -> None:
    """Every asset id through every read path: the link's own assets answer, every other id
    (the owner's unshared, trashed or locked ones, another user's, a missing one) is a 400."""
    with library.visitor(link) as client:
        for name in EVERY_ID:
            asset_id = library.ids.get(name, str(uuid.uuid4()))
            for path in PATHS:
                resp = client.get(_url(asset_id, path), headers={"range": "bytes=0-99"})
                if name in SHOWN[link] and (path != "playback" or name == "video"):
                    assert resp.status_code in (200, 206), (name, path, resp.text[:200])
                    if path == "info":
                        assert_matches("AssetResponseDto", resp.json())
                        assert resp.json()["id"] == asset_id
                elif name in SHOWN[link]:
                    assert resp.status_code == 404, (name, path)  # an image has no playback
                else:
                    body = assert_error_body(resp, 400)
                    assert body["message"] == f"Not found or no asset.{ACTION[path]} access", (name, path)


def test_a_visitor_sees_the_album_without_its_hidden_assets(library: Library) -> None:
    with library.visitor("album") as client:
        resp = client.get(f"/api/albums/{library.album_id}")
        assert resp.status_code == 200, resp.text
        listed = {a["id"] for a in resp.json()["assets"]}
        assert listed == {library.ids[k] for k in SHOWN["album"]}
        assert client.get(f"/api/albums/{uuid.uuid4()}").status_code == 400
        other_album = create_album(library.owner, [library.ids["outside"]], name="private")
        denied = client.get(f"/api/albums/{other_album}")
        assert assert_error_body(denied, 400)["message"] == "Not found or no album.read access"
    with library.visitor("single") as client:
        assert client.get(f"/api/albums/{library.album_id}").status_code == 400


ROUTES_REFUSED = [
    ("GET", "/api/albums", None),
    ("GET", "/api/users/me", None),
    ("GET", "/api/shared-links", None),
    ("POST", "/api/shared-links", {"type": "ALBUM", "albumId": "{album}"}),
    ("GET", "/api/activities?albumId={album}", None),
    ("POST", "/api/sync/stream", {"types": ["AssetsV1"]}),
    ("POST", "/api/sync/full-sync", {"limit": 10, "updatedUntil": "2030-01-01T00:00:00.000Z"}),
    ("POST", "/api/sync/delta-sync", {"updatedAfter": "2020-01-01T00:00:00.000Z", "userIds": []}),
    ("PUT", "/api/assets/{photo}", {"isFavorite": True}),
    ("DELETE", "/api/assets", {"ids": ["{photo}"]}),
    ("PATCH", "/api/albums/{album}", {"albumName": "x"}),
    ("DELETE", "/api/albums/{album}", None),
    ("DELETE", "/api/albums/{album}/assets", {"ids": ["{photo}"]}),
    ("GET", "/api/assets/statistics", None),
    ("GET", "/api/partners?direction=shared-by", None),
    ("POST", "/api/api-keys", {"name": "k", "permissions": ["all"]}),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES_REFUSED)
def test_a_visitor_gets_nothing_else(library: Library, method: str, path: str, body: Any) -> None:
    """Every route that is not a shared-link route answers a visitor 403, as Immich does."""

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("{album}", library.album_id).replace("{photo}", library.ids["photo"])
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    with library.visitor("album") as client:
        resp = client.request(method, fill(path), json=fill(body))
    assert assert_error_body(resp, 403)["message"] == "Forbidden"
    info = library.owner.get(f"/api/albums/{library.album_id}")
    assert info.status_code == 200 and info.json()["albumName"] == "shared"


def test_keys_slugs_expiry_and_revocation(library: Library) -> None:
    server, owner = library.server, library.owner
    slug = f"trip-{uuid.uuid4().hex[:8]}"
    link = create_link(owner, type="ALBUM", albumId=library.album_id, slug=slug)
    with visitor(server, slug=slug) as client:
        me = client.get("/api/shared-links/me")
        assert me.status_code == 200, me.text
        assert_matches("SharedLinkResponseDto", me.json())
        assert me.json()["id"] == link["id"] and me.json()["album"]["id"] == library.album_id
    raw = bytes(__import__("base64").urlsafe_b64decode(link["key"] + "=="))
    with visitor(server, key=raw.hex()) as client:  # the 100-character hex form works too
        assert client.get("/api/shared-links/me").status_code == 200
    for key in (link["key"][:-2] + "AA", "not base64!", "", "x" * 100):
        with httpx.Client(base_url=server.url, timeout=60) as client:
            resp = client.get("/api/shared-links/me", params={"key": key} if key else {})
        assert resp.status_code == 401, (key, resp.text)
    with visitor(server, slug="no-such-slug") as client:
        bad = client.get("/api/shared-links/me")
    assert assert_error_body(bad, 401)["message"] == "Invalid share slug"
    with httpx.Client(base_url=server.url, headers={"x-immich-share-key": link["key"]}, timeout=60) as client:
        assert client.get("/api/shared-links/me").status_code == 200

    past = owner.patch(f"/api/shared-links/{link['id']}", json={"expiresAt": "2020-01-01T00:00:00.000Z"})
    assert past.status_code == 200
    with visitor(server, key=link["key"]) as client:
        for resp in (
            client.get("/api/shared-links/me"),
            client.get(f"/api/assets/{library.ids['photo']}/thumbnail"),
        ):
            assert assert_error_body(resp, 401)["message"] == "Invalid share key"
    assert owner.delete(f"/api/shared-links/{link['id']}").status_code == 204
    with visitor(server, key=link["key"]) as client:
        assert client.get(f"/api/assets/{library.ids['photo']}").status_code == 401
    # A session alone is no link: the visitor routes refuse it.
    assert assert_error_body(owner.get("/api/shared-links/me"), 403)["message"] == "Forbidden"
    assert owner.post("/api/shared-links/login", json={"password": "x"}).status_code == 403


def test_password_protected_link_replays_the_web_visit(library: Library) -> None:
    """The web app's visit of a password-protected album link: `me` asks for the password, the
    login sets the cookie, then the album, its thumbnails, an asset and its original load."""
    server, ids = library.server, library.ids
    link = create_link(library.owner, type="ALBUM", albumId=library.album_id, password="open sesame")
    with visitor(server, key=link["key"]) as client:
        asked = client.get("/api/shared-links/me")
        assert assert_error_body(asked, 401)["message"] == "Password required"
        early = client.get(f"/api/assets/{ids['photo']}/thumbnail")
        assert assert_error_body(early, 401)["message"] == "Password required"
        wrong = client.post("/api/shared-links/login", json={"password": "open barley"})
        assert assert_error_body(wrong, 401)["message"] == "Invalid password"
        assert_error_body(client.post("/api/shared-links/login", json={}), 400)

        login = client.post("/api/shared-links/login", json={"password": "open sesame"})
        assert login.status_code == 201, login.text
        assert_matches("SharedLinkResponseDto", login.json())
        cookie = login.headers["set-cookie"]
        assert "immich_shared_link_token=" in cookie and "HttpOnly" in cookie and "Max-Age=86400" in cookie
        assert client.cookies.get("immich_shared_link_token")

        me = client.get("/api/shared-links/me")
        assert me.status_code == 200, me.text
        assert me.json()["album"]["id"] == library.album_id and me.json()["assets"] == []
        album = client.get(f"/api/albums/{library.album_id}", params={"withoutAssets": "true"})
        assert album.status_code == 200 and album.json()["assetCount"] == len(SHOWN["album"])
        months = client.get("/api/timeline/buckets", params={"albumId": library.album_id})
        assert months.status_code == 200, months.text
        album = client.get(f"/api/albums/{library.album_id}")
        assert album.status_code == 200
        for asset in album.json()["assets"]:
            thumb = client.get(f"/api/assets/{asset['id']}/thumbnail", params={"size": "thumbnail"})
            assert thumb.status_code == 200 and thumb.headers["content-type"].startswith("image/")
        info = client.get(f"/api/assets/{ids['photo']}")
        assert info.status_code == 200 and info.json()["originalFileName"] == PHOTO.name
        original = client.get(f"/api/assets/{ids['photo']}/original")
        assert (
            original.status_code == 200 and original.content[: len(PHOTO.read_bytes())] == PHOTO.read_bytes()
        )
        played = client.get(f"/api/assets/{ids['video']}/video/playback", headers={"range": "bytes=0-9"})
        assert played.status_code == 206 and len(played.content) == 10

    with visitor(server, key=link["key"]) as client:
        client.cookies.set("immich_shared_link_token", "forged")
        assert client.get(f"/api/assets/{ids['photo']}").status_code == 401
        legacy = client.get("/api/shared-links/me", params={"password": "open sesame"})
        assert legacy.status_code == 200, legacy.text
        assert client.get(f"/api/assets/{ids['photo']}").status_code == 200
    with library.visitor("album") as client:
        unprotected = client.post("/api/shared-links/login", json={"password": "x"})
        assert assert_error_body(unprotected, 400)["message"] == "Shared link is not password protected"


def test_downloads_and_metadata_follow_the_link(library: Library) -> None:
    ids, owner = library.ids, library.owner
    no_download = create_link(owner, type="ALBUM", albumId=library.album_id, allowDownload=False)
    hidden = create_link(owner, type="INDIVIDUAL", assetIds=[ids["single"]], showMetadata=False)
    assert hidden["allowDownload"] is False
    with visitor(library.server, key=no_download["key"]) as client:
        refused = client.get(f"/api/assets/{ids['photo']}/original")
        assert assert_error_body(refused, 400)["message"] == "Not found or no asset.download access"
        assert client.get(f"/api/assets/{ids['photo']}/thumbnail").status_code == 200
        shown = client.get(f"/api/assets/{ids['photo']}").json()
        assert shown["originalFileName"] == PHOTO.name and shown["hasMetadata"] is True
    with visitor(library.server, key=hidden["key"]) as client:
        me = client.get("/api/shared-links/me").json()
        info = client.get(f"/api/assets/{ids['single']}").json()
        assert client.get(f"/api/assets/{ids['single']}/original").status_code == 400
        assert client.get(f"/api/assets/{ids['single']}/thumbnail").status_code == 200
    # The asset info route adds the asset's tags after rendering; this asset has none.
    assert info.pop("tags", []) == []
    for asset in (me["assets"][0], info):
        assert asset["id"] == ids["single"] and asset["hasMetadata"] is False
        assert set(asset) <= {"id", "type", "thumbhash", "localDateTime", "duration", "livePhotoVideoId",
                              "hasMetadata", "width", "height", "originalMimeType"}  # fmt: skip
    # The owner still sees everything about the same link, also on a connection a visitor used.
    owned = owner.get(f"/api/shared-links/{hidden['id']}").json()
    assert owned["assets"][0]["originalFileName"] == PHOTO.name
    token = owner.headers["authorization"]
    with httpx.Client(base_url=library.server.url, timeout=60) as shared_connection:
        as_visitor = shared_connection.get(f"/api/assets/{ids['single']}", params={"key": hidden["key"]})
        as_owner = shared_connection.get(f"/api/assets/{ids['single']}", headers={"authorization": token})
    assert as_visitor.json()["hasMetadata"] is False and "originalFileName" not in as_visitor.json()
    assert as_owner.json()["hasMetadata"] is True and as_owner.json()["originalFileName"] == PHOTO.name


def test_uploads_through_a_link(library: Library) -> None:
    server, owner, ids = library.server, library.owner, library.ids
    album_id = create_album(owner, [upload_photo(owner)], name="guests")
    closed = create_link(owner, type="ALBUM", albumId=album_id, allowUpload=False)
    opened = create_link(owner, type="ALBUM", albumId=album_id, allowUpload=True)
    single = create_link(owner, type="INDIVIDUAL", assetIds=[ids["single"]], allowUpload=True)

    def count() -> int:
        return int(owner.get(f"/api/albums/{album_id}").json()["assetCount"])

    with visitor(server, key=closed["key"]) as client:
        refused = client.post(
            "/api/assets", data={"deviceAssetId": "x"}, files={"assetData": ("a.jpg", b"x")}
        )
        assert refused.status_code == 401, refused.text
    with visitor(server, key=opened["key"]) as client:
        uploaded = upload_photo(client)
        assert count() == 2
        assert client.get(f"/api/assets/{uploaded}").status_code == 200
        mine = owner.get(f"/api/assets/{uploaded}").json()
        assert mine["ownerId"] == library.owner_id
        added = client.put(f"/api/albums/{album_id}/assets", json={"ids": [uploaded, ids["outside"]]})
        assert added.status_code == 200, added.text
        assert [r.get("error") for r in added.json()] == ["duplicate", "no_permission"]
        assert count() == 2
        locked = client.post(
            "/api/assets",
            data={
                "deviceAssetId": "l",
                "deviceId": "web",
                "fileCreatedAt": "2024-01-01T00:00:00.000Z",
                "fileModifiedAt": "2024-01-01T00:00:00.000Z",
                "visibility": "locked",
            },
            files={"assetData": ("l.jpg", PHOTO.read_bytes() + uuid.uuid4().bytes)},
        )
        assert locked.status_code == 400, locked.text
        assert count() == 2
        other = client.put(f"/api/shared-links/{single['id']}/assets", json={"assetIds": [uploaded]})
        assert assert_error_body(other, 400)["message"] == "Shared link not found"
    with visitor(server, key=single["key"]) as client:
        uploaded_single = upload_photo(client)
        linked = owner.get(f"/api/shared-links/{single['id']}").json()
        assert {a["id"] for a in linked["assets"]} == {ids["single"], uploaded_single}
        confirm = client.put(
            f"/api/shared-links/{single['id']}/assets", json={"assetIds": [uploaded_single, ids["outside"]]}
        )
        assert [r.get("error") for r in confirm.json()] == ["duplicate", "no_permission"]
        assert client.get(f"/api/assets/{uploaded_single}").status_code == 200
        assert client.get(f"/api/assets/{ids['outside']}").status_code == 400


def test_album_timeline_and_downloads_through_a_link(library: Library) -> None:
    """The web app lists an album link's assets by month and downloads them as an archive: both
    answer for the link's album only, and downloads only when the link allows them."""
    ids, album_id = library.ids, library.album_id
    with library.visitor("album") as client:
        buckets = client.get("/api/timeline/buckets", params={"albumId": album_id})
        assert buckets.status_code == 200, buckets.text
        assert sum(b["count"] for b in buckets.json()) >= 1
        for params in ({}, {"albumId": str(uuid.uuid4())}, {"userId": library.owner_id}):
            assert client.get("/api/timeline/buckets", params=params).status_code == 400, params
        info = client.post("/api/download/info", json={"albumId": album_id})
        assert info.status_code == 201, info.text
        assert info.json()["totalSize"] > 0
        for body in (
            {"assetIds": [ids["outside"]]},
            {"assetIds": [ids["trashed"]]},
            {"userId": library.owner_id},
        ):
            assert client.post("/api/download/info", json=body).status_code == 400, body
        zipped = client.post("/api/download/archive", json={"assetIds": [ids["photo"]]})
        assert zipped.status_code == 200 and zipped.content[:2] == b"PK"
        assert client.post("/api/download/archive", json={"assetIds": [ids["outside"]]}).status_code == 400
    no_download = create_link(library.owner, type="ALBUM", albumId=album_id, allowDownload=False)
    with visitor(library.server, key=no_download["key"]) as client:
        assert client.post("/api/download/info", json={"albumId": album_id}).status_code == 400
        assert client.post("/api/download/archive", json={"assetIds": [ids["photo"]]}).status_code == 400


def test_the_motion_part_of_a_shared_live_photo_plays(library: Library) -> None:
    """A live photo's video is hidden; a link showing the photo plays it, and no other video."""
    owner = library.owner
    motion = upload_photo(owner, VIDEO)
    still = upload_photo(owner, livePhotoVideoId=motion)
    lone = upload_photo(owner, VIDEO, visibility="hidden")
    assert owner.get(f"/api/assets/{motion}").json()["visibility"] == "hidden"
    link = create_link(owner, type="INDIVIDUAL", assetIds=[still])
    with visitor(library.server, key=link["key"]) as client:
        assert client.get(f"/api/assets/{still}").json()["livePhotoVideoId"] == motion
        played = client.get(f"/api/assets/{motion}/video/playback", headers={"range": "bytes=0-9"})
        assert played.status_code == 206, played.text
        assert client.get(f"/api/assets/{lone}/video/playback").status_code == 400


def test_a_link_that_hides_metadata_hides_places_in_the_timeline(library: Library) -> None:
    """Timeline months seen through a link without metadata carry no place and no coordinates,
    like the asset info it gives; the owner's view of the same month keeps them."""
    owner, album_id = library.owner, library.album_id
    hidden = create_link(owner, type="ALBUM", albumId=album_id, showMetadata=False)
    params = {"albumId": album_id, "withCoordinates": "true"}
    month = owner.get("/api/timeline/buckets", params={"albumId": album_id}).json()[0]["timeBucket"]
    owned = owner.get("/api/timeline/bucket", params={**params, "timeBucket": month})
    assert owned.status_code == 200 and "latitude" in owned.json()
    with visitor(library.server, key=hidden["key"]) as client:
        seen = client.get("/api/timeline/bucket", params={**params, "timeBucket": month})
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["id"] == owned.json()["id"] and body["id"]
    assert "latitude" not in body and "longitude" not in body
    assert body["city"] == [None] * len(body["id"]) == body["country"]
