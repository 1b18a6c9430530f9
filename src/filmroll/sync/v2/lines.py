"""Wire form of the v2 stream: one `{type, data, ack}` JSON line per row, and Immich's row shapes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from filmroll.mappers.asset import b64
from filmroll.mappers.user import avatar_color
from filmroll.sync.v2.acks import ack
from filmroll.sync.v2.fields import ASSET_FIELDS, EXIF_FIELDS
from filmroll.timefmt import iso

EMPTY: dict[str, Any] = {}


def line(entity_type: str, data: Mapping[str, Any] | orjson.Fragment, ack: str) -> bytes:
    """One line; `data` may be a stored form already encoded (`orjson.Fragment`)."""
    return orjson.dumps({"type": entity_type, "data": data, "ack": ack}) + b"\n"


def stored_lines(entity_type: str, rows: Sequence[Any]) -> bytes:
    """Lines of rows that carry their stored v2 form (`wire`): the envelope and ack around
    JSON that is already encoded, so no object is built or encoded per row."""
    head = f'{{"type":"{entity_type}","data":'
    return "".join([f'{head}{r.wire},"ack":"{ack(entity_type, int(r.seq))}"}}\n' for r in rows]).encode()


def _id(value: Any) -> str | None:
    return str(value) if value is not None else None


def sync_user(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "email": row.email,
        "avatarColor": avatar_color(row),
        "deletedAt": iso(row.deleted_at),
        "hasProfileImage": bool(row.profile_image_path),
        "profileChangedAt": iso(row.profile_changed_at),
    }


def sync_auth_user(row: Any) -> dict[str, Any]:
    return {
        **sync_user(row),
        "isAdmin": bool(row.is_admin),
        "pinCode": row.pin_code,
        "oauthId": row.oauth_id,
        "storageLabel": row.storage_label,
        "quotaSizeInBytes": row.quota_size_in_bytes,
        "quotaUsageInBytes": int(row.quota_usage_in_bytes or 0),
    }


def sync_partner(row: Any) -> dict[str, Any]:
    return {
        "sharedById": str(row.shared_by_id),
        "sharedWithId": str(row.shared_with_id),
        "inTimeline": bool(row.in_timeline),
    }


ASSET_KEYS = tuple(key for key, _column in ASSET_FIELDS)
EXIF_KEYS = tuple(key for key, _column in EXIF_FIELDS)


def sync_asset(row: Sequence[Any]) -> dict[str, Any]:
    """A row that starts with `ASSET_FIELDS`' columns in wire form (`sync.sql.wired`).

    Zipping keys onto the tuple skips a name lookup per field, the main per-row cost.
    """
    data = dict(zip(ASSET_KEYS, row, strict=False))
    data["thumbhash"] = b64(data["thumbhash"])
    data["checksum"] = b64(data["checksum"])
    return data


def sync_exif(row: Sequence[Any]) -> dict[str, Any]:
    """A row that starts with `EXIF_FIELDS`' columns in wire form."""
    return dict(zip(EXIF_KEYS, row, strict=False))


def sync_stack(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
        "primaryAssetId": str(row.primary_asset_id),
        "ownerId": str(row.owner_id),
    }


def sync_album(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "ownerId": str(row.owner_id),
        "name": row.name,
        "description": row.description,
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
        "thumbnailAssetId": _id(row.thumbnail_asset_id),
        "isActivityEnabled": bool(row.is_activity_enabled),
        "order": row.order,
    }


def sync_album_user(row: Any) -> dict[str, Any]:
    return {"albumId": str(row.album_id), "userId": str(row.user_id), "role": row.role}


def sync_album_to_asset(row: Any) -> dict[str, Any]:
    return {"albumId": str(row.album_id), "assetId": str(row.asset_id)}


def sync_user_metadata(row: Any) -> dict[str, Any]:
    return {"userId": str(row.user_id), "key": row.key, "value": row.value}


def sync_user_metadata_delete(row: Any) -> dict[str, Any]:
    return {"userId": str(row.user_id), "key": row.key}
