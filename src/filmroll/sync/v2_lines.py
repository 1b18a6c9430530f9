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
    return {
        "id": str(row.id),
        "ownerId": str(row.owner_id),
        "originalFileName": row.original_file_name,
        "thumbhash": b64(row.thumbhash),
        "checksum": b64(row.checksum),
        "fileCreatedAt": iso(row.file_created_at),
        "fileModifiedAt": iso(row.file_modified_at),
        "localDateTime": iso(row.local_date_time),
        "duration": row.duration,
        "type": row.type,
        "deletedAt": iso(row.deleted_at),
        "isFavorite": bool(row.is_favorite),
        "visibility": row.visibility,
        "livePhotoVideoId": _id(row.live_photo_video_id),
        "stackId": _id(row.stack_id),
        "libraryId": _id(row.library_id),
        "width": row.width,
        "height": row.height,
        "isEdited": bool(row.is_edited),
    }


def sync_exif(row: Any) -> dict[str, Any]:
    return {
        "assetId": str(row.asset_id),
        "description": row.description,
        "exifImageWidth": row.exif_image_width,
        "exifImageHeight": row.exif_image_height,
        "fileSizeInByte": row.file_size_in_byte,
        "orientation": row.orientation,
        "dateTimeOriginal": iso(row.date_time_original),
        "modifyDate": iso(row.modify_date),
        "timeZone": row.time_zone,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "projectionType": row.projection_type,
        "city": row.city,
        "state": row.state,
        "country": row.country,
        "make": row.make,
        "model": row.model,
        "lensModel": row.lens_model,
        "fNumber": row.f_number,
        "focalLength": row.focal_length,
        "iso": row.iso,
        "exposureTime": row.exposure_time,
        "profileDescription": row.profile_description,
        "rating": row.rating,
        "fps": row.fps,
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
