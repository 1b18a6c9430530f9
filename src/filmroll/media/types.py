"""Value types shared by the media helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class MediaType(StrEnum):
    """Asset kind, spelled as Immich's `AssetTypeEnum`."""

    IMAGE = "IMAGE"
    VIDEO = "VIDEO"


class UnsupportedMedia(ValueError):
    """The file is not a supported image/video, or it is too damaged to read.

    Callers turn this into a 400-style rejection, so the message is meant for users.
    """


@dataclass(frozen=True, slots=True)
class Metadata:
    """What Immich stores in its `exif` table plus the asset columns derived from the file.

    `exif_image_width/height` are the stored (encoded) pixel dimensions, as Immich reports
    them; `width/height` are the display dimensions once `orientation` is applied.
    `date_time_original` is an aware UTC instant; `local_date_time` is the naive wall-clock
    time at the place of capture, which is what timelines group by.
    """

    media_type: MediaType
    mime_type: str
    file_size_in_byte: int
    width: int | None = None
    height: int | None = None
    exif_image_width: int | None = None
    exif_image_height: int | None = None
    orientation: str | None = None
    make: str | None = None
    model: str | None = None
    lens_model: str | None = None
    exposure_time: str | None = None
    f_number: float | None = None
    focal_length: float | None = None
    iso: int | None = None
    date_time_original: datetime | None = None
    local_date_time: datetime | None = None
    time_zone: str | None = None
    modify_date: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    description: str = ""
    rating: int | None = None
    projection_type: str | None = None
    profile_description: str | None = None
    fps: float | None = None
    duration: str | None = None
