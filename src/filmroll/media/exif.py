"""Metadata extraction: the fields Immich shows in its info panel and uses for the timeline.

Images are read with exifread (EXIF from the bytes Pillow located, so JPEG, PNG, WebP and
HEIC share one path) and Pillow (dimensions, ICC, XMP); videos with PyAV.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import exifread
from PIL import Image

from filmroll.media import geo
from filmroll.media.imaging import (
    DECODE_ERRORS,
    DEFAULT_MAX_PIXELS,
    TRANSPOSING_ORIENTATIONS,
    ImageTooLarge,
    bounded_decode,
    is_pre_rotated,
    open_image,
    orientation_of,
)
from filmroll.media.mime import detect
from filmroll.media.types import MediaType, Metadata, UnsupportedMedia
from filmroll.media.video import probe

log = logging.getLogger(__name__)

# (date tag, sub-second tag, offset tag), most trusted first.
_DATE_TAGS = (
    ("EXIF DateTimeOriginal", "EXIF SubSecTimeOriginal", "EXIF OffsetTimeOriginal"),
    ("EXIF DateTimeDigitized", "EXIF SubSecTimeDigitized", "EXIF OffsetTimeDigitized"),
    ("Image DateTime", "EXIF SubSecTime", "EXIF OffsetTime"),
)
_FALLBACK_OFFSET_TAGS = ("EXIF OffsetTimeOriginal", "EXIF OffsetTime")
_DATE_RE = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d+))?")
_OFFSET_RE = re.compile(r"^\s*(?:UTC|GMT)?\s*([+\-])(\d{1,2}):?(\d{2})?\s*$")
_ISO6709_RE = re.compile(r"^([+\-]\d+(?:\.\d+)?)([+\-]\d+(?:\.\d+)?)")
_PROJECTION_RE = re.compile(rb"GPano:ProjectionType(?:=\"|>)([A-Za-z_\-]+)")
_MAX_OFFSET_MINUTES = 14 * 60


def extract(path: Path, filename: str, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Metadata:
    """Read metadata from an image or video; raises `UnsupportedMedia` for anything unusable.

    An image too large to decode within `max_pixels` still gets its metadata (from headers);
    only the thumbnails are refused for it.
    """
    media_type, mime = detect(path, filename)
    stat = path.stat()
    base: dict[str, Any] = {
        "media_type": media_type,
        "mime_type": mime,
        "file_size_in_byte": stat.st_size,
        "modify_date": datetime.fromtimestamp(stat.st_mtime, UTC),
    }
    if media_type is MediaType.VIDEO:
        return Metadata(**base, **_video_fields(path))
    return Metadata(**base, **_image_fields(path, mime, max_pixels))


# --- images -----------------------------------------------------------------------------


def _image_fields(path: Path, mime: str, max_pixels: int) -> dict[str, Any]:
    with open_image(path) as image:
        width, height = image.size
        orientation = orientation_of(image)
        transposed = orientation in TRANSPOSING_ORIENTATIONS
        if is_pre_rotated(image):
            display = (width, height)
            stored = (height, width) if transposed else (width, height)
        else:
            stored = (width, height)
            display = (height, width) if transposed else (width, height)
        tags = _read_exif(path, image, mime)
        icc = image.info.get("icc_profile")
        xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
        _check_decodes(image, max_pixels)

    fields: dict[str, Any] = {
        "width": display[0],
        "height": display[1],
        "exif_image_width": stored[0],
        "exif_image_height": stored[1],
        "orientation": str(orientation) if orientation is not None else None,
        "make": _text(tags, "Image Make"),
        "model": _text(tags, "Image Model"),
        "lens_model": _lens_model(tags),
        "exposure_time": _exposure_time(_ratio(tags, "EXIF ExposureTime")),
        "f_number": _float(tags, "EXIF FNumber"),
        "focal_length": _float(tags, "EXIF FocalLength"),
        "iso": _int(tags, "EXIF ISOSpeedRatings") or _int(tags, "EXIF RecommendedExposureIndex"),
        "description": _text(tags, "Image ImageDescription") or "",
        "rating": _rating(tags),
        "profile_description": _icc_description(icc),
        "projection_type": _projection_type(xmp),
    }
    wall, offset = _capture_time(tags)
    gps = _gps(tags)
    fields.update(_place_and_time(wall, offset, gps))
    return fields


def _read_exif(path: Path, image: Image.Image, mime: str) -> Mapping[str, Any]:
    """exifread tags, or {} when there are none or they cannot be parsed (never fatal)."""
    try:
        if mime == "image/tiff":
            with path.open("rb") as fh:
                return dict(exifread.process_file(fh, details=False))
        blob = image.info.get("exif")
        if not isinstance(blob, bytes) or not blob:
            return {}
        if blob.startswith(b"Exif\x00\x00"):
            blob = blob[6:]
        return dict(exifread.process_file(io.BytesIO(blob), details=False))
    except Exception as exc:  # exifread raises assorted errors on malformed IFDs
        log.debug("ignoring unreadable EXIF in %s: %s", path, exc)
        return {}


def _check_decodes(image: Image.Image, max_pixels: int) -> None:
    """Decode a reduced version so truncated or garbled pixel data is refused up front.

    JPEG decodes at 1/8 scale via draft mode and HEIF may use its embedded thumbnail,
    which keeps this cheap for large photos. An image above `max_pixels` is not decoded
    here: its thumbnail job reports it, and its header metadata is still worth keeping.
    Closes `image`, so the decoded pixels are freed inside the decode reservation.
    """
    try:
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
        with bounded_decode(image, max_pixels):
            image.load()
            image.close()
    except ImageTooLarge:
        return
    except DECODE_ERRORS as exc:
        raise UnsupportedMedia(f"image data is damaged: {exc}") from exc


def _value(tags: Mapping[str, Any], key: str) -> Any:
    tag = tags.get(key)
    if tag is None:
        return None
    values = getattr(tag, "values", None)
    if isinstance(values, list):
        return values[0] if values else None
    return values


def _text(tags: Mapping[str, Any], key: str) -> str | None:
    tag = tags.get(key)
    if tag is None:
        return None
    values = getattr(tag, "values", None)
    raw = values if isinstance(values, str | bytes) else getattr(tag, "printable", str(tag))
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    text = str(raw).replace("\x00", "").strip()
    return text or None


def _ratio(tags: Mapping[str, Any], key: str) -> Fraction | None:
    value = _value(tags, key)
    try:
        if hasattr(value, "numerator") and hasattr(value, "denominator"):
            if value.denominator == 0:
                return None
            return Fraction(int(value.numerator), int(value.denominator))
        if isinstance(value, int | float):
            return Fraction(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return None


def _float(tags: Mapping[str, Any], key: str) -> float | None:
    ratio = _ratio(tags, key)
    return float(ratio) if ratio is not None and ratio > 0 else None


def _int(tags: Mapping[str, Any], key: str) -> int | None:
    value = _value(tags, key)
    return value if isinstance(value, int) and value > 0 else None


def _rating(tags: Mapping[str, Any]) -> int | None:
    value = _value(tags, "Image Rating")
    return value if isinstance(value, int) and -1 <= value <= 5 else None


def _lens_model(tags: Mapping[str, Any]) -> str | None:
    lens = _text(tags, "EXIF LensModel")
    if lens is None or lens == "----" or lens.startswith("Unknown"):
        return None
    return lens


def _exposure_time(seconds: Fraction | None) -> str | None:
    """Format like exiftool (and so Immich): "1/125" for short exposures, else "0.5", "6"."""
    if seconds is None or seconds <= 0:
        return None
    if seconds <= Fraction(1, 4):
        return f"1/{int(0.5 + 1 / seconds)}"
    return f"{float(seconds):.6f}".rstrip("0").rstrip(".")


def _icc_description(icc: object) -> str | None:
    if not isinstance(icc, bytes) or not icc:
        return None
    try:
        from PIL import ImageCms

        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        description = profile.profile.profile_description
    except Exception:  # a broken ICC profile is not a reason to reject the photo
        return None
    return description.strip() or None if isinstance(description, str) else None


def _projection_type(xmp: object) -> str | None:
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", "replace")
    if not isinstance(xmp, bytes):
        return None
    match = _PROJECTION_RE.search(xmp)
    return match.group(1).decode("ascii").upper() if match else None


def _gps(tags: Mapping[str, Any]) -> tuple[float, float] | None:
    lat = _gps_coordinate(tags, "GPS GPSLatitude", "GPS GPSLatitudeRef", "S")
    lon = _gps_coordinate(tags, "GPS GPSLongitude", "GPS GPSLongitudeRef", "W")
    return _valid_point(lat, lon)


def _gps_coordinate(tags: Mapping[str, Any], key: str, ref_key: str, negative: str) -> float | None:
    tag = tags.get(key)
    values = getattr(tag, "values", None)
    if not isinstance(values, list) or not values:
        return None
    total = 0.0
    try:
        for part, unit in zip(values[:3], (1, 60, 3600), strict=False):
            if getattr(part, "denominator", 1) == 0:
                return None
            total += float(part) / unit
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    ref = (_text(tags, ref_key) or "").upper()
    return -total if ref.startswith(negative) else total


def _valid_point(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    if lat is None or lon is None:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return lat, lon


# --- dates and places ---------------------------------------------------------------------


def _capture_time(tags: Mapping[str, Any]) -> tuple[datetime | None, int | None]:
    """Wall-clock capture time and its UTC offset in minutes (None when unrecorded)."""
    for date_key, subsec_key, offset_key in _DATE_TAGS:
        wall = parse_exif_datetime(_text(tags, date_key), _text(tags, subsec_key))
        if wall is None:
            continue
        offset = parse_offset(_text(tags, offset_key))
        for key in _FALLBACK_OFFSET_TAGS:
            if offset is None:
                offset = parse_offset(_text(tags, key))
        return wall, offset
    return None, None


def parse_exif_datetime(text: str | None, subsec: str | None = None) -> datetime | None:
    """Parse "YYYY:MM:DD HH:MM:SS[.fff]" (dashes and a "T" tolerated) into a naive datetime."""
    if not text:
        return None
    match = _DATE_RE.match(text)
    if not match:
        return None
    year, month, day, hour, minute = (int(g) for g in match.groups()[:5])
    second = int(match.group(6) or 0)
    fraction = match.group(7) or (subsec.strip() if subsec and subsec.strip().isdigit() else "")
    micro = int((fraction + "000000")[:6]) if fraction else 0
    try:
        return datetime(year, month, day, hour, minute, min(second, 59), micro)
    except ValueError:
        return None


def parse_offset(text: str | None) -> int | None:
    """ "+02:00" / "-0530" / "Z" to minutes east of UTC; None when absent or out of range."""
    if not text:
        return None
    if text.strip().upper() in ("Z", "UTC", "GMT"):
        return 0
    match = _OFFSET_RE.match(text)
    if not match:
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    total = hours * 60 + minutes
    if minutes >= 60 or total > _MAX_OFFSET_MINUTES:
        return None
    return -total if sign == "-" else total


def offset_zone_name(minutes: int) -> str:
    """Immich's spelling of a fixed offset: "UTC", "UTC+2", "UTC-05:30"."""
    if minutes == 0:
        return "UTC"
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" if rest == 0 else f"UTC{sign}{hours:02d}:{rest:02d}"


def zone_tzinfo(name: str) -> tzinfo | None:
    """tzinfo for an IANA name or an Immich-style "UTC+2" offset name."""
    if name == "UTC":
        return UTC
    if name.startswith("UTC"):
        minutes = parse_offset(name)
        return timezone(timedelta(minutes=minutes)) if minutes is not None else None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _place_and_time(
    wall: datetime | None, offset: int | None, gps: tuple[float, float] | None
) -> dict[str, Any]:
    """Resolve zone and instant: explicit offset, else the GPS position's zone, else UTC."""
    fields: dict[str, Any] = {}
    zone_name: str | None = None
    zone: tzinfo | None = None
    if offset is not None:
        zone_name, zone = offset_zone_name(offset), timezone(timedelta(minutes=offset))
    if gps is not None:
        fields["latitude"], fields["longitude"] = gps
        place = geo.reverse_geocode(*gps)
        if place is not None:
            fields.update(city=place.city, state=place.state, country=place.country)
        if zone is None:
            zone_name = geo.time_zone_at(*gps)
            zone = zone_tzinfo(zone_name) if zone_name else None
            if zone is None:
                zone_name = None
    fields["time_zone"] = zone_name
    if wall is not None:
        fields["local_date_time"] = wall
        fields["date_time_original"] = wall.replace(tzinfo=zone or UTC).astimezone(UTC)
    return fields


# --- videos -------------------------------------------------------------------------------

_VIDEO_MAKE_TAGS = ("com.apple.quicktime.make", "com.android.manufacturer", "make")
_VIDEO_MODEL_TAGS = ("com.apple.quicktime.model", "com.android.model", "model")
_VIDEO_LOCATION_TAGS = ("com.apple.quicktime.location.iso6709", "location", "location-eng")


def _first_tag(tags: Mapping[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = tags.get(key, "").strip()
        if value:
            return value
    return None


def _video_fields(path: Path) -> dict[str, Any]:
    info = probe(path)
    display = info.display_size
    fields: dict[str, Any] = {
        "width": display[0],
        "height": display[1],
        "exif_image_width": info.width,
        "exif_image_height": info.height,
        "orientation": str(info.orientation),
        "make": _first_tag(info.tags, _VIDEO_MAKE_TAGS),
        "model": _first_tag(info.tags, _VIDEO_MODEL_TAGS),
        "fps": info.fps,
        "duration": format_duration(info.duration),
        "description": (info.tags.get("description") or info.tags.get("comment") or "").strip(),
    }
    gps = _iso6709(_first_tag(info.tags, _VIDEO_LOCATION_TAGS))
    instant, offset = _video_instant(info.tags)
    if instant is None:
        fields.update(_place_and_time(None, None, gps))
        return fields
    if offset is not None:
        wall = (instant + timedelta(minutes=offset)).replace(tzinfo=None)
        fields.update(_place_and_time(wall, offset, gps))
        return fields
    # QuickTime stores creation time in UTC; show it in the GPS zone when one is known.
    fields.update(_place_and_time(None, None, gps))
    zone = zone_tzinfo(fields["time_zone"]) if fields.get("time_zone") else None
    fields["date_time_original"] = instant
    fields["local_date_time"] = instant.astimezone(zone or UTC).replace(tzinfo=None)
    return fields


def _video_instant(tags: Mapping[str, str]) -> tuple[datetime | None, int | None]:
    """Capture instant (aware UTC) and, when the camera recorded it, its UTC offset."""
    apple = tags.get("com.apple.quicktime.creationdate")
    if apple:
        parsed = _parse_iso(apple)
        if parsed is not None and parsed.utcoffset() is not None:
            offset = parsed.utcoffset()
            minutes = int(offset.total_seconds() // 60) if offset is not None else 0
            return parsed.astimezone(UTC), minutes
    created = _parse_iso(tags.get("creation_time"))
    if created is None:
        return None, None
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return created.astimezone(UTC), None


def _parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    text = re.sub(r"([+\-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    # Muxers write the epoch (1904/1970) when no clock was set.
    return None if parsed.year <= 1970 else parsed


def _iso6709(text: str | None) -> tuple[float, float] | None:
    if not text:
        return None
    match = _ISO6709_RE.match(text.strip())
    if not match:
        return None
    return _valid_point(float(match.group(1)), float(match.group(2)))


def format_duration(seconds: float | None) -> str | None:
    """Immich's video duration format, luxon `hh:mm:ss.SSS` (e.g. "00:00:05.123")."""
    if seconds is None or seconds < 0:
        return None
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}"
