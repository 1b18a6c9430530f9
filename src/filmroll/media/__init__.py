"""Pure media helpers: type detection, metadata extraction and thumbnail rendering.

No database or HTTP here; callers pass file paths and store what comes back.
"""

from filmroll.media.exif import extract, format_duration
from filmroll.media.geo import Place, reverse_geocode, time_zone_at
from filmroll.media.imaging import DEFAULT_MAX_PIXELS, ImageTooLarge
from filmroll.media.mime import detect, media_types, sniff
from filmroll.media.thumbnails import Rendered, compute_thumbhash, render
from filmroll.media.types import MediaType, Metadata, UnsupportedMedia

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "ImageTooLarge",
    "MediaType",
    "Metadata",
    "Place",
    "Rendered",
    "UnsupportedMedia",
    "compute_thumbhash",
    "detect",
    "extract",
    "format_duration",
    "media_types",
    "render",
    "reverse_geocode",
    "sniff",
    "time_zone_at",
]
