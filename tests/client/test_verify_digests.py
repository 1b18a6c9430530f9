"""`filmroll mirror verify` by digests: a clean replica is confirmed with one top-level digest
per kind and a stream of only the request types that have no digests (never an asset stream,
album assets included); rows of those undigested types (own user, partners, user metadata) are
still compared in full, and `--repair` fixes them and, by digests, the rest."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from filmroll.client.connect import connect
from filmroll.client.mirror import open_replica, replica_path
from filmroll.client.repair import ALBUM_KINDS, KINDS
from filmroll.client.replica import Replica, wire_hash
from filmroll.client.v2 import sync_v2
from filmroll.client.verify import UNDIGESTED, VerifyReport, verify
from filmroll.ids import new_id
from tests.client.helpers import User, forms_settled, new_user, sync_once
from tests.client.test_repair_kinds import World, _post, build
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder

Seen = list[tuple[str, Any]]


async def _verify(
    server: LiveServer, target: Path, user: User, seen: Seen, *, repair: bool = False
) -> VerifyReport:
    """Sync once if needed, then verify, recording every request the verify sends."""
    replica = open_replica(target)
    try:
        api = await connect(server.url, replica, user.creds)
        try:
            if replica.get("mode") is None:
                await sync_v2(api, replica)

            async def record(request: httpx.Request) -> None:
                body = json.loads(request.content) if request.content else None
                seen.append((request.url.path, body))

            api.http.event_hooks["request"].append(record)
            return await verify(api, replica, target, repair_rows=repair)
        finally:
            await api.aclose()
    finally:
        replica.close()


def _album_only(server: LiveServer, builder: AssetBuilder, world: World) -> str:
    """carol (no partner of alice) shares an album with alice holding one of her assets."""
    asset = str(builder.insert(uuid.UUID(world.carol.id), exif=True))
    album = {
        "albumName": "carol's",
        "albumUsers": [{"userId": world.alice.id, "role": "viewer"}],
        "assetIds": [asset],
    }
    _post(server, world.carol, "/api/albums", album)
    forms_settled(builder.db)
    return asset


def _streams(seen: Seen) -> list[list[str]]:
    return [list(body["types"]) for path, body in seen if path == "/api/sync/stream"]


async def test_a_clean_replica_reads_top_digests_and_no_asset_stream(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    world = build(server, builder)
    await _verify(server, tmp_path, world.alice, [])  # syncs the replica
    with Replica(replica_path(tmp_path)) as replica:
        for table in ("assets", "exif", "stacks", "albums", "album_users", "album_assets", "users"):
            assert replica.count(table) > 0, table

    seen: Seen = []
    report = await _verify(server, tmp_path, world.alice, seen)
    assert report.clean, {t: d for t, d in report.tables.items() if not d.clean}
    assert report.method == "digests"
    digests = [body for path, body in seen if path == "/api/sync/digest"]
    # every album asset is the owner's or a partner's, checked by their digests: the album
    # kinds, which sum every asset of every album again, are not asked for
    base = [k.request_type for k in KINDS if k.request_type not in ALBUM_KINDS]
    assert sorted(d["type"] for d in digests) == sorted(base)
    assert all("bucket" not in d for d in digests), "a matching replica opens no bucket"
    assert not [path for path, _ in seen if path == "/api/sync/rows"]
    # album assets have digests: their streams are never needed
    assert _streams(seen) == [list(UNDIGESTED)]
    assert not {"AlbumAssetsV1", "AlbumAssetExifsV1"} & set(UNDIGESTED)
    assert not {"AssetsV1", "PartnerAssetsV1", "AssetExifsV1", "PartnerAssetExifsV1"} & set(UNDIGESTED)
    assert report.checked is not None and report.checked.digests == len(base)
    assert report.streamed > 0

    _album_only(server, builder, world)
    await sync_once(server, tmp_path, world.alice)
    seen = []
    report = await _verify(server, tmp_path, world.alice, seen)
    assert report.clean, {t: d for t, d in report.tables.items() if not d.clean}
    assert [body for path, body in seen if path == "/api/sync/digest" and "bucket" in body] == []
    asked = {body["type"] for path, body in seen if path == "/api/sync/digest"}
    assert asked == {k.request_type for k in KINDS}, "an album-only asset: the album kinds too"
    assert _streams(seen) == [list(UNDIGESTED)], "carol's album asset is checked by digests"


async def test_undigested_rows_are_compared_in_full_and_repaired(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    world = build(server, builder)
    carols = _album_only(server, builder, world)
    assert (await _verify(server, tmp_path, world.alice, [])).clean
    with Replica(replica_path(tmp_path)) as replica, replica.transaction() as conn:
        row = conn.execute("SELECT own, partner, data FROM assets WHERE id = ?", [carols]).fetchone()
        assert tuple(row[:2]) == (0, 0), "carol's asset is album-only here"
        data = {**json.loads(row[2]), "isFavorite": True}
        conn.execute(
            "UPDATE assets SET data = ?, hash = ? WHERE id = ?",
            [orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode(), wire_hash(data), carols],
        )
        conn.execute("UPDATE exif SET data = '{}', hash = 1 WHERE asset_id = ?", [carols])
        conn.execute("DELETE FROM partners")
        conn.execute(
            "INSERT INTO user_metadata (user_id, key, data) VALUES (?, 'invented', '{}')", [world.alice.id]
        )
        conn.execute("UPDATE auth_user SET data = '{}'")

    seen: Seen = []
    found = await _verify(server, tmp_path, world.alice, seen)
    assert not found.clean
    assert _streams(seen) == [list(UNDIGESTED)], "still no asset stream"
    assert found.tables["assets"].stale == [(carols,)]
    assert found.tables["exif"].stale == [(carols,)]
    assert found.tables["partners"].missing == [(world.bob.id, world.alice.id)]
    assert found.tables["user_metadata"].extra == [(world.alice.id, "invented")]
    assert found.tables["auth_user"].stale == [(world.alice.id,)]
    dirty = {t for t, d in found.tables.items() if not d.clean}
    assert dirty == {"assets", "exif", "partners", "user_metadata", "auth_user"}

    fixed = await _verify(server, tmp_path, world.alice, [], repair=True)
    assert fixed.repaired is not None and fixed.repaired.fetched == 2, "carol's asset and exif, by digests"
    assert fixed.copied == 3 and fixed.repaired_clean
    assert (await _verify(server, tmp_path, world.alice, [])).clean


async def test_an_album_only_asset_missing_or_extra_is_found(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    world = build(server, builder)
    carols = _album_only(server, builder, world)
    assert (await _verify(server, tmp_path, world.alice, [])).clean
    invented = str(uuid.uuid4())
    with Replica(replica_path(tmp_path)) as replica, replica.transaction() as conn:
        data = json.loads(conn.execute("SELECT data FROM assets WHERE id = ?", [carols]).fetchone()[0])
        conn.execute("DELETE FROM assets WHERE id = ?", [carols])
    # no album-only asset is left here, but a link still points at one
    seen: Seen = []
    found = await _verify(server, tmp_path, world.alice, seen)
    assert _streams(seen) == [list(UNDIGESTED)]
    assert found.tables["assets"].missing == [(carols,)]
    # its exif, still here, has no asset to be dated by: not where the server files it
    assert found.tables["exif"].missing == found.tables["exif"].extra == [(carols,)]
    assert {t for t, d in found.tables.items() if not d.clean} == {"assets", "exif"}
    with Replica(replica_path(tmp_path)) as replica, replica.transaction() as conn:
        conn.execute(
            "INSERT INTO assets (id, owner_id, data, hash) VALUES (?, ?, ?, ?)",
            [invented, world.carol.id, json.dumps({**data, "id": invented}), 0],
        )
    found = await _verify(server, tmp_path, world.alice, [])
    assert found.tables["assets"].missing == [(carols,)]
    assert found.tables["assets"].extra == [(invented,)]
    fixed = await _verify(server, tmp_path, world.alice, [], repair=True)
    assert fixed.repaired_clean
    with Replica(replica_path(tmp_path)) as replica:
        assert replica.conn.execute("SELECT count(*) FROM assets WHERE id = ?", [invented]).fetchone()[0] == 0
        assert replica.conn.execute("SELECT own, partner FROM assets WHERE id = ?", [carols]).fetchone() == (
            0,
            0,
        )


async def test_a_busy_day_of_exif_is_split_into_hours(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    """Exif is filed under its asset's date, whatever its id: a stale exif row among 60 assets
    of one day (time-ordered ids made together, which share their first 8 hex digits) is
    found by asking the months, that month, the day split into hours and one hour, then
    repaired."""
    alice = new_user(server, "alice")
    taken = [datetime(2020, 2, 13, n % 24, n) for n in range(60)]
    ids = [str(builder.insert(uuid.UUID(alice.id), exif=True, id=new_id(), file_created_at=t)) for t in taken]
    forms_settled(builder.db)
    assert (await _verify(server, tmp_path, alice, [])).clean
    with Replica(replica_path(tmp_path)) as replica, replica.transaction() as conn:
        data = {
            **json.loads(conn.execute("SELECT data FROM exif WHERE asset_id = ?", [ids[7]]).fetchone()[0])
        }
        data["city"] = "Nowhere"
        stored = orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
        conn.execute(
            "UPDATE exif SET data = ?, hash = ? WHERE asset_id = ?", [stored, wire_hash(data), ids[7]]
        )
    seen: Seen = []
    report = await _verify(server, tmp_path, alice, seen)
    assert report.tables["exif"].stale == [(ids[7],)], report.tables["exif"]
    asked = [
        (body.get("bucket") or "", bool(body.get("split")))
        for path, body in seen
        if path == "/api/sync/digest" and body["type"] == "AssetExifsV1"
    ]
    assert [bucket for bucket, _split in asked] == ["", "2020-02", "2020-02-13", "2020-02-13T07"], asked
    assert asked[2][1], "a day of more than 48 rows is asked per hour"
    assert (await _verify(server, tmp_path, alice, [], repair=True)).repaired_clean
    assert (await _verify(server, tmp_path, alice, [])).clean
