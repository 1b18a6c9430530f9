"""Albums API over HTTP: Immich's AlbumResponseDto shape, filters, updates and access rules."""

from __future__ import annotations

import copy
import uuid
from functools import cache
from typing import Any

import jsonschema

from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import definitions, new_client


@cache
def _validator() -> jsonschema.Draft7Validator:
    schema = copy.copy(definitions()["AlbumResponseDto"])
    schema["definitions"] = definitions()
    return jsonschema.Draft7Validator(schema)


def check(album: dict[str, Any]) -> dict[str, Any]:
    _validator().validate(album)
    return album


def test_album_lifecycle_and_shapes(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    first, second = builder.insert(uuid.UUID(bob.user_id)), builder.insert(uuid.UUID(bob.user_id))
    resp = bob.http.post(
        "/api/albums", json={"albumName": "Holiday", "description": "sea", "assetIds": [str(first)]}
    )
    assert resp.status_code == 201, resp.text
    album = check(resp.json())
    assert (album["albumName"], album["assetCount"], album["shared"]) == ("Holiday", 1, False)
    assert album["albumThumbnailAssetId"] == str(first)
    assert album["ownerId"] == bob.user_id and album["owner"]["id"] == bob.user_id
    album_id = album["id"]
    patched = bob.http.patch(
        f"/api/albums/{album_id}", json={"albumName": "Sea", "order": "asc", "isActivityEnabled": False}
    )
    assert patched.status_code == 200
    assert (patched.json()["albumName"], patched.json()["order"], patched.json()["isActivityEnabled"]) == (
        "Sea",
        "asc",
        False,
    )
    bad_thumb = bob.http.patch(f"/api/albums/{album_id}", json={"albumThumbnailAssetId": str(second)})
    assert bad_thumb.status_code == 400
    assert (
        bob.http.put(f"/api/albums/{album_id}/assets", json={"ids": [str(second)]}).json()[0]["success"]
        is True
    )
    shared = bob.http.put(
        f"/api/albums/{album_id}/users", json={"albumUsers": [{"userId": alice.user_id, "role": "viewer"}]}
    )
    assert check(shared.json())["albumUsers"] == [
        {"role": "viewer", "user": {**shared.json()["albumUsers"][0]["user"], "id": alice.user_id}}
    ]
    full = check(alice.http.get(f"/api/albums/{album_id}").json())
    assert sorted(a["id"] for a in full["assets"]) == sorted([str(first), str(second)])
    assert (
        check(alice.http.get(f"/api/albums/{album_id}", params={"withoutAssets": "true"}).json())["assets"]
        == []
    )
    assert [a["id"] for a in alice.http.get("/api/albums", params={"shared": "true"}).json()] == [album_id]
    assert alice.http.get("/api/albums", params={"shared": "false"}).json() == []
    by_asset = bob.http.get("/api/albums", params={"assetId": str(second)}).json()
    assert [check(a)["id"] for a in by_asset] == [album_id]
    assert alice.http.patch(f"/api/albums/{album_id}", json={"albumName": "x"}).status_code == 400
    assert alice.http.delete(f"/api/albums/{album_id}").status_code == 400
    assert bob.http.delete(f"/api/albums/{album_id}").status_code == 204
    assert alice.http.get(f"/api/albums/{album_id}").status_code == 400


def test_bad_album_input(server: LiveServer) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    assert alice.http.post("/api/albums", json={}).status_code == 400
    assert alice.http.post("/api/albums", json={"albumName": "x", "assetIds": ["nope"]}).status_code == 400
    assert (
        alice.http.post("/api/albums", json={"albumName": "x", "assetIds": [str(uuid.uuid4())]}).status_code
        == 400
    )
    own = alice.http.post(
        "/api/albums", json={"albumName": "x", "albumUsers": [{"userId": alice.user_id, "role": "editor"}]}
    )
    assert own.status_code == 400
    album_id = alice.http.post("/api/albums", json={"albumName": "x"}).json()["id"]
    assert alice.http.get("/api/albums/not-a-uuid").status_code == 400
    assert alice.http.put(f"/api/albums/{album_id}/users", json={"albumUsers": []}).status_code == 400
    role = alice.http.put(f"/api/albums/{album_id}/user/{bob.user_id}", json={"role": "owner"})
    assert role.status_code == 400
    assert alice.http.delete(f"/api/albums/{album_id}/user/{alice.user_id}").status_code == 400
    assert bob.http.get(f"/api/albums/{album_id}").status_code == 400
    body = bob.http.get(f"/api/albums/{album_id}").json()
    assert set(body) == {"message", "error", "statusCode", "correlationId"}
