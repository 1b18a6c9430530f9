"""Helpers for the asset tests: uploads over real HTTP, waiting for jobs, looking at disk and DB."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from filmroll.db.engine import normalise_url
from filmroll.db.schema import assets
from tests.contract import assert_matches
from tests.support import FIXTURES, LiveServer

PHOTOS = FIXTURES / "photos"
MANIFEST: list[dict[str, Any]] = json.loads((PHOTOS / "manifest.json").read_text(encoding="utf-8"))


def form(**overrides: str) -> dict[str, str]:
    fields = {
        "deviceAssetId": f"dev-{uuid.uuid4().hex[:8]}",
        "deviceId": "pytest",
        "fileCreatedAt": "2024-01-02T03:04:05.000Z",
        "fileModifiedAt": "2024-01-02T03:04:05.000Z",
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v != ""}


def upload(client: httpx.Client, path: Path, content: bytes | None = None, **fields: str) -> httpx.Response:
    data = path.read_bytes() if content is None else content
    files = {"assetData": (path.name, data, "application/octet-stream")}
    return client.post("/api/assets", data=form(**fields), files=files)


def sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def wait_for_jobs(server: LiveServer, timeout: float = 120) -> dict[str, Any]:
    """Poll `GET /api/jobs` until no queue has waiting, delayed or active jobs."""
    deadline = time.monotonic() + timeout
    with server.client(server.admin()) as admin:
        while True:
            body = admin.get("/api/jobs").json()
            busy = sum(
                q["jobCounts"]["waiting"] + q["jobCounts"]["active"] + q["jobCounts"]["delayed"]
                for q in body.values()
            )
            if busy == 0:
                return dict(body)
            if time.monotonic() > deadline:
                raise AssertionError(f"jobs still running: {body}")
            time.sleep(0.1)


def engine(server: LiveServer) -> sa.Engine:
    url = server.settings.database_url
    assert url is not None
    return sa.create_engine(normalise_url(url))


def asset_count(server: LiveServer, owner_id: str) -> int:
    eng = engine(server)
    try:
        with eng.connect() as conn:
            query = sa.select(sa.func.count()).where(assets.c.owner_id == uuid.UUID(owner_id))
            return int(conn.execute(query).scalar_one())
    finally:
        eng.dispose()


def owner_files(server: LiveServer, owner_id: str) -> list[Path]:
    """Every file (including temporary upload parts) stored for one owner."""
    roots = [server.settings.data_dir / "library" / owner_id, server.settings.data_dir / "thumbs" / owner_id]
    return sorted(p for root in roots if root.exists() for p in root.rglob("*") if p.is_file())


def validate_schema(instance: Any, name: str) -> None:
    """Validate against a schema of Immich's OpenAPI document (shared contract helper)."""
    assert_matches(name, instance)
