"""Helpers for the memory and asset-metadata tests: v2 streams checked against Immich's closed
schemas, partners and shares over HTTP."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import httpx
import jsonschema

from tests.sync.v2.helpers import definitions

SCHEMA_OF = {
    "MemoryV1": "SyncMemoryV1",
    "MemoryDeleteV1": "SyncMemoryDeleteV1",
    "MemoryToAssetV1": "SyncMemoryAssetV1",
    "MemoryToAssetDeleteV1": "SyncMemoryAssetDeleteV1",
    "AssetMetadataV1": "SyncAssetMetadataV1",
    "AssetMetadataDeleteV1": "SyncAssetMetadataDeleteV1",
    "SyncAckV1": "SyncAckV1",
    "SyncCompleteV1": "SyncCompleteV1",
}


@cache
def _validator(name: str) -> jsonschema.Draft7Validator:
    schema = copy.copy(definitions()[name])
    schema["definitions"] = definitions()
    return jsonschema.Draft7Validator(schema)


def stream(
    client: httpx.Client, types: list[str], *, ack: bool = True, only_known: bool = False
) -> list[dict[str, Any]]:
    """One `/sync/stream` run; every line is checked against Immich's schema (no extra keys),
    then, like the app, the last ack of each type is acked. With `only_known`, lines of types
    other than these tests' are passed through unchecked (their own tests check them)."""
    resp = client.post("/api/sync/stream", json={"types": types})
    assert resp.status_code == 200, resp.text
    lines = [json.loads(raw) for raw in resp.text.splitlines()]
    for item in lines:
        assert list(item) == ["type", "data", "ack"], item
        if only_known and item["type"] not in SCHEMA_OF:
            continue
        _validator(SCHEMA_OF[item["type"]]).validate(item["data"])
    if ack:
        latest: dict[str, str] = {}
        for item in lines:
            kind = item["ack"].split("|")[0] if item["type"] == "SyncAckV1" else item["type"]
            latest[kind] = item["ack"]
        posted = client.post("/api/sync/ack", json={"acks": list(latest.values())})
        assert posted.status_code == 204, posted.text
    return lines


def data_of(lines: list[dict[str, Any]], entity_type: str) -> list[dict[str, Any]]:
    return [item["data"] for item in lines if item["type"] == entity_type]


def share(owner: httpx.Client, partner_id: str) -> None:
    resp = owner.post(f"/api/partners/{partner_id}")
    assert resp.status_code == 201, resp.text


def unshare(owner: httpx.Client, partner_id: str) -> None:
    resp = owner.delete(f"/api/partners/{partner_id}")
    assert resp.status_code in (200, 204), resp.text
