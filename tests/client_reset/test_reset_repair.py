"""Repair instead of reset for every kind a replica keeps.

A replica that missed changes of every kind (own and partners' assets, exif and stacks,
albums, album members and links, users; a new partner and a new album membership among
them) and is then told to reset is repaired by digest difference, ends equal to a fresh full
download, and the stream after the repair sends no line of a repaired kind: the digests'
checkpoints (backfill ones included) cover all of it. Changes made after the digests read
the clock still arrive by that stream.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filmroll.client.connect import connect
from filmroll.client.mirror import open_replica
from filmroll.client.repair import ASSETS, EXIF, KINDS, keep_only_repairable
from filmroll.client.replica import Replica
from filmroll.client.v2 import REPAIR_PENDING, SyncStats, pending_kinds, sync_v2
from tests.assets.helpers import wait_for_jobs
from tests.client.helpers import User, assert_equals_fresh_copy, forms_settled, new_user, reset
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder

LINES = {
    "AssetsV1": ("AssetV1", "AssetDeleteV1"),
    "AssetExifsV1": ("AssetExifV1",),
    "PartnerAssetsV1": ("PartnerAssetV1", "PartnerAssetBackfillV1", "PartnerAssetDeleteV1"),
    "PartnerAssetExifsV1": ("PartnerAssetExifV1", "PartnerAssetExifBackfillV1"),
    "StacksV1": ("StackV1", "StackDeleteV1"),
    "PartnerStacksV1": ("PartnerStackV1", "PartnerStackBackfillV1", "PartnerStackDeleteV1"),
    "AlbumsV1": ("AlbumV1", "AlbumDeleteV1"),
    "AlbumUsersV1": ("AlbumUserV1", "AlbumUserBackfillV1", "AlbumUserDeleteV1"),
    "AlbumToAssetsV1": ("AlbumToAssetV1", "AlbumToAssetBackfillV1", "AlbumToAssetDeleteV1"),
    "AlbumAssetsV1": ("AlbumAssetCreateV1", "AlbumAssetUpdateV1", "AlbumAssetBackfillV1"),
    "AlbumAssetExifsV1": ("AlbumAssetExifCreateV1", "AlbumAssetExifUpdateV1", "AlbumAssetExifBackfillV1"),
    "UsersV1": ("UserV1", "UserDeleteV1"),
}
"""The lines each repaired request type's stream sends, by entity type."""


def call(server: LiveServer, user: User | str, method: str, path: str, body: Any = None) -> Any:
    token = user if isinstance(user, str) else user.token
    with server.client(token) as http:
        resp = http.request(method, path, json=body)
        assert resp.status_code in (200, 201, 204), (method, path, resp.text)
        return resp.json() if resp.content else None


def album(
    server: LiveServer, owner: User, name: str, assets: Sequence[str], members: Sequence[User] = ()
) -> str:
    body = {
        "albumName": name,
        "assetIds": list(assets),
        "albumUsers": [{"userId": m.id, "role": "viewer"} for m in members],
    }
    return str(call(server, owner, "POST", "/api/albums", body)["id"])


@dataclass
class World:
    alice: User
    bob: User
    carol: User
    dave: User
    gone: User
    own: list[str] = field(default_factory=list)
    bobs: list[str] = field(default_factory=list)
    carols: list[str] = field(default_factory=list)
    own_stacks: list[str] = field(default_factory=list)
    bob_stacks: list[str] = field(default_factory=list)
    albums: list[str] = field(default_factory=list)
    bobs_album: str = ""
    daves_album: str = ""


def build(server: LiveServer, builder: AssetBuilder, tag: str) -> World:
    """alice, bob sharing with her, carol (who will share while alice is away), dave (whose
    album alice will be added to) and a user that will be deleted, each with assets."""
    alice, bob, carol, dave, gone = (
        new_user(server, f"{tag}-{n}") for n in ("alice", "bob", "carol", "dave", "gone")
    )
    world = World(alice, bob, carol, dave, gone)
    call(server, world.bob, "POST", f"/api/partners/{world.alice.id}")

    def insert(user: User, count: int) -> list[str]:
        return [str(builder.insert(uuid.UUID(user.id), exif=True)) for _ in range(count)]

    world.own, world.bobs, world.carols = insert(world.alice, 8), insert(world.bob, 8), insert(world.carol, 4)
    daves = insert(world.dave, 2)

    def stack(user: User, ids: list[str]) -> str:
        return str(builder.stack(uuid.UUID(user.id), [uuid.UUID(i) for i in ids]))

    world.own_stacks = [stack(world.alice, world.own[4:6]), stack(world.alice, world.own[6:8])]
    world.bob_stacks = [stack(world.bob, world.bobs[4:6]), stack(world.bob, world.bobs[6:8])]
    stack(world.carol, world.carols[2:4])
    world.albums = [
        album(server, world.alice, "one", [world.own[0], world.own[2]]),
        album(server, world.alice, "two", [world.own[3]]),
    ]
    world.bobs_album = album(server, world.bob, "bob's", world.bobs[:2], [world.alice, world.dave])
    world.daves_album = album(server, world.dave, "dave's", daves, [world.carol])
    wait_for_jobs(server)
    forms_settled(builder.db)
    return world


def away(server: LiveServer, builder: AssetBuilder, world: World) -> dict[str, str]:
    """Changes of every kind while alice's replica is away: upserts and deletes, a new
    partner (carol) and a new album membership (dave's album). Returns a few new ids."""
    alice, bob = world.alice, world.bob
    own, bobs = world.own, world.bobs
    # own assets and exif
    builder.update([uuid.UUID(own[0])], is_favorite=True)
    builder.delete([uuid.UUID(own[1])])
    call(server, alice, "PUT", f"/api/assets/{own[2]}", {"description": "own, edited"})
    # partner assets and exif, and a new partner
    builder.update([uuid.UUID(bobs[2])], is_favorite=True)
    builder.delete([uuid.UUID(bobs[3])])
    added = str(builder.insert(uuid.UUID(bob.id), exif=True))
    call(server, bob, "PUT", f"/api/assets/{bobs[5]}", {"description": "bob's, edited"})
    call(server, world.carol, "POST", f"/api/partners/{alice.id}")
    # bob stops sharing and shares again: the old partner delete must not undo his assets
    call(server, bob, "DELETE", f"/api/partners/{alice.id}")
    call(server, bob, "POST", f"/api/partners/{alice.id}")
    # own and partner stacks
    call(server, alice, "DELETE", f"/api/stacks/{world.own_stacks[0]}")
    new_stack = str(call(server, alice, "POST", "/api/stacks", {"assetIds": [own[2], own[3]]})["id"])
    call(server, bob, "DELETE", f"/api/stacks/{world.bob_stacks[0]}")
    call(server, bob, "PUT", f"/api/stacks/{world.bob_stacks[1]}", {"primaryAssetId": bobs[7]})
    # albums, members and links, and a new membership
    one, two = world.albums
    call(server, alice, "PATCH", f"/api/albums/{one}", {"albumName": "one, renamed"})
    call(server, alice, "DELETE", f"/api/albums/{two}")
    four = album(server, alice, "four", [own[5]])
    shared = world.bobs_album
    call(server, bob, "DELETE", f"/api/albums/{shared}/user/{world.dave.id}")
    call(server, bob, "PUT", f"/api/albums/{shared}/users", {"albumUsers": [{"userId": world.carol.id}]})
    call(server, bob, "PUT", f"/api/albums/{shared}/user/{alice.id}", {"role": "editor"})
    call(server, bob, "PUT", f"/api/albums/{shared}/assets", {"ids": [bobs[6]]})
    call(server, bob, "DELETE", f"/api/albums/{shared}/assets", {"ids": [bobs[0]]})
    body = {"albumUsers": [{"userId": alice.id, "role": "viewer"}]}
    call(server, world.dave, "PUT", f"/api/albums/{world.daves_album}/users", body)
    # users
    call(server, alice, "PUT", "/api/users/me", {"name": "Alice, renamed"})
    erin = new_user(server, "erin")
    call(server, server.admin(), "DELETE", f"/api/admin/users/{world.gone.id}", {"force": True})
    wait_for_jobs(server)
    forms_settled(builder.db)
    return {"added": added, "stack": new_stack, "album": four, "erin": erin.id}


def streamed(stats: SyncStats, request_type: str) -> dict[str, int]:
    return {entity: stats.applied[entity] for entity in LINES[request_type] if entity in stats.applied}


async def test_every_kind_is_repaired_after_a_reset_and_not_streamed_again(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    world = build(server, builder, "every")
    replica = open_replica(tmp_path / "old")
    try:
        api = await connect(server.url, replica, world.alice.creds)
        try:
            first = await sync_v2(api, replica)
            for entity in ("PartnerAssetV1", "StackV1", "PartnerStackV1", "AlbumV1", "AlbumUserV1", "UserV1"):
                assert first.applied.get(entity), entity
            made = away(server, builder, world)
            await reset(api)

            stats = await sync_v2(api, replica)
            assert stats.resets == 1 and not stats.full
            [done] = stats.repairs
            for kind in KINDS:
                found = done.found[kind.request_type]
                # the repair had work of every kind, and the stream sent none of it again
                assert found.missing or found.extra or found.stale, kind.request_type
                assert streamed(stats, kind.request_type) == {}, kind.request_type
            # what has no digest is streamed again from the start
            assert stats.applied["AuthUserV1"] == 1 and stats.applied["PartnerV1"] == 2
            partner = done.found["PartnerAssetsV1"]
            assert made["added"] in partner.missing and world.bobs[3] in partner.extra
            assert set(world.carols) <= set(partner.missing), "the new partner's assets are fetched"
            assert world.bobs[2] in partner.stale and world.bobs[1] not in partner.stale
            assert world.bobs[5] in done.found["PartnerAssetExifsV1"].stale
            members = done.found["AlbumUsersV1"]
            assert f"{world.daves_album}:{world.carol.id}" in members.missing, "the new membership's members"
            assert f"{world.bobs_album}:{world.dave.id}" in members.extra
            assert f"{world.daves_album}:" in " ".join(done.found["AlbumToAssetsV1"].missing)
            assert made["erin"] in done.found["UsersV1"].missing
            assert world.gone.id in done.found["UsersV1"].extra
            assert not replica.get(REPAIR_PENDING)

            # the checkpoints are where a full stream would have left them
            again = await sync_v2(api, replica, check=True)
            assert again.lines == 1 and again.repairs[0].fetched == 0, again.applied
        finally:
            await api.aclose()
        await assert_equals_fresh_copy(server, world.alice, replica, tmp_path / "fresh")
    finally:
        replica.close()


async def test_changes_after_the_digests_read_the_clock_are_streamed(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    """Changes made while the repair runs (after the first digests, and just before their
    checkpoints are stored) are after the digests' clock reading: the stream sends them, a
    new partner and a new album membership as backfill."""
    world = build(server, builder, "late")
    alice, bob = world.alice, world.bob
    replica = open_replica(tmp_path / "old")
    try:
        api = await connect(server.url, replica, alice.creds)
        try:
            await sync_v2(api, replica)
            builder.update([uuid.UUID(world.bobs[2])], is_favorite=True)
            forms_settled(builder.db)
            await reset(api)

            digest, ack = api.digest, api.ack
            during: list[str] = []

            async def digest_then_change(
                request_type: str, bucket: str | None = None, *, split: bool = False
            ) -> dict[str, Any]:
                answer = await digest(request_type, bucket, split=split)
                if request_type == "PartnerAssetsV1" and bucket is None and not during:
                    during.append(str(builder.insert(uuid.UUID(bob.id), exif=True)))
                    builder.update([uuid.UUID(world.bobs[4])], is_favorite=True)
                    forms_settled(builder.db)
                return answer

            async def change_then_ack(acks: Sequence[str]) -> None:
                if any(a.startswith("PartnerAssetBackfillV1|") for a in acks) and len(during) == 1:
                    during.append("acked")
                    builder.delete([uuid.UUID(world.bobs[5])])
                    call(server, world.carol, "POST", f"/api/partners/{alice.id}")
                    call(server, bob, "PATCH", f"/api/albums/{world.bobs_album}", {"albumName": "late name"})
                    call(
                        server, bob, "PUT", f"/api/albums/{world.bobs_album}/assets", {"ids": [world.bobs[6]]}
                    )
                    body = {"albumUsers": [{"userId": alice.id, "role": "viewer"}]}
                    call(server, world.dave, "PUT", f"/api/albums/{world.daves_album}/users", body)
                    call(server, alice, "DELETE", f"/api/stacks/{world.own_stacks[0]}")
                    call(server, alice, "PUT", "/api/users/me", {"name": "Alice, late"})
                    wait_for_jobs(server)
                    forms_settled(builder.db)
                await ack(acks)

            api.digest = digest_then_change  # type: ignore[method-assign]
            api.ack = change_then_ack  # type: ignore[method-assign]
            stats = await sync_v2(api, replica)
            api.digest, api.ack = digest, ack  # type: ignore[method-assign]
            assert stats.resets == 1 and not stats.full and during

            # after the checkpoints: streamed, and only that
            # (the two changes between the first digests and the checkpoints came after the
            # partner digest's clock reading: streamed whether or not the repair saw them)
            assert streamed(stats, "PartnerAssetsV1") == {
                "PartnerAssetV1": 2,
                "PartnerAssetDeleteV1": 1,
                "PartnerAssetBackfillV1": len(world.carols),
            }
            assert streamed(stats, "PartnerAssetExifsV1")["PartnerAssetExifBackfillV1"] == len(world.carols)
            assert streamed(stats, "PartnerStacksV1") == {"PartnerStackBackfillV1": 1}
            assert streamed(stats, "StacksV1") == {"StackDeleteV1": 1}
            assert streamed(stats, "AlbumsV1") == {"AlbumV1": 2}  # renamed, and dave's
            # dave's album: carol, a member before the checkpoints, by backfill; alice, after
            assert streamed(stats, "AlbumUsersV1") == {"AlbumUserBackfillV1": 1, "AlbumUserV1": 1}
            assert streamed(stats, "AlbumToAssetsV1") == {"AlbumToAssetBackfillV1": 2, "AlbumToAssetV1": 1}
            # alice's new name, and bob's row when his asset changes (which update his usage)
            # came after the users digest read the clock
            assert streamed(stats, "UsersV1")["UserV1"] in (1, 2)
        finally:
            await api.aclose()
        await assert_equals_fresh_copy(server, alice, replica, tmp_path / "fresh")
    finally:
        replica.close()


def test_only_repaired_kinds_are_kept_for_a_repair() -> None:
    """A stream of a few types keeps only their rows: whatever is not repaired must arrive in
    full onto nothing stale (and a pending repair from an older client covered own assets
    and exif only)."""
    me, other = "a" * 8 + "-0000-0000-0000-" + "0" * 12, "b" * 8 + "-0000-0000-0000-" + "0" * 12
    with Replica() as replica:

        def line(entity: str, **data: Any) -> dict[str, Any]:
            return {"type": entity, "data": data, "ack": "x"}

        def asset(asset_id: str, owner: str) -> dict[str, Any]:
            return {"id": asset_id, "ownerId": owner, "fileCreatedAt": "2024-01-01T00:00:00.000Z"}

        replica.apply_lines(
            [
                line("AuthUserV1", id=me),
                line("UserV1", id=other),
                line("PartnerV1", sharedById=other, sharedWithId=me),
                line("AssetV1", **asset("own", me)),
                line("PartnerAssetV1", **asset("theirs", other)),
                line("AlbumAssetCreateV1", **asset("album-only", other)),
                *[line("AssetExifV1", assetId=i) for i in ("own", "theirs", "album-only")],
                line("StackV1", id="s1", ownerId=me),
                line("PartnerStackV1", id="s2", ownerId=other),
                line("AlbumV1", id="al"),
                line("AlbumToAssetV1", albumId="al", assetId="album-only"),
            ]
        )
        with replica.transaction() as conn:
            keep_only_repairable(conn, ["AssetsV1", "PartnerAssetsV1", "AssetExifsV1", "StacksV1"])
        assert {
            t: replica.count(t) for t in ("auth_user", "users", "partners", "albums", "album_assets")
        } == {
            "auth_user": 0,
            "users": 0,
            "partners": 0,
            "albums": 0,
            "album_assets": 0,
        }
        assert [a["id"] for a in replica.assets()] == ["own", "theirs"]
        assert sorted(k for (k,) in replica.rows("exif")) == ["own"]
        assert sorted(k for (k,) in replica.rows("stacks")) == ["s1"]
    assert pending_kinds("1") == (ASSETS, EXIF)
    assert pending_kinds("StacksV1,AssetsV1") == (KINDS[0], KINDS[4])
