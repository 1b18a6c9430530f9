"""Wire keys of the bulk v2 rows and the columns they come from, in wire order.

One table for both sides: the repository selects these columns first, in this order, so
the line encoder can zip keys onto a row without looking anything up by name.
"""

from __future__ import annotations

from typing import Final

ASSET_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("id", "id"), ("ownerId", "owner_id"), ("originalFileName", "original_file_name"),
    ("thumbhash", "thumbhash"), ("checksum", "checksum"), ("fileCreatedAt", "file_created_at"),
    ("fileModifiedAt", "file_modified_at"), ("localDateTime", "local_date_time"),
    ("duration", "duration"), ("type", "type"), ("deletedAt", "deleted_at"),
    ("isFavorite", "is_favorite"), ("visibility", "visibility"),
    ("livePhotoVideoId", "live_photo_video_id"), ("stackId", "stack_id"), ("libraryId", "library_id"),
    ("width", "width"), ("height", "height"), ("isEdited", "is_edited"),
)  # fmt: skip
"""`SyncAssetV1`."""

EXIF_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("assetId", "asset_id"), ("description", "description"), ("exifImageWidth", "exif_image_width"),
    ("exifImageHeight", "exif_image_height"), ("fileSizeInByte", "file_size_in_byte"),
    ("orientation", "orientation"), ("dateTimeOriginal", "date_time_original"),
    ("modifyDate", "modify_date"), ("timeZone", "time_zone"), ("latitude", "latitude"),
    ("longitude", "longitude"), ("projectionType", "projection_type"), ("city", "city"),
    ("state", "state"), ("country", "country"), ("make", "make"), ("model", "model"),
    ("lensModel", "lens_model"), ("fNumber", "f_number"), ("focalLength", "focal_length"),
    ("iso", "iso"), ("exposureTime", "exposure_time"), ("profileDescription", "profile_description"),
    ("rating", "rating"), ("fps", "fps"),
)  # fmt: skip
"""`SyncAssetExifV1`."""
