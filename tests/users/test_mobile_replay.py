"""The Immich mobile app's calls around users, replayed as the app makes them.

The app logs in, loads `GET /users/me` with its preferences, syncs with its list of types
(acking the last line of each run of same-type lines), uploads an avatar as a multipart
`file` named `profile-picture.png` and reads `profileImagePath` from the answer, lists users
for its share pickers with `GET /users`, and loads avatars from `/users/{id}/profile-image`.
Its local database has a foreign key from every asset to its owner's user row, so every
owner of a synced asset must have come through `UsersV1`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import httpx
from PIL import Image

from tests.assets.helpers import PHOTOS
from tests.assets.helpers import upload as upload_asset
from tests.contract import assert_matches
from tests.support import LiveServer, login
from tests.sync.v2.helpers import validate_line

APP_TYPES = [
    *("AuthUsersV1", "UsersV1", "AssetsV1", "AssetExifsV1", "AssetMetadataV1", "PartnersV1"),
    *("PartnerAssetsV1", "PartnerAssetExifsV1", "AlbumsV1", "AlbumUsersV1", "AlbumAssetsV1"),
    *("AlbumAssetExifsV1", "AlbumToAssetsV1", "MemoriesV1", "MemoryToAssetsV1", "StacksV1"),
    *("PartnerStacksV1", "UserMetadataV1", "PeopleV1", "AssetFacesV2"),
]
ASSET_TYPES = {
    *("AssetV1", "PartnerAssetV1", "PartnerAssetBackfillV1"),
    *("AlbumAssetCreateV1", "AlbumAssetUpdateV1", "AlbumAssetBackfillV1"),
}


@dataclass
class App:
    """The app's view of the server: its user and asset tables, kept by applying sync lines."""

    http: httpx.Client
    me: str = ""
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    asset_owners: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        me, preferences = self.http.get("/api/users/me"), self.http.get("/api/users/me/preferences")
        assert me.status_code == preferences.status_code == 200
        assert_matches("UserAdminResponseDto", me.json())
        self.me = me.json()["id"]

    def sync(self) -> list[dict[str, Any]]:
        resp = self.http.post("/api/sync/stream", json={"types": APP_TYPES, "reset": False})
        assert resp.status_code == 200, resp.text
        lines = [httpx.Response(200, content=raw).json() for raw in resp.content.splitlines()]
        batch: list[dict[str, Any]] = []
        for item in [*lines, None]:
            if batch and (item is None or item["type"] != batch[0]["type"]):
                self._apply(batch)
                ack = self.http.post("/api/sync/ack", json={"acks": [batch[-1]["ack"]]})
                assert ack.status_code == 204, ack.text
                batch = []
            if item is not None:
                validate_line(item)
                batch.append(item)
        return lines

    def _apply(self, batch: list[dict[str, Any]]) -> None:
        kind = batch[0]["type"]
        for item in batch:
            data = item["data"]
            if kind == "UserV1":
                self.users[data["id"]] = data
            elif kind == "UserDeleteV1":
                self.users.pop(data["userId"], None)
                self.asset_owners = {a: o for a, o in self.asset_owners.items() if o != data["userId"]}
            elif kind in ASSET_TYPES:
                assert data["ownerId"] in self.users, f"{kind} of an owner the app has no user row for"
                self.asset_owners[data["id"]] = data["ownerId"]

    def set_avatar(self, content: bytes) -> str:
        files = {"file": ("profile-picture.png", content)}
        resp = self.http.post("/api/users/profile-image", files=files)
        assert resp.status_code == 201, resp.text
        return str(resp.json()["profileImagePath"])


def app_for(server: LiveServer, name: str) -> App:
    _id, email, _token = server.new_user(name)
    with server.client() as anonymous:
        token = login(anonymous, email, "pw-123456")
    app = App(server.client(token))
    app.start()
    return app


def test_mobile_app_flow(server: LiveServer) -> None:
    alice, bob, dave = app_for(server, "alice"), app_for(server, "bob"), app_for(server, "dave")
    assert dave.http.post(f"/api/partners/{bob.me}").status_code == 201
    asset = upload_asset(dave.http, PHOTOS / "piexif/02.jpg")
    assert asset.status_code == 201, asset.text
    album = bob.http.post(
        "/api/albums",
        json={"albumName": "Trip", "assetIds": [asset.json()["id"]], "albumUsers": [{"userId": alice.me}]},
    )
    assert album.status_code == 201, album.text

    alice.sync()
    assert alice.asset_owners == {asset.json()["id"]: dave.me}, "dave is known though only bob's partner"
    assert {alice.me, bob.me, dave.me} <= set(alice.users)
    picker = alice.http.get("/api/users")
    assert {alice.me, bob.me, dave.me} <= {u["id"] for u in picker.json()}

    out = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 40, 40)).save(out, "PNG")
    path = bob.set_avatar(out.getvalue())
    assert path and bob.http.get("/api/users/me").json()["profileImagePath"] == path
    alice.sync()
    assert alice.users[bob.me]["hasProfileImage"] is True
    avatar = alice.http.get(f"/api/users/{bob.me}/profile-image")
    assert avatar.status_code == 200 and avatar.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(avatar.content)).size == (300, 300)
    assert [line["type"] for line in alice.sync()] == ["SyncCompleteV1"]
