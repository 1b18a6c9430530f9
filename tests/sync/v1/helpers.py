"""HTTP helpers for sync v1 tests."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from filmroll.timefmt import iso


def now_iso(delta: timedelta = timedelta(0)) -> str:
    """Now as a client would send it (milliseconds), after every earlier stamp's millisecond."""
    time.sleep(0.002)
    stamp = iso(datetime.now(UTC).replace(tzinfo=None) + delta)
    assert stamp is not None
    return stamp


def share(client: httpx.Client, shared_with_id: str) -> None:
    resp = client.post("/api/partners", json={"sharedWithId": shared_with_id})
    assert resp.status_code == 201, resp.text


def full_sync(client: httpx.Client, **body: Any) -> list[dict[str, Any]]:
    body.setdefault("limit", 1000)
    body.setdefault("updatedUntil", now_iso())
    resp = client.post("/api/sync/full-sync", json=body)
    assert resp.status_code == 200, resp.text
    result: list[dict[str, Any]] = resp.json()
    return result


def delta(client: httpx.Client, updated_after: str, user_ids: list[str]) -> dict[str, Any]:
    resp = client.post("/api/sync/delta-sync", json={"updatedAfter": updated_after, "userIds": user_ids})
    assert resp.status_code == 200, resp.text
    result: dict[str, Any] = resp.json()
    return result
