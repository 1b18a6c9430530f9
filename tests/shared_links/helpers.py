"""Helpers for shared-link tests: real uploads (so every file path answers), links, visitors."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.assets.helpers import PHOTOS, upload
from tests.support import LiveServer

PHOTO = PHOTOS / "exif-parser" / "starfish.jpg"
"""A JPEG with camera and GPS metadata, which a link hiding metadata must not reveal."""
VIDEO = PHOTOS / "pymediainfo" / "sample.mp4"


def upload_photo(client: httpx.Client, path: Any = PHOTO, **fields: str) -> str:
    """Upload a fixture with unique trailing bytes (a new checksum each time); returns its id."""
    resp = upload(client, path, path.read_bytes() + uuid.uuid4().bytes, **fields)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def user(server: LiveServer, name: str) -> tuple[str, httpx.Client]:
    user_id, _email, token = server.new_user(name)
    return user_id, server.client(token)


def create_link(client: httpx.Client, **body: Any) -> dict[str, Any]:
    resp = client.post("/api/shared-links", json=body)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def create_album(client: httpx.Client, asset_ids: list[str], name: str = "shared") -> str:
    resp = client.post("/api/albums", json={"albumName": name, "assetIds": asset_ids})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def visitor(server: LiveServer, key: str | None = None, slug: str | None = None) -> httpx.Client:
    """A client with no credentials of its own that presents a link on every request."""
    params = {"key": key} if key else {"slug": slug or ""}
    return httpx.Client(base_url=server.url, params=params, timeout=60)
