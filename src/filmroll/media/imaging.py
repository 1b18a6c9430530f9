"""Opening images with Pillow, HEIC included, with failures mapped to `UnsupportedMedia`."""

from __future__ import annotations

import struct
import threading
from pathlib import Path

from PIL import Image

from filmroll.media.types import UnsupportedMedia

# EXIF orientations 5-8 turn the picture by 90 degrees, swapping width and height.
TRANSPOSING_ORIENTATIONS = frozenset({5, 6, 7, 8})
EXIF_ORIENTATION_TAG = 0x0112

_heif_lock = threading.Lock()
_heif_registered = False

# Errors Pillow and its plugins raise for damaged or unknown data.
DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    struct.error,
    Image.DecompressionBombError,
    RuntimeError,
)


def register_heif() -> None:
    """Teach Pillow to open HEIC/HEIF; done lazily because it loads libheif."""
    global _heif_registered
    if _heif_registered:
        return
    with _heif_lock:
        if not _heif_registered:
            import pillow_heif

            pillow_heif.register_heif_opener()
            _heif_registered = True


def open_image(path: Path) -> Image.Image:
    """Open lazily (headers only); pixels are decoded on `load()`."""
    register_heif()
    try:
        return Image.open(path)
    except DECODE_ERRORS as exc:
        raise UnsupportedMedia(f"cannot read image: {exc}") from exc


def orientation_of(image: Image.Image) -> int | None:
    """EXIF orientation as recorded by the camera (1-8), or None when absent.

    pillow-heif applies the HEIF container rotation itself and rewrites the EXIF tag to 1,
    keeping the camera's value in `info["original_orientation"]`.
    """
    original = image.info.get("original_orientation")
    if isinstance(original, int) and 1 <= original <= 8:
        return original
    try:
        value = image.getexif().get(EXIF_ORIENTATION_TAG)
    except DECODE_ERRORS:
        return None
    if isinstance(value, int) and 1 <= value <= 8:
        return value
    return None


def is_pre_rotated(image: Image.Image) -> bool:
    """True when the decoder already applied the orientation (HEIF), so `size` is display size."""
    return "original_orientation" in image.info
