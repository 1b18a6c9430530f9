"""Golden outputs of the wire-form encoders for one fixed asset and its exif.

Stored forms are a cache keyed by `filmroll.sync.forms.render.VERSION`: when an encoder's
output changes without a version bump, rows rendered before the change keep being served in
the old shape. These pinned strings make any change of output visible, and the pinned
`VERSION` next to them makes updating the strings alone fail too.
"""

from __future__ import annotations

from typing import Any

from filmroll.sync.forms import render
from filmroll.sync.forms.render import asset_forms, exif_forms, v1_dto

PINNED_VERSION = 1
"""The `VERSION` the strings below were rendered with; bump both together."""

BUMP = (
    "an encoder's output changed: bump filmroll.sync.forms.render.VERSION (stored forms are a "
    "cache keyed by it), then update PINNED_VERSION and the expected strings in this test"
)

ASSET_ID = "0b7a5f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
OWNER_ID = "5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f"
STACK_ID = "7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b"

ASSET: dict[str, Any] = {
    "id": ASSET_ID,
    "owner_id": OWNER_ID,
    "original_file_name": "IMG_0001.jpg",
    "thumbhash": b"\x01\x02\x03\xfe",
    "checksum": bytes(range(20)),
    "file_created_at": "2024-01-02T03:04:05.000Z",
    "file_modified_at": "2024-01-02T03:04:06.000Z",
    "local_date_time": "2024-01-02T04:04:05.000Z",
    "duration": None,
    "type": "IMAGE",
    "deleted_at": None,
    "is_favorite": True,
    "visibility": "timeline",
    "live_photo_video_id": None,
    "stack_id": STACK_ID,
    "library_id": None,
    "width": 4032,
    "height": 3024,
    "is_edited": False,
    "created_at": "2024-01-03T00:00:00.123Z",
    "updated_at": "2024-01-04T00:00:00.456Z",
    "device_asset_id": "IMG_0001.jpg-123",
    "device_id": "pixel-7",
    "original_path": "upload/library/5d6e/IMG_0001.jpg",
    "is_offline": False,
    "duplicate_id": None,
}
"""An asset row as the sync queries select it: UUIDs and timestamps already in wire form."""

EXIF: dict[str, Any] = {
    "asset_id": ASSET_ID,
    "description": 'A "quoted" café',
    "exif_image_width": 4032,
    "exif_image_height": 3024,
    "file_size_in_byte": 2345678,
    "orientation": "1",
    "date_time_original": "2024-01-02T03:04:05.000Z",
    "modify_date": "2024-01-02T03:04:06.000Z",
    "time_zone": "Europe/Paris",
    "latitude": 48.8566,
    "longitude": 2.3522,
    "projection_type": None,
    "city": "Paris",
    "state": "Île-de-France",
    "country": "France",
    "make": "Google",
    "model": "Pixel 7",
    "lens_model": None,
    "f_number": 1.9,
    "focal_length": 6.81,
    "iso": 50,
    "exposure_time": "1/120",
    "profile_description": None,
    "rating": 4,
    "fps": None,
}
"""The asset's exif row, as the sync queries select it."""

STACK = {"id": STACK_ID, "primaryAssetId": ASSET_ID, "assetCount": 2}

V2_ASSET = (
    '{"id":"0b7a5f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b","ownerId":"5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f"'
    ',"originalFileName":"IMG_0001.jpg","thumbhash":"AQID/g=="'
    ',"checksum":"AAECAwQFBgcICQoLDA0ODxAREhM=","fileCreatedAt":"2024-01-02T03:04:05.000Z"'
    ',"fileModifiedAt":"2024-01-02T03:04:06.000Z","localDateTime":"2024-01-02T04:04:05.000Z"'
    ',"duration":null,"type":"IMAGE","deletedAt":null,"isFavorite":true,"visibility":"timeline"'
    ',"livePhotoVideoId":null,"stackId":"7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b","libraryId":null'
    ',"width":4032,"height":3024,"isEdited":false}'
)

V1_ASSET = (
    '{"id":"0b7a5f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b","createdAt":"2024-01-03T00:00:00.123Z"'
    ',"deviceAssetId":"IMG_0001.jpg-123","deviceId":"pixel-7"'
    ',"ownerId":"5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f","libraryId":null,"type":"IMAGE"'
    ',"originalPath":"upload/library/5d6e/IMG_0001.jpg","originalFileName":"IMG_0001.jpg"'
    ',"thumbhash":"AQID/g==","fileCreatedAt":"2024-01-02T03:04:05.000Z"'
    ',"fileModifiedAt":"2024-01-02T03:04:06.000Z","localDateTime":"2024-01-02T04:04:05.000Z"'
    ',"updatedAt":"2024-01-04T00:00:00.456Z","isFavorite":true,"isArchived":false,"isTrashed":false'
    ',"isOffline":false,"visibility":"timeline","duration":"0:00:00.00000","livePhotoVideoId":null'
    ',"people":[],"checksum":"AAECAwQFBgcICQoLDA0ODxAREhM=","duplicateId":null,"hasMetadata":true'
    ',"resized":true,"width":4032,"height":3024,"isEdited":false,"originalMimeType":"image/jpeg"}'
)

V2_EXIF = (
    '{"assetId":"0b7a5f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b","description":"A \\"quoted\\" café"'
    ',"exifImageWidth":4032,"exifImageHeight":3024,"fileSizeInByte":2345678,"orientation":"1"'
    ',"dateTimeOriginal":"2024-01-02T03:04:05.000Z","modifyDate":"2024-01-02T03:04:06.000Z"'
    ',"timeZone":"Europe/Paris","latitude":48.8566,"longitude":2.3522,"projectionType":null'
    ',"city":"Paris","state":"Île-de-France","country":"France","make":"Google","model":"Pixel 7"'
    ',"lensModel":null,"fNumber":1.9,"focalLength":6.81,"iso":50,"exposureTime":"1/120"'
    ',"profileDescription":null,"rating":4,"fps":null}'
)

V1_EXIF = (
    '{"make":"Google","model":"Pixel 7","exifImageWidth":4032,"exifImageHeight":3024'
    ',"fileSizeInByte":2345678,"orientation":"1","timeZone":"Europe/Paris","lensModel":null'
    ',"fNumber":1.9,"focalLength":6.81,"iso":50,"exposureTime":"1/120","latitude":48.8566'
    ',"longitude":2.3522,"city":"Paris","state":"Île-de-France","country":"France"'
    ',"description":"A \\"quoted\\" café","projectionType":null,"rating":4'
    ',"dateTimeOriginal":"2024-01-02T03:04:05.000Z","modifyDate":"2024-01-02T03:04:06.000Z"}'
)

V1_OWNER_VIEW = (
    '{"id":"0b7a5f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b","createdAt":"2024-01-03T00:00:00.123Z"'
    ',"deviceAssetId":"IMG_0001.jpg-123","deviceId":"pixel-7"'
    ',"ownerId":"5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f","libraryId":null,"type":"IMAGE"'
    ',"originalPath":"upload/library/5d6e/IMG_0001.jpg","originalFileName":"IMG_0001.jpg"'
    ',"thumbhash":"AQID/g==","fileCreatedAt":"2024-01-02T03:04:05.000Z"'
    ',"fileModifiedAt":"2024-01-02T03:04:06.000Z","localDateTime":"2024-01-02T04:04:05.000Z"'
    ',"updatedAt":"2024-01-04T00:00:00.456Z","isFavorite":true,"isArchived":false,"isTrashed":false'
    ',"isOffline":false,"visibility":"timeline","duration":"0:00:00.00000","livePhotoVideoId":null'
    ',"people":[],"checksum":"AAECAwQFBgcICQoLDA0ODxAREhM=","duplicateId":null,"hasMetadata":true'
    ',"resized":true,"width":4032,"height":3024,"isEdited":false,"originalMimeType":"image/jpeg"'
    ',"exifInfo":{"make":"Google","model":"Pixel 7","exifImageWidth":4032,"exifImageHeight":3024'
    ',"fileSizeInByte":2345678,"orientation":"1","timeZone":"Europe/Paris","lensModel":null'
    ',"fNumber":1.9,"focalLength":6.81,"iso":50,"exposureTime":"1/120","latitude":48.8566'
    ',"longitude":2.3522,"city":"Paris","state":"Île-de-France","country":"France"'
    ',"description":"A \\"quoted\\" café","projectionType":null,"rating":4'
    ',"dateTimeOriginal":"2024-01-02T03:04:05.000Z","modifyDate":"2024-01-02T03:04:06.000Z"}'
    ',"stack":{"id":"7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b"'
    ',"primaryAssetId":"0b7a5f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b","assetCount":2}}'
)

V1_PARTNER_VIEW = (
    '{"id":"0b7a5f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b","createdAt":"2024-01-03T00:00:00.123Z"'
    ',"deviceAssetId":"IMG_0001.jpg-123","deviceId":"pixel-7"'
    ',"ownerId":"5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f","libraryId":null,"type":"IMAGE"'
    ',"originalPath":"upload/library/5d6e/IMG_0001.jpg","originalFileName":"IMG_0001.jpg"'
    ',"thumbhash":"AQID/g==","fileCreatedAt":"2024-01-02T03:04:05.000Z"'
    ',"fileModifiedAt":"2024-01-02T03:04:06.000Z","localDateTime":"2024-01-02T04:04:05.000Z"'
    ',"updatedAt":"2024-01-04T00:00:00.456Z","isFavorite":false,"isArchived":false'
    ',"isTrashed":false,"isOffline":false,"visibility":"timeline","duration":"0:00:00.00000"'
    ',"livePhotoVideoId":null,"people":[],"checksum":"AAECAwQFBgcICQoLDA0ODxAREhM="'
    ',"duplicateId":null,"hasMetadata":true,"resized":true,"width":4032,"height":3024'
    ',"isEdited":false,"originalMimeType":"image/jpeg","exifInfo":{"make":"Google"'
    ',"model":"Pixel 7","exifImageWidth":4032,"exifImageHeight":3024,"fileSizeInByte":2345678'
    ',"orientation":"1","timeZone":"Europe/Paris","lensModel":null,"fNumber":1.9,"focalLength":6.81'
    ',"iso":50,"exposureTime":"1/120","latitude":48.8566,"longitude":2.3522,"city":"Paris"'
    ',"state":"Île-de-France","country":"France","description":"A \\"quoted\\" café"'
    ',"projectionType":null,"rating":4,"dateTimeOriginal":"2024-01-02T03:04:05.000Z"'
    ',"modifyDate":"2024-01-02T03:04:06.000Z"}}'
)


def test_pinned_strings_belong_to_the_current_version() -> None:
    assert render.VERSION == PINNED_VERSION, (
        "VERSION changed: re-check the expected strings below and set PINNED_VERSION to match"
    )


def test_asset_forms_are_pinned() -> None:
    v2, v1 = asset_forms(ASSET)
    assert v2 == V2_ASSET, BUMP
    assert v1 == V1_ASSET, BUMP


def test_exif_forms_are_pinned() -> None:
    v2, v1 = exif_forms(EXIF)
    assert v2 == V2_EXIF, BUMP
    assert v1 == V1_EXIF, BUMP


def test_v1_views_are_pinned() -> None:
    """The owner gets its favourite flag and the stack; a partner gets neither."""
    _v2, asset = asset_forms(ASSET)
    _v2, exif = exif_forms(EXIF)
    assert v1_dto(asset, exif, own=True, stack=STACK) == V1_OWNER_VIEW, BUMP
    assert v1_dto(asset, exif, own=False, stack=None) == V1_PARTNER_VIEW, BUMP
