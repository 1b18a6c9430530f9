"""One library seen by every kind of caller: built once per backend over real HTTP.

The owner uploads one video per asset state (a video answers every file path: thumbnail,
original and ranged playback) and puts each in an album shared with a viewer and an editor,
then changes the states. Every user synced (v1 watermark, v2 acks) before the uploads, so the
streams read afterwards show what each one is sent about the changes, deletes included.

So that listings can be told apart per state, each state has its own device asset id, month
of capture and place (a city of its own, with coordinates), and five photos besides the video
(place listings show photos only, explore a city of at least five). One memory of the owner
holds every video, made before the states changed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from filmroll.db import clock
from filmroll.db.schema import asset_exif
from tests.assets.helpers import PHOTOS, engine, upload, wait_for_jobs
from tests.support import LiveServer
from tests.sync.v1.helpers import delta, now_iso
from tests.sync.v2.helpers import SyncClient

VIDEO = PHOTOS / "pymediainfo" / "sample.mp4"
PHOTO = PHOTOS / "exif-parser" / "starfish.jpg"
PHOTOS_PER_STATE = 5
STATES = ("timeline", "archive", "hidden", "locked", "trashed", "deleted")
SYNC_TYPES = ["AssetsV1", "PartnerAssetsV1", "AlbumAssetsV1"]
USERS = ("owner", "partner", "viewer", "editor", "stranger")


def upload_copy(client: httpx.Client, path: Path, **fields: str) -> str:
    """Upload `path` with unique trailing bytes (a new checksum each time)."""
    content = path.read_bytes() + uuid.uuid4().bytes
    resp = upload(client, path, content, **fields)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def upload_video(client: httpx.Client, **fields: str) -> str:
    """Upload the sample video with unique trailing bytes (a new checksum each time)."""
    return upload_copy(client, VIDEO, **fields)


def month_of(state: str) -> str:
    """`2023-MM`: each state's own month of capture, so timeline buckets tell states apart."""
    return f"2023-{STATES.index(state) + 1:02d}"


def city_of(state: str) -> str:
    return f"Access {state.title()}"


@dataclass
class Scenario:
    server: LiveServer
    ids: dict[str, str] = field(default_factory=dict)
    """Asset id per state."""
    users: dict[str, SyncClient] = field(default_factory=dict)
    album_id: str = ""
    api_key: str = ""
    v2: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Each user's v2 lines after the changes."""
    v1_full: dict[str, list[dict[str, Any]] | int] = field(default_factory=dict)
    """Each user's v1 full sync of the owner's library (a status code when refused)."""
    v1_delta: dict[str, dict[str, Any]] = field(default_factory=dict)
    device_ids: dict[str, str] = field(default_factory=dict)
    """Device asset id of each state's video (device `pytest`)."""
    photo_ids: dict[str, list[str]] = field(default_factory=dict)
    memory_id: str = ""
    full_key: str = ""
    """The owner's API key with permission `all`."""
    seen: dict[tuple[str, str], dict[str, bool | int]] = field(default_factory=dict)
    """Listings already fetched, by (listing, role): one request serves every state."""

    def client(self, role: str) -> httpx.Client:
        if role == "anonymous":
            return self.server.client()
        if role == "api_key":
            return self.server.client(**{"x-api-key": self.api_key})
        if role == "api_key_all":
            return self.server.client(**{"x-api-key": self.full_key})
        return self.users[role].http


def _user(server: LiveServer, name: str) -> SyncClient:
    user_id, _email, token = server.new_user(name)
    return SyncClient(server.client(token), user_id)


def _ok(resp: httpx.Response, status: int = 200) -> Any:
    assert resp.status_code == status, resp.text
    return resp.json() if resp.content else None


def build(server: LiveServer) -> Scenario:
    s = Scenario(server)
    s.users = {name: _user(server, name) for name in USERS}
    owner, partner = s.users["owner"], s.users["partner"]
    _ok(owner.http.post("/api/partners", json={"sharedWithId": partner.user_id}), 201)
    members = [
        {"userId": s.users["viewer"].user_id, "role": "viewer"},
        {"userId": s.users["editor"].user_id, "role": "editor"},
    ]
    s.album_id = _ok(
        owner.http.post("/api/albums", json={"albumName": "shared", "albumUsers": members}), 201
    )["id"]
    key = _ok(
        owner.http.post("/api/api-keys", json={"name": "k", "permissions": ["asset.read", "asset.view"]}), 201
    )
    s.api_key = key["secret"]
    full = _ok(owner.http.post("/api/api-keys", json={"name": "all", "permissions": ["all"]}), 201)
    s.full_key = full["secret"]

    for client in s.users.values():
        client.sync(SYNC_TYPES)
    watermark = now_iso()

    uploaded_as = {"archive": "archive", "hidden": "hidden"}
    for state in STATES:
        shown_as = uploaded_as.get(state, "timeline")
        s.device_ids[state] = f"{state}-{uuid.uuid4().hex[:8]}"
        s.ids[state] = upload_video(owner.http, visibility=shown_as, deviceAssetId=s.device_ids[state])
        s.photo_ids[state] = [
            upload_copy(owner.http, PHOTO, visibility=shown_as) for _ in range(PHOTOS_PER_STATE)
        ]
    added = _ok(owner.http.put(f"/api/albums/{s.album_id}/assets", json={"ids": list(s.ids.values())}))
    assert all(r["success"] for r in added), added
    wait_for_jobs(server)
    _place(s)
    memory = {"type": "on_this_day", "data": {"year": 2023}, "memoryAt": "2023-01-15T12:00:00.000Z"}
    s.memory_id = _ok(
        owner.http.post("/api/memories", json={**memory, "assetIds": list(s.ids.values())}), 201
    )["id"]
    _ok(owner.http.put(f"/api/assets/{s.ids['locked']}", json={"visibility": "locked"}))
    _ok(owner.http.put("/api/assets", json={"ids": s.photo_ids["locked"], "visibility": "locked"}), 204)
    trashed, deleted = (
        [s.ids["trashed"], *s.photo_ids["trashed"]],
        [s.ids["deleted"], *s.photo_ids["deleted"]],
    )
    _ok(owner.http.request("DELETE", "/api/assets", json={"ids": trashed}), 204)
    _ok(owner.http.request("DELETE", "/api/assets", json={"ids": deleted, "force": True}), 204)

    for name, client in s.users.items():
        s.v2[name] = client.sync(SYNC_TYPES)
        own = [client.user_id] + ([owner.user_id] if name == "partner" else [])
        s.v1_delta[name] = delta(client.http, watermark, own)
        resp = client.http.post(
            "/api/sync/full-sync", json={"limit": 1000, "updatedUntil": now_iso(), "userId": owner.user_id}
        )
        s.v1_full[name] = resp.json() if resp.status_code == 200 else resp.status_code
    return s


def _place(s: Scenario) -> None:
    """Each state's month (through the API, as an app edits the date) and place: coordinates
    through the API, city, region and country written as metadata extraction would."""
    owner = s.users["owner"].http
    for n, state in enumerate(STATES):
        ids = [s.ids[state], *s.photo_ids[state]]
        edit = {
            "dateTimeOriginal": f"{month_of(state)}-15T12:00:00.000Z",
            "latitude": 10.0 + n,
            "longitude": 20.0,
        }
        _ok(owner.put("/api/assets", json={"ids": ids, **edit}), 204)
    wait_for_jobs(s.server)
    eng = engine(s.server)
    try:
        with eng.begin() as conn:
            # Stamped as every write is, so the change reaches sync and the stored wire forms
            # (other tests on the same server check those) are re-rendered.
            stamp = clock.reserve(conn)
            for state in STATES:
                keys = [uuid.UUID(i) for i in (s.ids[state], *s.photo_ids[state])]
                place = {"city": city_of(state), "state": f"{city_of(state)} Region", "country": "Accessland"}
                done = conn.execute(
                    sa.update(asset_exif)
                    .where(asset_exif.c.asset_id.in_(keys))
                    .values(**place, update_seq=stamp.seq, updated_at=stamp.at)
                )
                assert done.rowcount == len(keys)
    finally:
        eng.dispose()
