"""The replica on its own: apply rules for multi-source assets, albums, resets and snapshots."""

from __future__ import annotations

from typing import Any

import pytest

from filmroll.client.replica import Replica
from filmroll.client.v2 import acks_of


def line(entity_type: str, data: dict[str, Any], ack: str = "x") -> dict[str, Any]:
    return {"type": entity_type, "data": data, "ack": ack}


def asset(asset_id: str, owner: str = "me", **extra: Any) -> dict[str, Any]:
    return {"id": asset_id, "ownerId": owner, "originalFileName": f"{asset_id}.jpg", **extra}


def complete() -> dict[str, Any]:
    return line("SyncCompleteV1", {})


def test_partner_delete_keeps_an_asset_an_album_still_shows() -> None:
    with Replica() as replica:
        replica.apply_lines(
            [
                line("PartnerAssetV1", asset("a", "p")),
                line("PartnerAssetV1", asset("b", "p")),
                line("AlbumAssetCreateV1", asset("a", "p")),
                line("AlbumToAssetV1", {"albumId": "al", "assetId": "a"}),
                line("AssetExifV1", {"assetId": "b", "city": "Oslo"}),
                complete(),
            ]
        )
        replica.apply_lines(
            [line("PartnerAssetDeleteV1", {"assetId": "a"}), line("PartnerAssetDeleteV1", {"assetId": "b"})]
        )
        assert [a["id"] for a in replica.assets()] == ["a"]
        assert replica.count("exif") == 0
        replica.apply_lines([line("AlbumDeleteV1", {"albumId": "al"}), complete()])
        assert replica.assets() == []


def test_own_assets_survive_album_removal_and_delete_cascades_exif() -> None:
    with Replica() as replica:
        replica.apply_lines(
            [
                line("AssetV1", asset("a")),
                line("AlbumToAssetV1", {"albumId": "al", "assetId": "a"}),
                line("AssetExifV1", {"assetId": "a"}),
                line("AlbumToAssetDeleteV1", {"albumId": "al", "assetId": "a"}),
                complete(),
            ]
        )
        assert replica.count("assets") == 1 and replica.count("exif") == 1
        replica.apply_lines([line("AssetDeleteV1", {"assetId": "a"})])
        assert replica.count("assets") == 0 and replica.count("exif") == 0


def test_exif_that_arrives_before_its_asset_is_kept() -> None:
    """An asset changed after a run's upper bound comes a run after its unchanged exif."""
    with Replica() as replica:
        replica.apply_lines([line("AssetExifV1", {"assetId": "a", "city": "Oslo"}), complete()])
        assert replica.count("exif") == 1
        replica.apply_lines([line("AssetV1", asset("a")), complete()])
        assert replica.count("assets") == 1 and replica.count("exif") == 1
        replica.apply_lines(
            [line("AlbumAssetCreateV1", asset("b", "p")), line("AlbumAssetExifCreateV1", {"assetId": "b"})]
        )
        replica.apply_lines([complete()])
        assert [a["id"] for a in replica.assets()] == ["a"], "album-only asset without a link is pruned"
        assert replica.count("exif") == 1, "with its exif"


def test_reset_wipes_data_but_keeps_local_state() -> None:
    with Replica() as replica:
        replica.put("token", "t")
        replica.put("sync.v1.etag", "2024-01-01T00:00:00.000Z")
        replica.apply_lines([line("UserV1", {"id": "u", "name": "U"}), line("AssetV1", asset("a"))])
        replica.apply_lines([line("SyncResetV1", {})])
        assert all(not rows for rows in replica.snapshot().values())
        assert replica.get("token") == "t" and replica.get("sync.v1.etag") is None


def test_snapshots_compare_by_content_not_history() -> None:
    with Replica() as one, Replica() as two:
        one.apply_lines(
            [line("AssetV1", asset("a", isFavorite=False)), line("AssetV1", asset("a", isFavorite=True))]
        )
        two.apply_lines([line("AssetV1", {**asset("a"), "isFavorite": True})])
        assert one.snapshot() == two.snapshot()
        two.apply_lines([line("UserMetadataV1", {"userId": "me", "key": "preferences", "value": {}})])
        assert one.snapshot() != two.snapshot()


def test_failed_batch_rolls_back_and_unknown_types_are_skipped() -> None:
    with Replica() as replica:
        with pytest.raises(KeyError):
            replica.apply_lines([line("AssetV1", asset("a")), line("AssetV1", {"broken": True})])
        assert replica.count("assets") == 0
        replica.apply_lines([line("MemoryV1", {"id": "m"})])
        assert replica.skipped == {"MemoryV1": 1}


def test_acks_of_a_batch() -> None:
    assert acks_of([line("AssetV1", {}, "AssetV1|1"), line("AssetV1", {}, "AssetV1|2")]) == ["AssetV1|2"]
    backfills = [
        line("SyncAckV1", {}, "PartnerAssetBackfillV1|a|complete"),
        line("SyncAckV1", {}, "AlbumAssetUpdateV1|9"),
        line("SyncAckV1", {}, "PartnerAssetBackfillV1|b|complete"),
    ]
    assert acks_of(backfills) == ["PartnerAssetBackfillV1|b|complete", "AlbumAssetUpdateV1|9"]
