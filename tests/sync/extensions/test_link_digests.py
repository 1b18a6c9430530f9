"""Digests and rows by key of album members, album assets (links) and users: the same row
hash as every other kind, links keyed `albumId:userId` / `albumId:assetId`, and visibility
exactly the stream's."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.support import LiveServer
from tests.sync.extensions.test_digests import digest, expected, row_hash
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import SyncClient, new_client, validate_line

KEYS: dict[str, Callable[[dict[str, Any]], str]] = {
    "AlbumUserV1": lambda d: f"{d['albumId']}:{d['userId']}",
    "AlbumToAssetV1": lambda d: f"{d['albumId']}:{d['assetId']}",
    "UserV1": lambda d: d["id"],
}
KINDS = [("AlbumUsersV1", "AlbumUserV1"), ("AlbumToAssetsV1", "AlbumToAssetV1"), ("UsersV1", "UserV1")]


def rows(client: SyncClient, request_type: str, keys: list[str]) -> list[dict[str, Any]]:
    resp = client.http.post("/api/sync/rows", json={"type": request_type, "ids": keys})
    assert resp.status_code == 200, resp.text
    lines = [json.loads(raw) for raw in resp.text.splitlines()]
    for item in lines:
        validate_line(item)
    return lines


def album(owner: SyncClient, members: list[SyncClient], assets: list[uuid.UUID]) -> str:
    body = {
        "albumName": "trip",
        "albumUsers": [{"userId": m.user_id, "role": "editor"} for m in members],
        "assetIds": [str(a) for a in assets],
    }
    resp = owner.http.post("/api/albums", json=body)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def every_row(client: SyncClient, request_type: str) -> dict[str, str]:
    """key -> hash of every row, walking the digest down to its rows."""
    found: dict[str, str] = {}
    for top in digest(client, request_type)["buckets"]:
        for inner in digest(client, request_type, top["bucket"])["buckets"]:
            for row in digest(client, request_type, inner["bucket"])["rows"]:
                assert row["id"].startswith(inner["bucket"])
                found[row["id"]] = row["hash"]
    return found


@pytest.mark.parametrize(("request_type", "entity"), KINDS)
def test_link_and_user_digests_match_the_stream(
    server: LiveServer, builder: AssetBuilder, request_type: str, entity: str
) -> None:
    alice, bob, carol = new_client(server, "alice"), new_client(server, "bob"), new_client(server, "carol")
    theirs = [builder.insert(uuid.UUID(bob.user_id)) for _ in range(3)]
    album(bob, [alice, carol], theirs)
    album(alice, [], [builder.insert(uuid.UUID(alice.user_id))])
    album(carol, [bob], [builder.insert(uuid.UUID(carol.user_id))])  # not alice's

    lines = alice.stream([request_type])
    key = KEYS[entity]
    assert digest(alice, request_type)["buckets"] == expected(lines, entity, lambda d: key(d)[:2])
    sent = {key(i["data"]): f"{row_hash(i['data']):016x}" for i in lines if i["type"] == entity}
    assert every_row(alice, request_type) == sent
    if request_type != "UsersV1":
        assert len(sent) == (4 if request_type == "AlbumToAssetsV1" else 2)
        assert digest(new_client(server, "dave"), request_type)["buckets"] == [], "a stranger sees none"


def test_rows_by_key_and_their_deletes(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob, carol = new_client(server, "alice"), new_client(server, "bob"), new_client(server, "carol")
    asset = builder.insert(uuid.UUID(bob.user_id))
    album_id = album(bob, [alice, carol], [asset])
    streamed = {
        (i["type"], json.dumps(i["data"]))
        for i in alice.stream(["AlbumUsersV1", "AlbumToAssetsV1", "UsersV1"])
    }
    member, link = f"{album_id}:{carol.user_id}", f"{album_id.upper()}:{asset}"
    got = rows(alice, "AlbumUsersV1", [member])
    assert [i["type"] for i in got] == ["AlbumUserV1"]
    assert ("AlbumUserV1", json.dumps(got[0]["data"])) in streamed
    got = rows(alice, "AlbumToAssetsV1", [link])
    assert [(i["type"], i["data"]) for i in got] == [
        ("AlbumToAssetV1", {"albumId": album_id, "assetId": str(asset)})
    ]
    got = rows(alice, "UsersV1", [carol.user_id])
    assert got[0]["type"] == "UserV1" and ("UserV1", json.dumps(got[0]["data"])) in streamed

    assert bob.http.delete(f"/api/albums/{album_id}/user/{carol.user_id}").status_code == 204
    assert (
        bob.http.request("DELETE", f"/api/albums/{album_id}/assets", json={"ids": [str(asset)]}).status_code
        == 200
    )
    got = rows(alice, "AlbumUsersV1", [member])
    assert [(i["type"], i["data"]) for i in got] == [
        ("AlbumUserDeleteV1", {"albumId": album_id, "userId": carol.user_id})
    ]
    got = rows(alice, "AlbumToAssetsV1", [link])
    assert [(i["type"], i["data"]) for i in got] == [
        ("AlbumToAssetDeleteV1", {"albumId": album_id, "assetId": str(asset)})
    ]
    unknown = str(uuid.uuid4())
    assert [(i["type"], i["data"]) for i in rows(alice, "UsersV1", [unknown])] == [
        ("UserDeleteV1", {"userId": unknown})
    ]
    dave = new_client(server, "dave")
    assert [i["type"] for i in rows(dave, "AlbumUsersV1", [f"{album_id}:{alice.user_id}"])] == [
        "AlbumUserDeleteV1"
    ], "a stranger's answer is the delete line"
