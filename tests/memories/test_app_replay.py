"""Replays what Immich's mobile app (v2.7.5) does for the memory lane and iCloud ids: upload with
the iOS `metadata` field, sync every type it asks for, apply the lines to a model of its local
tables (memories, memory assets, remote assets, cloud ids), ack, and read the lane as its
`DriftMemoryRepository.getAll(onlyToday: true)` query does."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from filmroll.db.engine import Database
from filmroll.db.schema import memory_generation
from filmroll.services.memories import MemoryService
from tests.assets.helpers import PHOTOS, wait_for_jobs
from tests.memories.helpers import stream
from tests.support import LiveServer, login

APP_TYPES = [
    "AuthUsersV1", "UsersV1", "AssetsV1", "AssetExifsV1", "AssetEditsV1", "AssetMetadataV1", "PartnersV1",
    "PartnerAssetsV1", "PartnerAssetExifsV1", "AlbumsV1", "AlbumUsersV1", "AlbumAssetsV1",
    "AlbumAssetExifsV1", "AlbumToAssetsV1", "MemoriesV1", "MemoryToAssetsV1", "StacksV1",
    "PartnerStacksV1", "UserMetadataV1", "PeopleV1", "AssetFacesV2",
]  # fmt: skip
PHOTO = PHOTOS / "piexif" / "r_canon.jpg"


@dataclass
class AppDatabase:
    """The app's local tables this feature touches, updated as its sync repository does."""

    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    memories: dict[str, dict[str, Any]] = field(default_factory=dict)
    memory_assets: set[tuple[str, str]] = field(default_factory=set)
    cloud_ids: dict[str, str | None] = field(default_factory=dict)

    def apply(self, lines: list[dict[str, Any]]) -> None:
        for item in lines:
            kind, data = item["type"], item["data"]
            if kind in ("AssetV1", "PartnerAssetV1"):
                self.assets[data["id"]] = data
            elif kind in ("AssetDeleteV1", "PartnerAssetDeleteV1"):
                self.assets.pop(data["assetId"], None)  # cascades, as the app's foreign keys do
                self.memory_assets = {link for link in self.memory_assets if link[1] != data["assetId"]}
                self.cloud_ids.pop(data["assetId"], None)
            elif kind == "MemoryV1":
                self.memories[data["id"]] = data
            elif kind == "MemoryDeleteV1":
                self.memories.pop(data["memoryId"], None)
                self.memory_assets = {link for link in self.memory_assets if link[0] != data["memoryId"]}
            elif kind == "MemoryToAssetV1":
                # the app's link table references both rows: a link to an unknown row would fail
                assert data["memoryId"] in self.memories and data["assetId"] in self.assets, data
                self.memory_assets.add((data["memoryId"], data["assetId"]))
            elif kind == "MemoryToAssetDeleteV1":
                self.memory_assets.discard((data["memoryId"], data["assetId"]))
            elif kind == "AssetMetadataV1" and data["key"] == "mobile-app":
                self.cloud_ids[data["assetId"]] = data["value"].get("iCloudId")
            elif kind == "AssetMetadataDeleteV1" and data["key"] == "mobile-app":
                self.cloud_ids.pop(data["assetId"], None)

    def memory_lane(self, owner_id: str, today: date) -> list[tuple[int, list[str]]]:
        """Memories shown today with their timeline, not trashed assets, newest memory first."""
        midnight = datetime(today.year, today.month, today.day).isoformat() + ".000Z"
        lane = []
        for memory in sorted(self.memories.values(), key=lambda m: m["memoryAt"], reverse=True):
            if memory["ownerId"] != owner_id or memory["deletedAt"] is not None:
                continue
            if memory["showAt"] is not None and memory["showAt"] > midnight:
                continue
            if memory["hideAt"] is not None and memory["hideAt"] < midnight:
                continue
            shown = [
                a for m, a in self.memory_assets
                if m == memory["id"] and self.assets[a]["deletedAt"] is None
                and self.assets[a]["visibility"] == "timeline"
            ]  # fmt: skip
            if shown:
                lane.append((memory["data"]["year"], sorted(shown)))
        return lane


def test_app_memory_lane_and_cloud_ids(fresh_server: LiveServer) -> None:
    owner_id, email, _token = fresh_server.new_user("replay", password="app-pw-1")
    with fresh_server.client() as anon:
        token = login(anon, email, "app-pw-1")
    cloud = {
        "iCloudId": "5C1A3E2B-7D4F-4A8B-9C0D-1E2F3A4B5C6D/L0/001",
        "createdAt": "2013-12-17T14:04:24.000",
        "latitude": "52.52",
        "longitude": "13.405",
    }
    fields = {
        "filename": PHOTO.name,
        "deviceAssetId": "E621E1F8-C36C-495A-93FC-0C247A3E6E5F/L0/001",
        "deviceId": "app-device",
        "fileCreatedAt": "2013-12-17T13:04:24.000Z",
        "fileModifiedAt": "2013-12-17T13:04:24.000Z",
        "isFavorite": "false",
        "duration": "0",
        "metadata": json.dumps([{"key": "mobile-app", "value": cloud}]),
    }
    app = AppDatabase()
    with fresh_server.client(token) as c:
        resp = c.post(
            "/api/assets", data=fields, files={"assetData": (PHOTO.name, PHOTO.read_bytes(), "image/jpeg")}
        )
        assert resp.status_code == 201, resp.text
        asset_id = resp.json()["id"]
        wait_for_jobs(fresh_server)
        local = c.get(f"/api/assets/{asset_id}").json()["localDateTime"]
        taken = date.fromisoformat(local[:10])
        today = taken.replace(year=2026)

        db = Database(fresh_server.settings.resolved_database_url, pool_size=2)
        try:
            db.write_sync(
                lambda conn: conn.execute(
                    sa.update(memory_generation).values(last_on_this_day=date(2000, 1, 1))
                )
            )
            assert asyncio.run(MemoryService(db).generate(today)) == 1
        finally:
            db.dispose()

        app.apply(stream(c, APP_TYPES, only_known=True))
        assert app.cloud_ids == {asset_id: cloud["iCloudId"]}
        assert app.memory_lane(owner_id, today) == [(taken.year, [asset_id])]
        assert app.memory_lane(owner_id, date(2026, 1, 1)) == [], "shown on its day only"

        # the iOS app backfills cloud ids of assets uploaded without one, in bulk
        backfill = c.put(
            "/api/assets/metadata",
            json={"items": [{"assetId": asset_id, "key": "mobile-app", "value": {"iCloudId": "NEW/L0/001"}}]},
        )
        assert backfill.status_code == 200, backfill.text
        # trash the photo: the lane hides it, then restore it
        assert c.request("DELETE", "/api/assets", json={"ids": [asset_id]}).status_code == 204
        app.apply(stream(c, APP_TYPES, only_known=True))
        assert app.cloud_ids == {asset_id: "NEW/L0/001"}
        assert app.memory_lane(owner_id, today) == []
        assert c.post("/api/trash/restore/assets", json={"ids": [asset_id]}).status_code in (200, 204)
        app.apply(stream(c, APP_TYPES, only_known=True))
        assert app.memory_lane(owner_id, today) == [(taken.year, [asset_id])]

        # the memory is deleted on another device: the lane empties, links go with it
        memory_id = next(iter(app.memories))
        assert c.delete(f"/api/memories/{memory_id}").status_code == 204
        app.apply(stream(c, APP_TYPES, only_known=True))
        assert app.memories == {} and app.memory_assets == set()
        assert app.memory_lane(owner_id, today) == []
