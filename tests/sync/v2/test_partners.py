"""Partner streams: partner rows, partner assets/exif/stacks, backfill and lost access."""

from __future__ import annotations

import uuid

from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import SyncClient, new_client, of_type, types_of

PARTNER_TYPES = ["PartnersV1", "PartnerAssetsV1", "PartnerStacksV1", "PartnerAssetExifsV1"]


def share(owner: SyncClient, viewer: SyncClient) -> None:
    assert owner.http.post(f"/api/partners/{viewer.user_id}").status_code == 201


def unshare(owner: SyncClient, viewer: SyncClient) -> None:
    assert owner.http.delete(f"/api/partners/{viewer.user_id}").status_code == 204


def test_partner_sees_only_timeline_assets(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    owner = uuid.UUID(bob.user_id)
    shown = builder.insert(owner, exif=True)
    for visibility in ("archive", "hidden", "locked"):
        builder.insert(owner, exif=True, visibility=visibility)
    share(bob, alice)
    lines = alice.sync(PARTNER_TYPES)
    assert of_type(lines, "PartnerV1") == [
        {"sharedById": bob.user_id, "sharedWithId": alice.user_id, "inTimeline": False}
    ]
    assert [a["id"] for a in of_type(lines, "PartnerAssetV1")] == [str(shown)]
    assert [e["assetId"] for e in of_type(lines, "PartnerAssetExifV1")] == [str(shown)]
    assert "PartnerAssetV1" not in types_of(bob.stream(PARTNER_TYPES))


def test_asset_leaving_timeline_is_a_delete_and_returning_resends_it(
    server: LiveServer, builder: AssetBuilder
) -> None:
    """Stricter than Immich: archiving a partner's asset removes it from the viewer."""
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    asset_id = builder.insert(uuid.UUID(bob.user_id), exif=True)
    share(bob, alice)
    alice.sync(PARTNER_TYPES)
    builder.update([asset_id], visibility="archive")
    lines = alice.sync(PARTNER_TYPES)
    assert of_type(lines, "PartnerAssetDeleteV1") == [{"assetId": str(asset_id)}]
    assert "PartnerAssetV1" not in types_of(lines)
    builder.update([asset_id], visibility="timeline")
    lines = alice.sync(PARTNER_TYPES)
    assert [a["id"] for a in of_type(lines, "PartnerAssetV1")] == [str(asset_id)]
    assert [e["assetId"] for e in of_type(lines, "PartnerAssetExifV1")] == [str(asset_id)]


def test_unshare_deletes_everything_the_viewer_had(server: LiveServer, builder: AssetBuilder) -> None:
    """Stricter than Immich: an unshare sends deletes for the partner's assets and stacks."""
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    owner = uuid.UUID(bob.user_id)
    ids = [builder.insert(owner) for _ in range(3)]
    stack_id = builder.stack(owner, ids[:2])
    share(bob, alice)
    alice.sync(PARTNER_TYPES)
    unshare(bob, alice)
    lines = alice.sync(PARTNER_TYPES)
    assert of_type(lines, "PartnerDeleteV1") == [{"sharedById": bob.user_id, "sharedWithId": alice.user_id}]
    assert sorted(d["assetId"] for d in of_type(lines, "PartnerAssetDeleteV1")) == sorted(map(str, ids))
    assert of_type(lines, "PartnerStackDeleteV1") == [{"stackId": str(stack_id)}]
    assert types_of(alice.stream(PARTNER_TYPES)) == ["SyncCompleteV1"]


def test_interrupted_unshare_is_resent_whole(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    ids = [builder.insert(uuid.UUID(bob.user_id)) for _ in range(3)]
    share(bob, alice)
    alice.sync(PARTNER_TYPES)
    unshare(bob, alice)
    lines = alice.stream(["PartnerAssetsV1"])
    alice.ack([lines[0]])
    again = alice.stream(["PartnerAssetsV1"])
    assert sorted(d["assetId"] for d in of_type(again, "PartnerAssetDeleteV1")) == sorted(map(str, ids))


def test_backfill_when_a_partner_shares_later(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob, carol = new_client(server, "alice"), new_client(server, "bob"), new_client(server, "carol")
    old = builder.insert(uuid.UUID(bob.user_id), exif=True)
    share(carol, alice)
    builder.insert(uuid.UUID(carol.user_id), exif=True)
    alice.sync(PARTNER_TYPES)
    newer_carol = builder.insert(uuid.UUID(carol.user_id))
    share(bob, alice)
    newest = builder.insert(uuid.UUID(bob.user_id))
    lines = alice.sync(PARTNER_TYPES)
    assert [a["id"] for a in of_type(lines, "PartnerAssetBackfillV1")] == [str(old)]
    assert [e["assetId"] for e in of_type(lines, "PartnerAssetExifBackfillV1")] == [str(old)]
    complete = [i["ack"] for i in lines if i["type"] == "SyncAckV1"]
    assert any(a.startswith("PartnerAssetBackfillV1|") and a.endswith("|complete") for a in complete)
    assert {a["id"] for a in of_type(lines, "PartnerAssetV1")} == {str(newer_carol), str(newest)}
    assert types_of(alice.stream(PARTNER_TYPES)) == ["SyncCompleteV1"]


def test_stacks_and_partner_stacks(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    share(bob, alice)
    ids = [str(builder.insert(uuid.UUID(bob.user_id))) for _ in range(3)]
    created = bob.http.post("/api/stacks", json={"assetIds": ids[:2]})
    assert created.status_code == 201, created.text
    stack_id = created.json()["id"]
    own = bob.sync(["StacksV1", "AssetsV1"])
    assert [s["id"] for s in of_type(own, "StackV1")] == [stack_id]
    assert {a["stackId"] for a in of_type(own, "AssetV1") if a["id"] in ids[:2]} == {stack_id}
    seen = alice.sync(PARTNER_TYPES)
    assert of_type(seen, "PartnerStackV1")[0]["primaryAssetId"] == ids[0]
    assert bob.http.put(f"/api/stacks/{stack_id}", json={"primaryAssetId": ids[1]}).status_code == 200
    assert of_type(bob.sync(["StacksV1"]), "StackV1")[0]["primaryAssetId"] == ids[1]
    assert bob.http.delete(f"/api/stacks/{stack_id}").status_code == 204
    lines = bob.sync(["StacksV1", "AssetsV1"])
    assert of_type(lines, "StackDeleteV1") == [{"stackId": stack_id}]
    assert {a["stackId"] for a in of_type(lines, "AssetV1")} == {None}
    assert of_type(alice.sync(PARTNER_TYPES), "PartnerStackDeleteV1") == [{"stackId": stack_id}]
