"""Asset metadata rules: bounded `{key, value}` items, read by whoever may read the asset,
written by its owner only (`services.access`).

Immich's mobile app stores the iCloud identity of an uploaded photo under the key `mobile-app`
(`{iCloudId, createdAt, adjustmentTime, latitude, longitude}`), sent with the upload as the
multipart field `metadata` (a JSON array of items) and read back through `AssetMetadataV1`.
Keys are 1 to `MAX_KEY` characters, values JSON objects of at most `MAX_VALUE_BYTES` encoded and
`MAX_VALUE_DEPTH` levels deep; anything else is a 400.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy.engine import Connection, Row

from filmroll.db.engine import Database
from filmroll.errors import BadRequest
from filmroll.repositories import asset_metadata as repo
from filmroll.repositories.asset_metadata import Item
from filmroll.services.access import require_assets
from filmroll.services.auth import AuthContext

MAX_KEY = 100
"""Longest key: the width of the key column (Immich's own key is `mobile-app`)."""
MAX_VALUE_BYTES = 32 * 1024
"""Largest value, encoded as JSON; the app's value is a few hundred bytes."""
MAX_VALUE_DEPTH = 32
"""Deepest nesting of objects and arrays in a value."""
MAX_ITEMS = 1000
"""Most items one asset's `PUT` or one upload carries."""
MOBILE_APP = "mobile-app"

Pair = tuple[str, dict[str, Any]]
"""A validated item of one asset: `(key, value)`."""


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY:
        raise BadRequest([f"key must be between 1 and {MAX_KEY} characters"])
    if "\x00" in key:
        raise BadRequest(["key must not contain NUL characters"])
    return key


def _depth(value: Any) -> int:
    """How deeply objects and arrays nest in `value` (iterative: no recursion limit to hit)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            pending.extend(
                (child, level + 1) for child in (item.values() if isinstance(item, dict) else item)
            )
    return deepest


def value_problem(value: dict[str, Any]) -> str | None:
    """Why `value` cannot be stored, or None. The depth bound keeps every value encodable in a
    sync line (the JSON encoder stops at a few hundred levels)."""
    if _depth(value) > MAX_VALUE_DEPTH:
        return f"must nest objects and arrays at most {MAX_VALUE_DEPTH} levels deep"
    if len(orjson.dumps(value)) > MAX_VALUE_BYTES:
        return f"must be at most {MAX_VALUE_BYTES} bytes of JSON"
    return None


def check_value(value: dict[str, Any]) -> dict[str, Any]:
    if (problem := value_problem(value)) is not None:
        raise BadRequest([f"value {problem}"])
    return value


def check_unique(keys: Sequence[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise BadRequest(f'Duplicate items are not allowed: "{key}"')
        seen.add(key)


def parse_upload_field(raw: str | None) -> list[Pair]:
    """The upload's `metadata` field: a JSON array of `{key, value}` objects (absent: none).

    Decoded by orjson, which refuses lone surrogates; NUL characters, which PostgreSQL cannot
    store, are refused too, so a bad field is a 400 before the file is stored.
    """
    if raw is None or raw == "":
        return []
    try:
        items = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(["metadata must be a JSON array of {key, value} objects"]) from exc
    if "\\u0000" in raw and _has_nul(items):
        raise BadRequest(["metadata must not contain NUL characters"])
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise BadRequest([f"metadata must be an array of at most {MAX_ITEMS} items"])
    pairs: list[Pair] = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise BadRequest(["metadata.key must be a string"])
        if not isinstance(item.get("value"), dict):
            raise BadRequest(["metadata.value must be an object"])
        pairs.append((check_key(item["key"]), check_value(item["value"])))
    check_unique([key for key, _ in pairs])
    return pairs


def _has_nul(value: Any) -> bool:
    """Any string (key or value) with a NUL; iterative, so deep nesting cannot overflow."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def store_on_upload(
    conn: Connection, asset_id: uuid.UUID, owner_id: uuid.UUID, pairs: Sequence[Pair]
) -> None:
    """Store an upload's items in the transaction that records the asset."""
    repo.upsert(conn, [Item(asset_id, owner_id, key, value) for key, value in pairs])


class AssetMetadataService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def list_items(self, auth: AuthContext, asset_id: uuid.UUID) -> list[Row[Any]]:
        def load(conn: Connection) -> list[Row[Any]]:
            require_assets(conn, auth, [asset_id], "read")
            return list(repo.list_for(conn, asset_id))

        return await self.db.read(load)

    async def get(self, auth: AuthContext, asset_id: uuid.UUID, key: str) -> Row[Any]:
        def load(conn: Connection) -> Row[Any]:
            require_assets(conn, auth, [asset_id], "read")
            row = repo.get(conn, asset_id, key)
            if row is None:
                raise BadRequest(f'Metadata with key "{key}" not found for asset with id "{asset_id}"')
            return row

        return await self.db.read(load)

    async def upsert(self, auth: AuthContext, asset_id: uuid.UUID, pairs: Sequence[Pair]) -> list[Row[Any]]:
        check_unique([key for key, _ in pairs])

        def write(conn: Connection) -> list[Row[Any]]:
            require_assets(conn, auth, [asset_id], "update")
            return list(repo.upsert(conn, [Item(asset_id, auth.user_id, key, value) for key, value in pairs]))

        return await self.db.write(write)

    async def delete(self, auth: AuthContext, asset_id: uuid.UUID, key: str) -> None:
        def write(conn: Connection) -> None:
            require_assets(conn, auth, [asset_id], "update")
            repo.delete(conn, [(asset_id, key)])

        await self.db.write(write)

    async def upsert_bulk(
        self, auth: AuthContext, items: Sequence[tuple[uuid.UUID, str, dict[str, Any]]]
    ) -> list[Row[Any]]:
        seen: set[tuple[uuid.UUID, str]] = set()
        for asset_id, key, _value in items:
            if (asset_id, key) in seen:
                raise BadRequest(f'Duplicate items are not allowed: "({asset_id}, {key})"')
            seen.add((asset_id, key))

        def write(conn: Connection) -> list[Row[Any]]:
            require_assets(conn, auth, list({i[0] for i in items}), "update")
            return list(repo.upsert(conn, [Item(a, auth.user_id, k, v) for a, k, v in items]))

        return await self.db.write(write)

    async def delete_bulk(self, auth: AuthContext, keys: Sequence[tuple[uuid.UUID, str]]) -> None:
        def write(conn: Connection) -> None:
            require_assets(conn, auth, list({asset_id for asset_id, _ in keys}), "update")
            repo.delete(conn, keys)

        await self.db.write(write)
