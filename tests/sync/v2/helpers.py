"""Sync v2 test helpers: a client that streams, validates every line against Immich's schemas, and acks."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import httpx
import jsonschema

from tests.support import FIXTURES, LiveServer

ALL_TYPES = [
    "AuthUsersV1", "UsersV1", "PartnersV1", "AssetsV1", "StacksV1", "PartnerAssetsV1", "PartnerStacksV1",
    "AlbumAssetsV1", "AlbumsV1", "AlbumUsersV1", "AlbumToAssetsV1", "AssetExifsV1", "AlbumAssetExifsV1",
    "PartnerAssetExifsV1", "UserMetadataV1",
]  # fmt: skip

_SCHEMA_OF = {
    "AuthUserV1": "SyncAuthUserV1",
    "UserV1": "SyncUserV1",
    "UserDeleteV1": "SyncUserDeleteV1",
    "PartnerV1": "SyncPartnerV1",
    "PartnerDeleteV1": "SyncPartnerDeleteV1",
    "AssetDeleteV1": "SyncAssetDeleteV1",
    "PartnerAssetDeleteV1": "SyncAssetDeleteV1",
    "StackV1": "SyncStackV1",
    "PartnerStackV1": "SyncStackV1",
    "PartnerStackBackfillV1": "SyncStackV1",
    "StackDeleteV1": "SyncStackDeleteV1",
    "PartnerStackDeleteV1": "SyncStackDeleteV1",
    "AlbumV1": "SyncAlbumV1",
    "AlbumDeleteV1": "SyncAlbumDeleteV1",
    "AlbumUserV1": "SyncAlbumUserV1",
    "AlbumUserBackfillV1": "SyncAlbumUserV1",
    "AlbumUserDeleteV1": "SyncAlbumUserDeleteV1",
    "AlbumToAssetV1": "SyncAlbumToAssetV1",
    "AlbumToAssetBackfillV1": "SyncAlbumToAssetV1",
    "AlbumToAssetDeleteV1": "SyncAlbumToAssetDeleteV1",
    "UserMetadataV1": "SyncUserMetadataV1",
    "UserMetadataDeleteV1": "SyncUserMetadataDeleteV1",
    "MemoryV1": "SyncMemoryV1",
    "MemoryDeleteV1": "SyncMemoryDeleteV1",
    "MemoryToAssetV1": "SyncMemoryAssetV1",
    "MemoryToAssetDeleteV1": "SyncMemoryAssetDeleteV1",
    "AssetMetadataV1": "SyncAssetMetadataV1",
    "AssetMetadataDeleteV1": "SyncAssetMetadataDeleteV1",
    "SyncAckV1": "SyncAckV1",
    "SyncCompleteV1": "SyncCompleteV1",
    "SyncResetV1": "SyncResetV1",
}
for _t in (
    "AssetV1",
    "PartnerAssetV1",
    "PartnerAssetBackfillV1",
    "AlbumAssetCreateV1",
    "AlbumAssetUpdateV1",
    "AlbumAssetBackfillV1",
):
    _SCHEMA_OF[_t] = "SyncAssetV1"
for _t in ("AssetExifV1", "PartnerAssetExifV1", "PartnerAssetExifBackfillV1", "AlbumAssetExifCreateV1",
           "AlbumAssetExifUpdateV1", "AlbumAssetExifBackfillV1"):  # fmt: skip
    _SCHEMA_OF[_t] = "SyncAssetExifV1"


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 to JSON Schema: `nullable` becomes a null alternative; objects are closed."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: _json_schema(v)
        for k, v in node.items()
        if k != "nullable" and not (k == "description" and isinstance(v, str))
    }
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/definitions/")
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    if node.get("type") == "object" and "properties" in node:
        out["additionalProperties"] = False
    return out


@cache
def definitions() -> dict[str, Any]:
    document = json.loads((FIXTURES / "immich-openapi-v2.7.5.json").read_text())
    return {name: _json_schema(s) for name, s in document["components"]["schemas"].items()}


@cache
def _validator(name: str) -> jsonschema.Draft7Validator:
    schema = copy.copy(definitions()[name])
    schema["definitions"] = definitions()
    return jsonschema.Draft7Validator(schema)


def validate_line(item: dict[str, Any]) -> None:
    assert list(item) == ["type", "data", "ack"], item
    name = _SCHEMA_OF[item["type"]]
    _validator(name).validate(item["data"])
    if name in ("SyncAckV1", "SyncCompleteV1", "SyncResetV1"):
        assert item["data"] == {}


@dataclass
class SyncClient:
    """One logged-in session that streams and acks like the mobile app."""

    http: httpx.Client
    user_id: str
    acks: dict[str, str] = field(default_factory=dict)

    def stream(self, types: list[str] | None = None, *, reset: bool = False) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"types": types or ALL_TYPES}
        if reset:
            body["reset"] = True
        resp = self.http.post("/api/sync/stream", json=body)
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"].startswith("application/jsonlines+json")
        lines = [json.loads(raw) for raw in resp.text.splitlines()]
        for item in lines:
            validate_line(item)
        return lines

    def ack(self, lines: list[dict[str, Any]]) -> None:
        """Ack the last ack of every type plus every SyncAckV1 ack (Immich's `syncAckAll`)."""
        latest: dict[str, str] = {}
        for item in lines:
            latest[item["ack"].split("|")[0] if item["type"] == "SyncAckV1" else item["type"]] = item["ack"]
        self.post_acks(list(latest.values()))

    def post_acks(self, acks: list[str]) -> None:
        if acks:
            resp = self.http.post("/api/sync/ack", json={"acks": acks})
            assert resp.status_code == 204, resp.text

    def sync(self, types: list[str] | None = None) -> list[dict[str, Any]]:
        lines = self.stream(types)
        self.ack(lines)
        return lines


def new_client(server: LiveServer, name: str) -> SyncClient:
    user_id, _email, token = server.new_user(name)
    return SyncClient(server.client(token), user_id)


def body(lines: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Lines without acks, for comparisons."""
    return [(item["type"], item["data"]) for item in lines]


def types_of(lines: list[dict[str, Any]]) -> list[str]:
    return [item["type"] for item in lines]


def of_type(lines: list[dict[str, Any]], entity_type: str) -> list[dict[str, Any]]:
    return [item["data"] for item in lines if item["type"] == entity_type]


def uid(value: str) -> uuid.UUID:
    return uuid.UUID(value)
