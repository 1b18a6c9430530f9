"""Locked assets through locked and unlocked sessions: one table, over real HTTP on both databases.

The expectations are written out by hand. Only a session unlocked with the owner's PIN reads or
changes a locked asset, or the motion part of a locked live photo (a hidden video that shows the
locked photo); a locked session, a session whose unlock expired and an API key get the same 400
as for someone else's asset. Sync follows Immich: the v2 `AssetsV1` stream sends the owner's
locked assets (metadata, with `visibility: locked`) to every session of the owner, since the
mobile app builds its locked folder from them, and v1 full and delta sync never send them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest

from filmroll.db.clock import utcnow
from tests.access.scenario import upload_video
from tests.assets.helpers import PHOTOS, upload, wait_for_jobs
from tests.contract import assert_error_body
from tests.locked.helpers import PIN, child_session, set_pin_expires_at, token_of, unlock
from tests.support import LiveServer
from tests.sync.v1.helpers import delta, full_sync, now_iso
from tests.sync.v2.helpers import SyncClient, of_type

STILL = PHOTOS / "exif-parser" / "starfish.jpg"
ASSETS = ("timeline", "locked", "still", "motion", "open_still", "open_motion")
"""`still` is a locked live photo and `motion` its video; `open_*` the same on the timeline."""
VIDEOS = ("timeline", "locked", "motion", "open_motion")
ROLES = ("locked", "unlocked", "expired", "api_key", "other")
"""The owner's session never unlocked, unlocked, unlocked with the unlock past; the owner's
API key with every permission; another user's unlocked session."""

OK, NO = True, False
PIN_ONLY = {"timeline": OK, "locked": NO, "still": NO, "motion": NO, "open_still": OK, "open_motion": OK}
"""What the owner reads without an unlocked session."""
READS: dict[str, dict[str, bool]] = {
    "locked": PIN_ONLY,
    "unlocked": dict.fromkeys(ASSETS, OK),
    "expired": PIN_ONLY,
    "api_key": PIN_ONLY,
    "other": dict.fromkeys(ASSETS, NO),
}
PATHS = {"info": "read", "thumbnail": "view", "original": "download", "playback": "view"}


@dataclass
class World:
    server: LiveServer
    owner_id: str = ""
    ids: dict[str, str] = field(default_factory=dict)
    clients: dict[str, httpx.Client] = field(default_factory=dict)


def _upload_still(client: httpx.Client, **fields: str) -> str:
    resp = upload(client, STILL, STILL.read_bytes() + uuid.uuid4().bytes, **fields)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


@pytest.fixture(scope="module")
def world(server: LiveServer) -> Iterator[World]:
    w = World(server)
    w.owner_id, _email, token = server.new_user("locker")
    owner = server.client(token)
    w.ids["timeline"] = upload_video(owner)
    w.ids["locked"] = upload_video(owner, visibility="locked")
    w.ids["motion"] = upload_video(owner)
    w.ids["still"] = _upload_still(owner, livePhotoVideoId=w.ids["motion"], visibility="locked")
    w.ids["open_motion"] = upload_video(owner)
    w.ids["open_still"] = _upload_still(owner, livePhotoVideoId=w.ids["open_motion"])
    wait_for_jobs(server)
    key = owner.post("/api/api-keys", json={"name": "all", "permissions": ["all"]}).json()["secret"]

    w.clients["locked"] = owner
    w.clients["unlocked"] = child_session(owner, server)
    unlock(w.clients["unlocked"])
    w.clients["expired"] = child_session(owner, server)
    unlock(w.clients["expired"])
    set_pin_expires_at(server, token_of(w.clients["expired"]), utcnow() - timedelta(seconds=1))
    w.clients["api_key"] = server.client(**{"x-api-key": key})
    _other_id, _email, other_token = server.new_user("other")
    w.clients["other"] = server.client(other_token)
    unlock(w.clients["other"])
    yield w
    for client in w.clients.values():
        client.close()


def _path(asset_id: str, path: str) -> str:
    suffix = {"info": "", "thumbnail": "/thumbnail", "original": "/original", "playback": "/video/playback"}
    return f"/api/assets/{asset_id}{suffix[path]}"


READ_CASES = [(asset, path) for asset in ASSETS for path in PATHS if path != "playback" or asset in VIDEOS]
"""Every asset through every path it answers (only videos play back)."""


@pytest.mark.parametrize(("asset", "path"), READ_CASES)
@pytest.mark.parametrize("role", ROLES)
def test_point_reads(world: World, role: str, asset: str, path: str) -> None:
    headers = {"range": "bytes=0-99"} if path == "playback" else {}
    resp = world.clients[role].get(_path(world.ids[asset], path), headers=headers)
    if READS[role][asset]:
        assert resp.status_code == (206 if path == "playback" else 200), resp.text[:300]
    else:
        body = assert_error_body(resp, 400)
        assert body["message"] == f"Not found or no asset.{PATHS[path]} access"


def test_status_per_role(world: World) -> None:
    elevated = {role: world.clients[role].get("/api/auth/status").json()["isElevated"] for role in ROLES}
    assert elevated == {"locked": False, "unlocked": True, "expired": False, "api_key": False, "other": True}


@pytest.mark.parametrize("role", ["locked", "expired", "api_key", "unlocked"])
def test_changes_need_an_unlocked_session(world: World, role: str) -> None:
    owner = world.clients["unlocked"]
    target, plain = upload_video(owner, visibility="locked"), upload_video(owner)
    client = world.clients[role]
    allowed = role == "unlocked"

    def check(resp: httpx.Response, status: int, action: str) -> None:
        if allowed:
            assert resp.status_code == status, resp.text
        else:
            assert assert_error_body(resp, 400)["message"] == f"Not found or no asset.{action} access"

    # Nothing moves out of the locked folder, alone or in a bulk edit with an open asset.
    check(client.put("/api/assets", json={"ids": [plain, target], "isFavorite": True}), 204, "update")
    check(client.post("/api/stacks", json={"assetIds": [plain, target]}), 201, "update")
    check(client.request("DELETE", "/api/assets", json={"ids": [target]}), 204, "delete")
    check(client.post("/api/trash/restore/assets", json={"ids": [target]}), 200, "delete")
    check(client.put(f"/api/assets/{target}", json={"visibility": "timeline"}), 200, "update")
    info = owner.get(f"/api/assets/{target}").json()
    assert (info["visibility"], info["isFavorite"]) == (("timeline", True) if allowed else ("locked", False))
    assert owner.get(f"/api/assets/{plain}").json()["isFavorite"] is allowed
    # Moving into the locked folder needs no PIN (the asset is not locked yet); the apps move
    # a selection with the bulk edit.
    assert client.put("/api/assets", json={"ids": [plain], "visibility": "locked"}).status_code == 204
    assert owner.get(f"/api/assets/{plain}").json()["visibility"] == "locked"


def test_sync_is_the_same_for_locked_and_unlocked_sessions(world: World) -> None:
    """v2 sends locked assets to every session of the owner (as Immich: the app's locked folder
    is built from them); v1 never sends them (its apps would show them on the timeline)."""
    types = ["AssetsV1"]
    streams = {}
    for role in ("locked", "unlocked", "expired"):
        assets = of_type(SyncClient(world.clients[role], world.owner_id).stream(types), "AssetV1")
        streams[role] = {a["id"]: a for a in assets if a["id"] in world.ids.values()}
    assert len(streams["locked"]) == len(ASSETS)
    assert streams["locked"] == streams["unlocked"] == streams["expired"]
    by_id = streams["locked"]
    for name in ("locked", "still"):
        assert by_id[world.ids[name]]["visibility"] == "locked"
    assert by_id[world.ids["motion"]]["visibility"] == "hidden"
    assert by_id[world.ids["still"]]["livePhotoVideoId"] == world.ids["motion"]

    hidden_from_v1 = {world.ids[name] for name in ("locked", "still", "motion", "open_motion")}
    shown_by_v1 = {world.ids[name] for name in ("timeline", "open_still")}
    for role in ("locked", "unlocked"):
        client = world.clients[role]
        full = {a["id"] for a in full_sync(client, userId=world.owner_id, updatedUntil=now_iso())}
        assert shown_by_v1 <= full and not hidden_from_v1 & full
        body = delta(client, now_iso(-timedelta(days=1)), [world.owner_id])
        upserted = {a["id"] for a in body["upserted"]}
        assert shown_by_v1 <= upserted and not hidden_from_v1 & upserted


def test_pin_of_another_user_does_not_unlock(world: World) -> None:
    other = world.clients["other"]
    assert other.get("/api/auth/status").json()["isElevated"] is True
    resp = other.post("/api/auth/session/unlock", json={"pinCode": PIN})
    assert resp.status_code == 204
    assert other.get(_path(world.ids["locked"], "info")).status_code == 400
