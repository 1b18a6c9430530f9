"""Wire form of the v2 stream: one `{type, data, ack}` JSON line per row, and the row shapes (§4.8)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from filmroll.api.dto import avatar_color
from filmroll.mappers.asset import b64
from filmroll.timefmt import iso

EMPTY: dict[str, Any] = {}


def line(entity_type: str, data: Mapping[str, Any], ack: str) -> bytes:
    return orjson.dumps({"type": entity_type, "data": data, "ack": ack}) + b"\n"


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


def sync_asset(row: Any) -> dict[str, Any]:
    """Keyed access: a Row's attribute lookup costs more than the rest of the encoding."""
    r = row._mapping
    return {
        "id": str(r["id"]),
        "ownerId": str(r["owner_id"]),
        "originalFileName": r["original_file_name"],
        "thumbhash": b64(r["thumbhash"]),
        "checksum": b64(r["checksum"]),
        "fileCreatedAt": iso(r["file_created_at"]),
        "fileModifiedAt": iso(r["file_modified_at"]),
        "localDateTime": iso(r["local_date_time"]),
        "duration": r["duration"],
        "type": r["type"],
        "deletedAt": iso(r["deleted_at"]),
        "isFavorite": bool(r["is_favorite"]),
        "visibility": r["visibility"],
        "livePhotoVideoId": _id(r["live_photo_video_id"]),
        "stackId": _id(r["stack_id"]),
        "libraryId": _id(r["library_id"]),
        "width": r["width"],
        "height": r["height"],
        "isEdited": bool(r["is_edited"]),
    }


def sync_exif(row: Any) -> dict[str, Any]:
    """Keyed access: a Row's attribute lookup costs more than the rest of the encoding."""
    r = row._mapping
    return {
        "assetId": str(r["asset_id"]),
        "description": r["description"],
        "exifImageWidth": r["exif_image_width"],
        "exifImageHeight": r["exif_image_height"],
        "fileSizeInByte": r["file_size_in_byte"],
        "orientation": r["orientation"],
        "dateTimeOriginal": iso(r["date_time_original"]),
        "modifyDate": iso(r["modify_date"]),
        "timeZone": r["time_zone"],
        "latitude": r["latitude"],
        "longitude": r["longitude"],
        "projectionType": r["projection_type"],
        "city": r["city"],
        "state": r["state"],
        "country": r["country"],
        "make": r["make"],
        "model": r["model"],
        "lensModel": r["lens_model"],
        "fNumber": r["f_number"],
        "focalLength": r["focal_length"],
        "iso": r["iso"],
        "exposureTime": r["exposure_time"],
        "profileDescription": r["profile_description"],
        "rating": r["rating"],
        "fps": r["fps"],
    }


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
