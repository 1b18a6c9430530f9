"""Album streams: albums, members, album-to-asset links, album assets and exif, sharing and unsharing."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import SyncClient, new_client, of_type, types_of

ALBUM_TYPES = ["AlbumAssetsV1", "AlbumsV1", "AlbumUsersV1", "AlbumToAssetsV1", "AlbumAssetExifsV1"]


def create_album(
    owner: SyncClient, assets: list[uuid.UUID], members: list[SyncClient] | None = None, role: str = "editor"
) -> str:
    payload: dict[str, Any] = {"albumName": "Trip", "assetIds": [str(a) for a in assets]}
    if members:
        payload["albumUsers"] = [{"userId": m.user_id, "role": role} for m in members]
    resp = owner.http.post("/api/albums", json=payload)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def add_assets(client: SyncClient, album_id: str, assets: list[uuid.UUID]) -> list[dict[str, Any]]:
    resp = client.http.put(f"/api/albums/{album_id}/assets", json={"ids": [str(a) for a in assets]})
    assert resp.status_code == 200, resp.text
    result: list[dict[str, Any]] = resp.json()
    return result


def test_shared_album_first_sync(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    asset_id = builder.insert(uuid.UUID(bob.user_id), exif=True)
    album_id = create_album(bob, [asset_id], [alice])
    lines = alice.sync(ALBUM_TYPES)
    assert types_of(lines) == [
        "SyncAckV1", "AlbumAssetCreateV1", "AlbumV1", "AlbumUserV1", "AlbumToAssetV1",
        "SyncAckV1", "AlbumAssetExifCreateV1", "SyncCompleteV1",
    ]  # fmt: skip
    assert lines[0]["ack"].startswith("AlbumAssetUpdateV1|")
    assert of_type(lines, "AlbumV1")[0]["id"] == album_id
    assert of_type(lines, "AlbumUserV1") == [{"albumId": album_id, "userId": alice.user_id, "role": "editor"}]
    assert of_type(lines, "AlbumToAssetV1") == [{"albumId": album_id, "assetId": str(asset_id)}]
    assert types_of(alice.stream(ALBUM_TYPES)) == ["SyncCompleteV1"]


def test_album_asset_create_update_split(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    owner = uuid.UUID(bob.user_id)
    first, old = builder.insert(owner), builder.insert(owner)
    album_id = create_album(bob, [first], [alice])
    alice.sync(ALBUM_TYPES)
    builder.update([first], is_favorite=True)
    add_assets(bob, album_id, [old])
    lines = alice.sync(["AlbumAssetsV1"])
    assert [a["id"] for a in of_type(lines, "AlbumAssetUpdateV1")] == [str(first)]
    assert [a["id"] for a in of_type(lines, "AlbumAssetCreateV1")] == [str(old)]
    assert types_of(alice.stream(["AlbumAssetsV1"])) == ["SyncCompleteV1"]


def test_backfill_when_an_album_is_shared_later(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    owner = uuid.UUID(bob.user_id)
    old = builder.insert(owner, exif=True)
    late = create_album(bob, [old])
    create_album(bob, [builder.insert(owner, exif=True)], [alice])
    alice.sync(ALBUM_TYPES)
    assert (
        bob.http.put(
            f"/api/albums/{late}/users", json={"albumUsers": [{"userId": alice.user_id}]}
        ).status_code
        == 200
    )
    lines = alice.sync(ALBUM_TYPES)
    assert of_type(lines, "AlbumToAssetBackfillV1") == [{"albumId": late, "assetId": str(old)}]
    assert of_type(lines, "AlbumUserV1") == [{"albumId": late, "userId": alice.user_id, "role": "editor"}]
    assert [a["id"] for a in of_type(lines, "AlbumAssetBackfillV1")] == [str(old)]
    assert [e["assetId"] for e in of_type(lines, "AlbumAssetExifBackfillV1")] == [str(old)]
    assert [a["id"] for a in of_type(lines, "AlbumV1")] == [late]
    assert types_of(alice.stream(ALBUM_TYPES)) == ["SyncCompleteV1"]


def test_unshare_and_album_delete_are_album_deletes(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob, carol = new_client(server, "alice"), new_client(server, "bob"), new_client(server, "carol")
    album_id = create_album(bob, [builder.insert(uuid.UUID(bob.user_id))], [alice, carol])
    for client in (alice, bob, carol):
        client.sync(ALBUM_TYPES)
    assert bob.http.delete(f"/api/albums/{album_id}/user/{alice.user_id}").status_code == 204
    assert of_type(alice.sync(ALBUM_TYPES), "AlbumDeleteV1") == [{"albumId": album_id}]
    assert of_type(bob.sync(ALBUM_TYPES), "AlbumUserDeleteV1") == [
        {"albumId": album_id, "userId": alice.user_id}
    ]
    assert carol.http.delete(f"/api/albums/{album_id}/user/me").status_code == 204
    assert of_type(carol.sync(ALBUM_TYPES), "AlbumDeleteV1") == [{"albumId": album_id}]
    other = create_album(bob, [], [alice])
    alice.sync(ALBUM_TYPES)
    assert bob.http.delete(f"/api/albums/{other}").status_code == 204
    for client in (alice, bob):
        lines = client.sync(ALBUM_TYPES)
        assert {"albumId": other} in of_type(lines, "AlbumDeleteV1")
        assert "AlbumToAssetDeleteV1" not in types_of(lines)


def test_link_deletes(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    owner = uuid.UUID(bob.user_id)
    removed, deleted = builder.insert(owner), builder.insert(owner)
    album_id = create_album(bob, [removed, deleted], [alice])
    alice.sync(ALBUM_TYPES)
    resp = bob.http.request("DELETE", f"/api/albums/{album_id}/assets", json={"ids": [str(removed)]})
    assert resp.json() == [{"id": str(removed), "success": True}]
    builder.delete([deleted])
    lines = alice.sync(["AlbumToAssetsV1"])
    assert of_type(lines, "AlbumToAssetDeleteV1") == [
        {"albumId": album_id, "assetId": str(removed)},
        {"albumId": album_id, "assetId": str(deleted)},
    ]


def test_no_row_twice_however_many_shares(server: LiveServer, builder: AssetBuilder) -> None:
    """Stricter than Immich: one line per row per type, however many albums and members."""
    alice, bob, carol = new_client(server, "alice"), new_client(server, "bob"), new_client(server, "carol")
    asset_id = builder.insert(uuid.UUID(bob.user_id), exif=True)
    first = create_album(bob, [asset_id], [alice, carol])
    second = create_album(bob, [asset_id], [alice, carol])
    for client in (bob, alice):
        lines = client.sync(ALBUM_TYPES)
        assert [a["id"] for a in of_type(lines, "AlbumAssetCreateV1")] == [str(asset_id)]
        assert [e["assetId"] for e in of_type(lines, "AlbumAssetExifCreateV1")] == [str(asset_id)]
        assert sorted(a["id"] for a in of_type(lines, "AlbumV1")) == sorted([first, second])
        assert len(of_type(lines, "AlbumToAssetV1")) == 2
        assert len(of_type(lines, "AlbumUserV1")) == 4
    builder.update([asset_id], is_favorite=True)
    assert len(of_type(alice.sync(ALBUM_TYPES), "AlbumAssetUpdateV1")) == 1


def test_viewers_cannot_add_assets_editors_can(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob, carol = new_client(server, "alice"), new_client(server, "bob"), new_client(server, "carol")
    album_id = create_album(bob, [], [alice], role="viewer")
    assert (
        bob.http.put(
            f"/api/albums/{album_id}/users", json={"albumUsers": [{"userId": carol.user_id}]}
        ).status_code
        == 200
    )
    mine = builder.insert(uuid.UUID(alice.user_id))
    resp = alice.http.put(f"/api/albums/{album_id}/assets", json={"ids": [str(mine)]})
    assert resp.status_code == 400
    assert add_assets(carol, album_id, [builder.insert(uuid.UUID(carol.user_id))])[0]["success"] is True
    assert (
        bob.http.put(f"/api/albums/{album_id}/user/{alice.user_id}", json={"role": "editor"}).status_code
        == 204
    )
    assert add_assets(alice, album_id, [mine]) == [{"id": str(mine), "success": True}]
    assert add_assets(alice, album_id, [mine]) == [{"id": str(mine), "success": False, "error": "duplicate"}]
    roles = of_type(bob.sync(["AlbumUsersV1"]), "AlbumUserV1")
    assert {(r["userId"], r["role"]) for r in roles} == {(alice.user_id, "editor"), (carol.user_id, "editor")}
