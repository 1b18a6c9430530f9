"""The client's album asset digests: `filmroll mirror verify` checks the assets and exif of the
user's albums by digests instead of streaming them, finds and repairs each kind of
difference, and a sync reset repairs them by difference instead of streaming them again."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from filmroll.client.connect import connect
from filmroll.client.mirror import open_replica, replica_path
from filmroll.client.repair import after_reset, covered
from filmroll.client.replica import Replica, canonical, wire_hash
from filmroll.client.v2 import TYPES, sync_v2
from filmroll.client.verify import UNDIGESTED
from tests.client.helpers import User, assert_equals_fresh_copy, forms_settled, new_user, reset
from tests.client.test_verify_digests import Seen, _streams, _verify
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder

ALBUM_LINES = {
    "AlbumAssetCreateV1",
    "AlbumAssetUpdateV1",
    "AlbumAssetBackfillV1",
    "AlbumAssetExifCreateV1",
    "AlbumAssetExifUpdateV1",
    "AlbumAssetExifBackfillV1",
}


def call(server: LiveServer, user: User, method: str, path: str, body: Any = None) -> Any:
    with server.client(user.token) as http:
        resp = http.request(method, path, json=body)
        assert resp.status_code in (200, 201, 204), (method, path, resp.text)
        return resp.json() if resp.content else None


@dataclass
class World:
    alice: User
    carol: User
    mine: str
    carols: list[str]
    album: str


def build(server: LiveServer, builder: AssetBuilder) -> World:
    """carol, no partner of alice, shares an album with alice holding four of carol's assets
    (the third without exif) and one of alice's own, which she adds as an editor."""
    alice, carol = new_user(server, "alice"), new_user(server, "carol")
    mine = str(builder.insert(uuid.UUID(alice.id), exif=True, file_created_at=datetime(2022, 6, 1, 9)))
    carols = [
        str(builder.insert(uuid.UUID(carol.id), exif=i != 2, file_created_at=datetime(2024, 1 + i, 3, 12)))
        for i in range(4)
    ]
    body = {
        "albumName": "carol's",
        "assetIds": carols,
        "albumUsers": [{"userId": alice.id, "role": "editor"}],
    }
    shared = str(call(server, carol, "POST", "/api/albums", body)["id"])
    call(server, alice, "PUT", f"/api/albums/{shared}/assets", {"ids": [mine]})
    forms_settled(builder.db)
    return World(alice, carol, mine, carols, shared)


def _set(conn: sqlite3.Connection, table: str, key: str, value: str, data: dict[str, Any]) -> None:
    """Change a row as if it had arrived so: its data and the hash of it."""
    conn.execute(
        f"UPDATE {table} SET data = ?, hash = ? WHERE {key} = ?", [canonical(data), wire_hash(data), value]
    )


async def test_a_clean_replica_streams_no_album_asset(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    world = build(server, builder)
    assert (await _verify(server, tmp_path, world.alice, [])).clean  # syncs, then checks
    with Replica(replica_path(tmp_path)) as replica:
        flags = replica.conn.execute("SELECT own, partner FROM assets WHERE id = ?", [world.carols[0]])
        assert flags.fetchone() == (0, 0), "carol's assets are seen only through her album"
    seen: Seen = []
    report = await _verify(server, tmp_path, world.alice, seen)
    assert report.clean
    assert _streams(seen) == [list(UNDIGESTED)]
    assert not {"AlbumAssetsV1", "AlbumAssetExifsV1"} & set(UNDIGESTED)
    assert not ALBUM_LINES & set(report.streamed_lines), report.streamed_lines
    digests = [body for path, body in seen if path == "/api/sync/digest"]
    assert {"AlbumAssetsV1", "AlbumAssetExifsV1"} <= {d["type"] for d in digests}
    assert all("bucket" not in d for d in digests), "a matching replica opens no bucket"


async def test_each_difference_is_found_and_repaired(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    world = build(server, builder)
    c0, c1, c2, c3 = world.carols
    assert (await _verify(server, tmp_path, world.alice, [])).clean
    invented = str(uuid.uuid4())
    with Replica(replica_path(tmp_path)) as replica, replica.transaction() as conn:
        data = json.loads(conn.execute("SELECT data FROM assets WHERE id = ?", [c2]).fetchone()[0])
        conn.execute("DELETE FROM assets WHERE id = ?", [c0])  # missing asset (and its exif)
        conn.execute("DELETE FROM exif WHERE asset_id = ?", [c1])  # missing exif
        _set(conn, "assets", "id", c2, {**data, "isFavorite": not data["isFavorite"]})  # stale asset
        conn.execute(  # extra asset: held for no album
            "INSERT INTO assets (id, owner_id, data, hash) VALUES (?, ?, ?, ?)",
            [
                invented,
                world.carol.id,
                canonical({**data, "id": invented}),
                wire_hash({**data, "id": invented}),
            ],
        )
        exif = json.loads(conn.execute("SELECT data FROM exif WHERE asset_id = ?", [c3]).fetchone()[0])
        _set(conn, "exif", "asset_id", c3, {**exif, "city": "Nowhere"})  # stale exif
        conn.execute(  # extra exif: the server has none for c2
            "INSERT INTO exif (asset_id, data, hash) VALUES (?, ?, ?)",
            [c2, canonical({**exif, "assetId": c2}), wire_hash({**exif, "assetId": c2})],
        )
        conn.execute("DELETE FROM exif WHERE asset_id = ?", [c0])

    seen: Seen = []
    found = await _verify(server, tmp_path, world.alice, seen)
    assert _streams(seen) == [list(UNDIGESTED)], "found by digests, not by a stream"
    assert found.checked is not None
    assets, exif_diff = found.checked.found["AlbumAssetsV1"], found.checked.found["AlbumAssetExifsV1"]
    assert (assets.missing, assets.extra, assets.stale) == ([c0], [invented], [c2])
    assert (sorted(exif_diff.missing), exif_diff.extra, exif_diff.stale) == (sorted([c0, c1]), [c2], [c3])
    assert found.tables["assets"].missing == [(c0,)] and found.tables["exif"].stale == [(c3,)]
    for kind in ("AssetsV1", "PartnerAssetsV1", "AssetExifsV1", "PartnerAssetExifsV1"):
        diff = found.checked.found[kind]
        assert not (diff.missing or diff.extra or diff.stale), kind

    fixed = await _verify(server, tmp_path, world.alice, [], repair=True)
    assert fixed.repaired_clean
    assert fixed.repaired is not None and fixed.repaired.fetched == 5  # c0, c2; exif of c0, c1, c3
    assert (await _verify(server, tmp_path, world.alice, [])).clean
    with Replica(replica_path(tmp_path)) as replica:
        assert replica.conn.execute("SELECT own, partner FROM assets WHERE id = ?", [c0]).fetchone() == (0, 0)
        assert replica.conn.execute("SELECT own FROM assets WHERE id = ?", [world.mine]).fetchone() == (1,)
        assert replica.conn.execute("SELECT count(*) FROM assets WHERE id = ?", [invented]).fetchone() == (0,)
        assert replica.conn.execute("SELECT count(*) FROM exif WHERE asset_id = ?", [c2]).fetchone() == (0,)
        await assert_equals_fresh_copy(server, world.alice, replica, tmp_path / "fresh")


async def test_a_reset_repairs_album_assets_instead_of_streaming_them(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    world = build(server, builder)
    replica = open_replica(tmp_path / "old")
    try:
        api = await connect(server.url, replica, world.alice.creds)
        try:
            first = await sync_v2(api, replica)
            assert first.applied.get("AlbumAssetCreateV1") == 5
            # missed changes: a new album asset, a changed one, one removed from the album
            added = str(
                builder.insert(uuid.UUID(world.carol.id), exif=True, file_created_at=datetime(2024, 9, 9))
            )
            call(server, world.carol, "PUT", f"/api/albums/{world.album}/assets", {"ids": [added]})
            call(
                server, world.carol, "DELETE", f"/api/albums/{world.album}/assets", {"ids": [world.carols[3]]}
            )
            builder.update([uuid.UUID(world.carols[1])], is_favorite=True)
            forms_settled(builder.db)
            await reset(api)

            stats = await sync_v2(api, replica)
            assert stats.resets == 1 and not stats.full
            [done] = stats.repairs
            assert done.found["AlbumAssetsV1"].missing == [added]
            assert done.found["AlbumAssetsV1"].stale == [world.carols[1]]
            assert done.found["AlbumAssetsV1"].extra == [world.carols[3]]
            assert done.found["AlbumAssetExifsV1"].missing == [added]
            assert not ALBUM_LINES & set(stats.applied), stats.applied
            assert replica.conn.execute(
                "SELECT count(*) FROM assets WHERE id = ?", [world.carols[3]]
            ).fetchone() == (0,)

            # the stream after the repair sends only later changes, as updates
            builder.update([uuid.UUID(world.carols[0])], is_favorite=True)
            forms_settled(builder.db)
            later = await sync_v2(api, replica)
            assert {k: v for k, v in later.applied.items() if k in ALBUM_LINES} == {"AlbumAssetUpdateV1": 1}
        finally:
            await api.aclose()
        await assert_equals_fresh_copy(server, world.alice, replica, tmp_path / "fresh")
    finally:
        replica.close()


def test_album_assets_are_repaired_only_with_their_links() -> None:
    """Without album links the replica cannot tell which of its assets an album shows, and
    album exif is dated by album assets: such streams get those kinds in full after a reset."""
    every = [kind.request_type for kind in after_reset(TYPES)]
    assert {"AlbumAssetsV1", "AlbumAssetExifsV1"} <= set(every)
    assert every.index("AlbumToAssetsV1") < every.index("AlbumAssetsV1") < every.index("AlbumAssetExifsV1")
    assert every.index("AssetsV1") < every.index("AlbumAssetsV1")
    no_links = {kind.request_type for kind in after_reset([t for t in TYPES if t != "AlbumToAssetsV1"])}
    assert not {"AlbumAssetsV1", "AlbumAssetExifsV1"} & no_links
    no_assets = {kind.request_type for kind in covered([t for t in TYPES if t != "AlbumAssetsV1"])}
    assert "AlbumAssetExifsV1" not in no_assets and "AlbumToAssetsV1" in no_assets
