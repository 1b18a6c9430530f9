"""`POST /api/sync/estimate`: the next stream's totals, exact, without moving checkpoints."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from filmroll.db import clock
from filmroll.sync.forms.queries import ASSETS
from filmroll.sync.forms.renderer import render_batch
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import ALL_TYPES, SyncClient, new_client

TYPES = [
    "AssetsV1", "AssetExifsV1", "PartnerAssetsV1", "PartnerAssetExifsV1", "AlbumsV1", "StacksV1",
    "UsersV1", "PartnersV1", "AlbumToAssetsV1", "AlbumAssetsV1",
]  # fmt: skip


def estimate(client: SyncClient, types: list[str], **extra: Any) -> dict[str, Any]:
    resp = client.http.post("/api/sync/estimate", json={"types": types, **extra})
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def raw_stream(client: SyncClient, types: list[str]) -> bytes:
    resp = client.http.post(
        "/api/sync/stream", json={"types": types}, headers={"accept-encoding": "identity"}
    )
    assert resp.status_code == 200, resp.text
    return resp.content


def per_type(client: SyncClient, types: list[str]) -> dict[str, int]:
    """Lines per request type, counted by running one stream per type (no acks)."""
    return {t: len(raw_stream(client, [t]).splitlines()) - 1 for t in types}


def test_estimate_matches_the_stream_exactly_and_moves_nothing(
    server: LiveServer, builder: AssetBuilder
) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    me, partner = uuid.UUID(alice.user_id), uuid.UUID(bob.user_id)
    mine = [builder.insert(me, exif=True) for _ in range(5)]
    builder.stack(me, mine[:2])
    theirs = [builder.insert(partner, exif=True) for _ in range(3)]
    builder.insert(partner, exif=True, visibility="archive")
    assert bob.http.post(f"/api/partners/{alice.user_id}").status_code == 201
    album = alice.http.post("/api/albums", json={"albumName": "trip", "assetIds": [str(mine[0])]})
    assert album.status_code == 201, album.text

    before = alice.http.get("/api/sync/ack").json()
    answer = estimate(alice, TYPES)
    assert alice.http.get("/api/sync/ack").json() == before
    body = raw_stream(alice, TYPES)
    assert answer["reset"] is False
    assert answer["lines"] == len(body.splitlines())
    assert answer["bytes"] == len(body)
    assert {t: v["lines"] for t, v in answer["types"].items()} == per_type(alice, TYPES)
    assert answer["types"]["AssetsV1"]["lines"] == 5
    assert answer["types"]["PartnerAssetsV1"]["lines"] == 3

    alice.sync(TYPES)
    assert estimate(alice, TYPES)["lines"] == 1  # only SyncCompleteV1
    builder.update(theirs[:1], visibility="archive")
    builder.delete(mine[4:])
    builder.update(mine[:1], is_favorite=True)
    after = estimate(alice, TYPES)
    assert after["types"]["PartnerAssetsV1"]["lines"] == 1
    assert after["types"]["AssetsV1"]["lines"] == 2
    assert after["lines"] == len(raw_stream(alice, TYPES).splitlines())
    # from the start: four assets and the tombstone of the deleted one
    assert estimate(alice, ["AssetsV1"], reset=True)["types"]["AssetsV1"]["lines"] == 5


def test_estimate_reports_a_pending_reset(server: LiveServer) -> None:
    alice = new_client(server, "alice")
    alice.sync(["AssetsV1"])
    sessions = alice.http.get("/api/sessions").json()
    current = next(s for s in sessions if s["current"])
    resp = alice.http.put(f"/api/sessions/{current['id']}", json={"isPendingSyncReset": True})
    assert resp.status_code == 200, resp.text
    answer = estimate(alice, ["AssetsV1"])
    assert answer["reset"] is True and answer["lines"] == 1


def test_bad_input_and_api_keys(server: LiveServer) -> None:
    alice = new_client(server, "alice")
    for body in ({"types": ["Nope"]}, {"types": "AssetsV1"}, {}, {"types": ALL_TYPES, "reset": None}):
        resp = alice.http.post("/api/sync/estimate", json=body)
        assert resp.status_code == 400, (body, resp.text)
        assert set(resp.json()) >= {"message", "error", "statusCode"}
    key = alice.http.post("/api/api-keys", json={"name": "k", "permissions": ["all"]}).json()["secret"]
    keyed = server.client(**{"x-api-key": key})
    assert keyed.post("/api/sync/estimate", json={"types": ["AssetsV1"]}).status_code == 403
    assert server.client().post("/api/sync/estimate", json={"types": ["AssetsV1"]}).status_code == 401


def test_a_large_library_is_counted_exactly_and_sized_closely(
    server: LiveServer, builder: AssetBuilder
) -> None:
    """Past 5,000 rows the owner's assets are counted in SQL, not streamed: lines stay exact."""
    alice = new_client(server, "alice")
    builder.insert_many(uuid.UUID(alice.user_id), 5_200)
    answer = estimate(alice, ["AssetsV1"])
    body = raw_stream(alice, ["AssetsV1"])
    assert answer["lines"] == len(body.splitlines()) == 5_201
    assert abs(answer["bytes"] - len(body)) < 0.02 * len(body)
    # The sampled step stops reading part-way, its forms rendered so that on PostgreSQL its
    # query is still streaming; the next types read the same snapshot after it.
    upper = builder.db.read_sync(clock.current)
    builder.db.write_sync(partial(render_batch, ft=ASSETS, after=0, upper=upper, limit=10_000))
    both = estimate(alice, ["AssetsV1", "AssetExifsV1", "AlbumsV1"])["types"]
    assert [both[t]["lines"] for t in ("AssetsV1", "AssetExifsV1", "AlbumsV1")] == [5_200, 0, 0]


def test_large_albums_are_counted_exactly_and_sized_closely(
    server: LiveServer, builder: AssetBuilder
) -> None:
    """Album links and album assets past 5,000 rows are counted in SQL too (an album's creates
    open with one ack line); a member's first sync is estimated as closely as the owner's."""
    owner, member = new_client(server, "owner"), new_client(server, "member")
    ids = [str(i) for i in builder.insert_many(uuid.UUID(owner.user_id), 5_200)]
    albums = []
    for n, start in enumerate(range(0, len(ids), 2_000)):
        resp = owner.http.post(
            "/api/albums",
            json={"albumName": f"a{n}", "albumUsers": [{"userId": member.user_id, "role": "viewer"}]},
        )
        assert resp.status_code == 201, resp.text
        albums.append(resp.json()["id"])
        put = owner.http.put(f"/api/albums/{albums[-1]}/assets", json={"ids": ids[start : start + 2_000]})
        assert put.status_code == 200, put.text
    # one asset in two albums is still one album-asset line
    assert owner.http.put(f"/api/albums/{albums[0]}/assets", json={"ids": ids[-1:]}).status_code == 200
    types = ["AlbumAssetsV1", "AlbumAssetExifsV1", "AlbumToAssetsV1"]
    for client in (owner, member):
        answer = estimate(client, types)["types"]
        for request_type in types:
            body = raw_stream(client, [request_type])
            lines = len(body.splitlines()) - 1  # without SyncCompleteV1
            assert answer[request_type]["lines"] == lines, request_type
            assert abs(
                answer[request_type]["bytes"] - (len(body) - len(body.splitlines()[-1]) - 1)
            ) < 0.02 * len(body)
        assert answer["AlbumToAssetsV1"]["lines"] == 5_201
        assert answer["AlbumAssetsV1"]["lines"] == 5_201  # 5,200 assets and the opening ack
