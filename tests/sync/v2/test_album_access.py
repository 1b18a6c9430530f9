"""Album access in the v2 stream, stricter than Immich: lost access always ends in a delete.

Assets seen only through an album are deleted when the album is lost, a user tied to the
caller only by an album is deleted with that tie, and an asset goes out once per run
however many newly shared albums show it.
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.engine import Connection

from filmroll.db.engine import Database
from filmroll.repositories import albums as album_repo
from filmroll.sync.v2.service import SyncV2Service
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import SyncClient, new_client, of_type, types_of
from tests.sync.v2.test_albums import ALBUM_TYPES, add_assets, create_album
from tests.sync.v2.test_batches import login, read_lines
from tests.sync.v2.test_partners import share, unshare

LOSS_TYPES = ["PartnerAssetsV1", *ALBUM_TYPES]


def _deleted(lines: list[dict[str, object]]) -> list[str]:
    return [str(d["assetId"]) for d in of_type(lines, "AssetDeleteV1")]


def _add_member(owner: SyncClient, album_id: str, member: SyncClient) -> None:
    resp = owner.http.put(f"/api/albums/{album_id}/users", json={"albumUsers": [{"userId": member.user_id}]})
    assert resp.status_code == 200, resp.text


def test_album_only_assets_are_deleted_when_access_is_lost(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    owner = uuid.UUID(bob.user_id)
    share(bob, alice)
    on_timeline = builder.insert(owner)
    archived, in_two, removed = (builder.insert(owner, visibility="archive") for _ in range(3))
    first = create_album(bob, [on_timeline, archived, in_two, removed], [alice])
    second = create_album(bob, [in_two], [alice])
    lines = alice.sync(LOSS_TYPES)
    assert {a["id"] for a in of_type(lines, "AlbumAssetCreateV1")} == {
        str(archived),
        str(in_two),
        str(removed),
        str(on_timeline),
    }

    resp = bob.http.request("DELETE", f"/api/albums/{first}/assets", json={"ids": [str(removed)]})
    assert resp.status_code == 200
    assert _deleted(alice.sync(LOSS_TYPES)) == [str(removed)]

    assert bob.http.delete(f"/api/albums/{first}/user/{alice.user_id}").status_code == 204
    lines = alice.sync(LOSS_TYPES)
    assert _deleted(lines) == [str(archived)], "partner timeline and second-album assets stay"
    assert types_of(lines).index("AssetDeleteV1") < types_of(lines).index("AlbumDeleteV1")

    assert bob.http.delete(f"/api/albums/{second}").status_code == 204
    assert _deleted(alice.sync(LOSS_TYPES)) == [str(in_two)]
    assert types_of(alice.stream(LOSS_TYPES)) == ["SyncCompleteV1"]
    assert _deleted(bob.sync(LOSS_TYPES)) == [], "the owner still has every asset"


def test_deleted_album_asset_is_deleted_for_members(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    gone = builder.insert(uuid.UUID(bob.user_id))
    create_album(bob, [gone], [alice])
    alice.sync(["AlbumAssetsV1"])
    builder.delete([gone])
    assert _deleted(alice.sync(["AlbumAssetsV1"])) == [str(gone)]


def test_a_lost_album_resumes_after_an_interrupted_run(database_url: str) -> None:
    """One removal stands for many assets at one sequence; a partial ack must not skip the rest."""
    db = Database(database_url)
    try:
        _interrupted_loss(db)
    finally:
        db.dispose()


def _interrupted_loss(db: Database) -> None:
    alice = db.write_sync(lambda c: login(c, "alice"))
    bob = db.write_sync(lambda c: login(c, "bob"))
    builder = AssetBuilder(db, seed=11)
    ids = [builder.insert(bob.user_id) for _ in range(5)]

    def album(conn: Connection) -> uuid.UUID:
        row = album_repo.insert(conn, bob.user_id, {"name": "trip"})
        album_repo.add_assets(conn, row.id, ids)
        album_repo.add_members(conn, row.id, [(alice.user_id, "viewer")])
        new_id: uuid.UUID = row.id
        return new_id

    album_id = db.write_sync(album)
    service = SyncV2Service(db, batch=2)

    async def run(acks: int | None) -> list[str]:
        lines = await read_lines(await service.open_stream(alice, ["AlbumAssetsV1"], reset=False))
        kept = lines if acks is None else lines[:acks]
        latest = {str(i["ack"]).split("|")[0]: str(i["ack"]) for i in kept}
        await service.set_acks(alice, list(latest.values()))
        return [str(i["data"]["assetId"]) for i in kept if i["type"] == "AssetDeleteV1"]

    asyncio.run(run(None))
    db.write_sync(lambda c: album_repo.remove_member(c, album_id, alice.user_id))
    seen = asyncio.run(run(2))
    assert len(seen) == 2
    rest = asyncio.run(run(None))
    assert sorted(set(seen + rest)) == sorted(str(i) for i in ids)
    assert asyncio.run(run(None)) == []


def test_asset_in_two_newly_shared_albums_is_backfilled_once(
    server: LiveServer, builder: AssetBuilder
) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    owner = uuid.UUID(bob.user_id)
    both, only_second = builder.insert(owner, exif=True), builder.insert(owner, exif=True)
    first, second = create_album(bob, [both]), create_album(bob, [both, only_second])
    create_album(bob, [builder.insert(owner, exif=True)], [alice])
    alice.sync(ALBUM_TYPES)
    _add_member(bob, first, alice)
    _add_member(bob, second, alice)
    lines = alice.sync(ALBUM_TYPES)
    assert sorted(a["id"] for a in of_type(lines, "AlbumAssetBackfillV1")) == sorted(
        [str(both), str(only_second)]
    )
    exifs = [e["assetId"] for e in of_type(lines, "AlbumAssetExifBackfillV1")]
    assert sorted(exifs) == sorted([str(both), str(only_second)])
    assert len(of_type(lines, "AlbumToAssetBackfillV1")) == 3, "links are distinct rows"


def test_asset_updated_and_newly_linked_goes_out_once(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    owner = uuid.UUID(bob.user_id)
    known, backfilled = builder.insert(owner, exif=True), builder.insert(owner, exif=True)
    shared = create_album(bob, [known], [alice])
    later = create_album(bob, [backfilled])
    alice.sync(ALBUM_TYPES)
    builder.update([known, backfilled], is_favorite=True)
    fresh = create_album(bob, [], [alice])
    add_assets(bob, fresh, [known])
    _add_member(bob, later, alice)
    add_assets(bob, fresh, [backfilled])
    add_assets(bob, shared, [backfilled])
    lines = alice.sync(["AlbumAssetsV1"])
    sent = [
        a["id"]
        for kind in ("AlbumAssetBackfillV1", "AlbumAssetUpdateV1", "AlbumAssetCreateV1")
        for a in of_type(lines, kind)
    ]
    assert sorted(sent) == sorted([str(known), str(backfilled)])
    assert all(
        a["isFavorite"] for a in of_type(lines, "AlbumAssetUpdateV1") + of_type(lines, "AlbumAssetBackfillV1")
    )


def test_partner_unshare_keeps_what_an_album_still_shows(server: LiveServer, builder: AssetBuilder) -> None:
    """With album assets in the same stream, only assets the caller can no longer see are deleted."""
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    owner = uuid.UUID(bob.user_id)
    share(bob, alice)
    in_album, archived_in_album, elsewhere = (
        builder.insert(owner),
        builder.insert(owner),
        builder.insert(owner),
    )
    album_id = create_album(bob, [in_album, archived_in_album], [alice])
    alice.sync(LOSS_TYPES)
    builder.update([archived_in_album], visibility="archive")
    assert _partner_deletes(alice.sync(LOSS_TYPES)) == [], "still shown by the album"
    unshare(bob, alice)
    lines = alice.sync(LOSS_TYPES)
    assert _partner_deletes(lines) == [str(elsewhere)]
    assert _deleted(lines) == []
    resp = bob.http.request("DELETE", f"/api/albums/{album_id}/assets", json={"ids": [str(in_album)]})
    assert resp.status_code == 200
    assert _deleted(alice.sync(LOSS_TYPES)) == [str(in_album)]


def test_partner_only_streams_keep_immich_deletes(server: LiveServer, builder: AssetBuilder) -> None:
    """Without album assets in the request, every partner asset that leaves the timeline is deleted."""
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    owner = uuid.UUID(bob.user_id)
    share(bob, alice)
    in_album = builder.insert(owner)
    create_album(bob, [in_album], [alice])
    alice.sync(["PartnerAssetsV1"])
    unshare(bob, alice)
    assert _partner_deletes(alice.sync(["PartnerAssetsV1"])) == [str(in_album)]


def _partner_deletes(lines: list[dict[str, object]]) -> list[str]:
    return [str(d["assetId"]) for d in of_type(lines, "PartnerAssetDeleteV1")]
