"""Who reads what through the sync extensions: the stream's access rule, row by row.

Each case names a caller, an endpoint and what it must get, written out by hand.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.api.test_body_limit import raw_request
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import SyncClient, new_client


def kinds(client: SyncClient, request_type: str, ids: list[uuid.UUID]) -> list[str]:
    resp = client.http.post("/api/sync/rows", json={"type": request_type, "ids": [str(i) for i in ids]})
    assert resp.status_code == 200, resp.text
    return [json.loads(raw)["type"] for raw in resp.text.splitlines()]


@pytest.fixture
def world(server: LiveServer, builder: AssetBuilder) -> dict[str, object]:
    owner, partner, stranger = (
        new_client(server, "owner"),
        new_client(server, "partner"),
        new_client(server, "x"),
    )
    me = uuid.UUID(owner.user_id)
    shown = builder.insert(me, exif=True)
    archived = builder.insert(me, exif=True, visibility="archive")
    locked = builder.insert(me, exif=True, visibility="locked")
    assert owner.http.post(f"/api/partners/{partner.user_id}").status_code == 201
    album = owner.http.post("/api/albums", json={"albumName": "a"}).json()["id"]
    return {"owner": owner, "partner": partner, "stranger": stranger, "shown": shown, "archived": archived,
            "locked": locked, "album": uuid.UUID(album)}  # fmt: skip


CASES = [
    # caller, request type, asset, expected line types
    ("owner", "AssetsV1", "shown", ["AssetV1"]),
    ("owner", "AssetsV1", "archived", ["AssetV1"]),
    ("owner", "AssetExifsV1", "archived", ["AssetExifV1"]),
    ("owner", "PartnerAssetsV1", "shown", ["PartnerAssetDeleteV1"]),
    ("partner", "PartnerAssetsV1", "shown", ["PartnerAssetV1"]),
    ("partner", "PartnerAssetExifsV1", "shown", ["PartnerAssetExifV1"]),
    ("partner", "PartnerAssetsV1", "archived", ["PartnerAssetDeleteV1"]),
    ("partner", "PartnerAssetsV1", "locked", ["PartnerAssetDeleteV1"]),
    ("partner", "PartnerAssetExifsV1", "archived", []),
    ("partner", "AssetsV1", "shown", ["AssetDeleteV1"]),
    ("partner", "AssetExifsV1", "shown", []),
    ("stranger", "AssetsV1", "shown", ["AssetDeleteV1"]),
    ("stranger", "PartnerAssetsV1", "shown", ["PartnerAssetDeleteV1"]),
    ("stranger", "PartnerAssetExifsV1", "shown", []),
    ("owner", "AlbumsV1", "album", ["AlbumV1"]),
    ("partner", "AlbumsV1", "album", ["AlbumDeleteV1"]),
    ("stranger", "AlbumsV1", "album", ["AlbumDeleteV1"]),
]


@pytest.mark.parametrize(("caller", "request_type", "row", "expected"), CASES)
def test_rows_by_id(
    world: dict[str, object], caller: str, request_type: str, row: str, expected: list[str]
) -> None:
    client = world[caller]
    assert isinstance(client, SyncClient)
    row_id = world[row]
    assert isinstance(row_id, uuid.UUID)
    assert kinds(client, request_type, [row_id]) == expected


def test_estimate_counts_only_what_the_caller_sees(world: dict[str, object]) -> None:
    for caller, types, lines in (("partner", "PartnerAssetsV1", 1), ("stranger", "PartnerAssetsV1", 0),
                                 ("owner", "AssetsV1", 3), ("stranger", "AssetsV1", 0)):  # fmt: skip
        client = world[caller]
        assert isinstance(client, SyncClient)
        resp = client.http.post("/api/sync/estimate", json={"types": [types]})
        assert resp.json()["types"][types]["lines"] == lines, (caller, types)


def test_api_keys(server: LiveServer, world: dict[str, object]) -> None:
    owner = world["owner"]
    assert isinstance(owner, SyncClient)

    def key(*permissions: str) -> str:
        resp = owner.http.post("/api/api-keys", json={"name": "k", "permissions": list(permissions)})
        assert resp.status_code == 201, resp.text
        return str(resp.json()["secret"])

    full = server.client(**{"x-api-key": key("all")})
    rows_body = {"type": "AssetsV1", "ids": [str(world["shown"])]}
    # sync itself is for sessions: an API key gets 403, as on /sync/stream
    assert full.post("/api/sync/estimate", json={"types": ["AssetsV1"]}).status_code == 403
    assert full.post("/api/sync/rows", json=rows_body).status_code == 403
    anonymous = server.client()
    assert anonymous.post("/api/sync/rows", json=rows_body).status_code == 401


@pytest.mark.parametrize("path", ["/api/sync/estimate", "/api/sync/digest", "/api/sync/rows"])
def test_authentication_comes_before_the_body(server: LiveServer, path: str) -> None:
    """A body announced but never sent: the extensions refuse a bad token without waiting for it."""
    status, body = raw_request(
        server.url, "POST", path, length=1000, headers={"authorization": "Bearer nope"}, timeout=5
    )
    assert status == 401, body
