"""AssetResponseDto and ExifResponseDto from database rows, as Immich's `mapAsset` builds them.

Pure functions over row mappings so the HTTP routes and the streaming sync encoders share
one definition of the wire shape.
"""

from __future__ import annotations

import base64
import functools
import mimetypes
import posixpath
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from filmroll.timefmt import iso

DEFAULT_DURATION = "0:00:00.00000"

_METADATA_HIDDEN: ContextVar[bool] = ContextVar("filmroll_metadata_hidden", default=False)


def hide_metadata() -> None:
    """Render every asset of the current request without its metadata: the caller is a shared
    link's visitor whose link does not show metadata. Set once, when the request is
    authenticated, so every route that renders assets for it strips them alike."""
    _METADATA_HIDDEN.set(True)


def stripped_response(asset: Mapping[str, Any]) -> dict[str, Any]:
    """An asset as Immich's `mapAsset(asset, {stripMetadata: true})` renders it: what a grid
    needs to show it, nothing that says where, when exactly, by whom or from which file."""
    body: dict[str, Any] = {
        "id": str(asset["id"]),
        "type": asset["type"],
        "thumbhash": b64(asset["thumbhash"]),
        "localDateTime": iso(asset["local_date_time"]),
        "duration": asset["duration"] or DEFAULT_DURATION,
        "livePhotoVideoId": str(asset["live_photo_video_id"]) if asset["live_photo_video_id"] else None,
        "hasMetadata": False,
        "width": asset["width"],
        "height": asset["height"],
    }
    if (mime := mime_type(asset["original_file_name"])) is not None:
        body["originalMimeType"] = mime
    return body


_EXIF_FIELDS = (
    ("make", "make"),
    ("model", "model"),
    ("exifImageWidth", "exif_image_width"),
    ("exifImageHeight", "exif_image_height"),
    ("fileSizeInByte", "file_size_in_byte"),
    ("orientation", "orientation"),
    ("timeZone", "time_zone"),
    ("lensModel", "lens_model"),
    ("fNumber", "f_number"),
    ("focalLength", "focal_length"),
    ("iso", "iso"),
    ("exposureTime", "exposure_time"),
    ("latitude", "latitude"),
    ("longitude", "longitude"),
    ("city", "city"),
    ("state", "state"),
    ("country", "country"),
    ("description", "description"),
    ("projectionType", "projection_type"),
    ("rating", "rating"),
)


def b64(value: bytes | None) -> str | None:
    return base64.b64encode(value).decode() if value is not None else None


def mime_type(file_name: str) -> str | None:
    return _mime_for_extension(posixpath.splitext(file_name)[1].lower())


@functools.lru_cache(maxsize=256)
def _mime_for_extension(extension: str) -> str | None:
    """Cached per extension: the lookup is on the hot path of every sync row."""
    return mimetypes.guess_type("x" + extension)[0]


def exif_response(exif: Mapping[str, Any]) -> dict[str, Any]:
    body = {key: exif[col] for key, col in _EXIF_FIELDS}
    body["dateTimeOriginal"] = iso(exif["date_time_original"])
    body["modifyDate"] = iso(exif["modify_date"])
    return body


def stack_response(stack_id: Any, primary_asset_id: Any, asset_count: int) -> dict[str, Any]:
    return {"id": str(stack_id), "primaryAssetId": str(primary_asset_id), "assetCount": int(asset_count)}


def asset_response(
    asset: Mapping[str, Any],
    viewer_id: uuid.UUID,
    *,
    exif: Mapping[str, Any] | None = None,
    stack: dict[str, Any] | None = None,
    with_stack: bool = False,
) -> dict[str, Any]:
    """One asset as Immich's `mapAsset(asset, {stripMetadata, withStack})` renders it; stripped
    when the request's caller may not see metadata (`hide_metadata`)."""
    if _METADATA_HIDDEN.get():
        return stripped_response(asset)
    is_owner = asset["owner_id"] == viewer_id
    body: dict[str, Any] = {
        "id": str(asset["id"]),
        "createdAt": iso(asset["created_at"]),
        "deviceAssetId": asset["device_asset_id"],
        "deviceId": asset["device_id"],
        "ownerId": str(asset["owner_id"]),
        "libraryId": str(asset["library_id"]) if asset["library_id"] else None,
        "type": asset["type"],
        "originalPath": asset["original_path"],
        "originalFileName": asset["original_file_name"],
        "thumbhash": b64(asset["thumbhash"]),
        "fileCreatedAt": iso(asset["file_created_at"]),
        "fileModifiedAt": iso(asset["file_modified_at"]),
        "localDateTime": iso(asset["local_date_time"]),
        "updatedAt": iso(asset["updated_at"]),
        "isFavorite": is_owner and bool(asset["is_favorite"]),
        "isArchived": asset["visibility"] == "archive",
        "isTrashed": asset["deleted_at"] is not None,
        "isOffline": bool(asset["is_offline"]),
        "visibility": asset["visibility"],
        "duration": asset["duration"] or DEFAULT_DURATION,
        "livePhotoVideoId": str(asset["live_photo_video_id"]) if asset["live_photo_video_id"] else None,
        "people": [],
        "checksum": b64(asset["checksum"]),
        "duplicateId": str(asset["duplicate_id"]) if asset["duplicate_id"] else None,
        "hasMetadata": True,
        "resized": True,
        "width": asset["width"],
        "height": asset["height"],
        "isEdited": bool(asset["is_edited"]),
    }
    if (mime := mime_type(asset["original_file_name"])) is not None:
        body["originalMimeType"] = mime
    if exif is not None:
        body["exifInfo"] = exif_response(exif)
    if with_stack:
        body["stack"] = stack
    return body
