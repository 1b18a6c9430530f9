"""One library seen by every kind of caller: built once per backend over real HTTP.

The owner uploads one video per asset state (a video answers every file path: thumbnail,
original and ranged playback) and puts each in an album shared with a viewer and an editor,
then changes the states. Every user synced (v1 watermark, v2 acks) before the uploads, so the
streams read afterwards show what each one is sent about the changes, deletes included.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.assets.helpers import PHOTOS, upload, wait_for_jobs
from tests.support import LiveServer
from tests.sync.v1.helpers import delta, now_iso
from tests.sync.v2.helpers import SyncClient

VIDEO = PHOTOS / "pymediainfo" / "sample.mp4"
STATES = ("timeline", "archive", "hidden", "locked", "trashed", "deleted")
SYNC_TYPES = ["AssetsV1", "PartnerAssetsV1", "AlbumAssetsV1"]
USERS = ("owner", "partner", "viewer", "editor", "stranger")


def upload_video(client: httpx.Client, **fields: str) -> str:
    """Upload the sample video with unique trailing bytes (a new checksum each time)."""
    content = VIDEO.read_bytes() + uuid.uuid4().bytes
    resp = upload(client, VIDEO, content, **fields)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


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

    def client(self, role: str) -> httpx.Client:
        if role == "anonymous":
            return self.server.client()
        if role == "api_key":
            return self.server.client(**{"x-api-key": self.api_key})
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

    for client in s.users.values():
        client.sync(SYNC_TYPES)
    watermark = now_iso()

    uploaded_as = {"archive": "archive", "hidden": "hidden"}
    for state in STATES:
        s.ids[state] = upload_video(owner.http, visibility=uploaded_as.get(state, "timeline"))
    added = _ok(owner.http.put(f"/api/albums/{s.album_id}/assets", json={"ids": list(s.ids.values())}))
    assert all(r["success"] for r in added), added
    wait_for_jobs(server)
    _ok(owner.http.put(f"/api/assets/{s.ids['locked']}", json={"visibility": "locked"}))
    _ok(owner.http.request("DELETE", "/api/assets", json={"ids": [s.ids["trashed"]]}), 204)
    _ok(owner.http.request("DELETE", "/api/assets", json={"ids": [s.ids["deleted"]], "force": True}), 204)

    for name, client in s.users.items():
        s.v2[name] = client.sync(SYNC_TYPES)
        own = [client.user_id] + ([owner.user_id] if name == "partner" else [])
        s.v1_delta[name] = delta(client.http, watermark, own)
        resp = client.http.post(
            "/api/sync/full-sync", json={"limit": 1000, "updatedUntil": now_iso(), "userId": owner.user_id}
        )
        s.v1_full[name] = resp.json() if resp.status_code == 200 else resp.status_code
    return s
