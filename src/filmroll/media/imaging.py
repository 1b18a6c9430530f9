"""Opening images with Pillow, HEIC included, with failures mapped to `UnsupportedMedia`.

Decoding is bounded twice over, because a file of a few hundred kilobytes can declare an
image of hundreds of megapixels: each decode is refused when the pixels it would hold at
once exceed a limit (`ImageTooLarge`), and every decode in the process draws its memory
from one shared budget, so concurrent uploads cannot multiply the peak.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

from filmroll.media.types import UnsupportedMedia

# EXIF orientations 5-8 turn the picture by 90 degrees, swapping width and height.
TRANSPOSING_ORIENTATIONS = frozenset({5, 6, 7, 8})
EXIF_ORIENTATION_TAG = 0x0112

DEFAULT_MAX_PIXELS = 50_000_000
"""Pixels one decode may hold at once unless configured otherwise (about 200 MB decoded).

JPEG decodes at down to 1/8 scale, so JPEGs up to 64 times this size pass; HEIF only
shrinks when it embeds a large enough thumbnail. Other formats (PNG, TIFF, WebP, GIF)
above it cannot be decoded smaller, so they are refused: no thumbnails for them.
"""

BYTES_PER_DECODED_PIXEL = 5
"""What a decode reserves per pixel: Pillow stores multi-band pixels in 4 bytes, and the
shrunken copy made right after decoding adds at most a quarter of that."""

HEIF_BYTES_PER_PIXEL = 7
"""HEIF/AVIF decode through libheif's own planes and RGB buffer before Pillow's copy."""

DECODE_BUDGET_BYTES = 256 * 1024 * 1024
"""Decoded bytes the whole process may hold at once; larger decodes wait for smaller ones.

A single decode needing more than this (possible only when the pixel limit is raised)
waits until it can run alone.
"""

MMAP_THRESHOLD_BYTES = 4 * 1024 * 1024
"""Allocations from this size up get their own mapping, returned to the OS when freed.

glibc otherwise raises its threshold after the first large free and serves later blocks
from per-thread heaps that keep freed memory: decodes taking turns on different worker
threads would each leave their peak resident, multiplying the process's footprint.
"""


def _return_large_frees_to_os() -> None:
    """Fix glibc's mmap threshold (see `MMAP_THRESHOLD_BYTES`); a no-op on other C libraries."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    m_mmap_threshold = -3
    mallopt(m_mmap_threshold, MMAP_THRESHOLD_BYTES)


_return_large_frees_to_os()

# Pillow's own bomb check counts the full size at open time, even for a JPEG that is
# later decoded at 1/8 scale; `bounded_decode` applies the limit to what is really decoded.
Image.MAX_IMAGE_PIXELS = None

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


class ImageTooLarge(UnsupportedMedia):
    """The image would decode to more pixels than the configured limit allows."""


class _DecodeBudget:
    """A weighted semaphore over decoded bytes, shared by every thread of the process."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._free = capacity
        self._cond = threading.Condition()

    @contextmanager
    def reserve(self, amount: int) -> Iterator[None]:
        amount = min(max(amount, 0), self.capacity)
        with self._cond:
            self._cond.wait_for(lambda: self._free >= amount)
            self._free -= amount
        try:
            yield
        finally:
            with self._cond:
                self._free += amount
                self._cond.notify_all()


_budget = _DecodeBudget(DECODE_BUDGET_BYTES)


@contextmanager
def bounded_decode(image: Image.Image, max_pixels: int) -> Iterator[None]:
    """Hold a share of the decode budget while the caller loads and shrinks `image`.

    Call after `draft()`, which sets `size` to what will really be decoded. Raises
    `ImageTooLarge` before any pixel is decoded when that exceeds `max_pixels`.
    """
    width, height = image.size
    pixels = width * height
    if pixels > max_pixels:
        raise ImageTooLarge(
            f"image of {width}x{height} pixels ({pixels / 1e6:.1f} megapixels) is above "
            f"the decoding limit of {max_pixels / 1e6:.1f} megapixels"
        )
    per_pixel = HEIF_BYTES_PER_PIXEL if image.format in ("HEIF", "AVIF") else BYTES_PER_DECODED_PIXEL
    with _budget.reserve(pixels * per_pixel):
        yield


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
        value = _exif(image).get(EXIF_ORIENTATION_TAG)
    except DECODE_ERRORS:
        return None
    if isinstance(value, int) and 1 <= value <= 8:
        return value
    return None


def _exif(image: Image.Image) -> Image.Exif:
    """`getexif()` without decoding pixels.

    Pillow's PNG plugin decodes the whole image to reach an eXIf chunk stored after the
    pixel data; that chunk is found by skipping over the data instead, and stored in
    `info["exif"]` as Pillow would, so later readers of `info` see it too.
    """
    if image.format != "PNG" or "exif" in image.info:
        return image.getexif()
    filename = getattr(image, "filename", "")
    if filename:
        late = _png_late_exif(Path(os.fsdecode(filename)))
        if late is not None:
            image.info["exif"] = late
    return Image.Image.getexif(image)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MAX_EXIF_CHUNK = 16 * 1024 * 1024


def _png_late_exif(path: Path) -> bytes | None:
    """The eXIf chunk of a PNG file (prefixed like Pillow's), reading only chunk headers."""
    try:
        with path.open("rb") as fh:
            if fh.read(8) != _PNG_SIGNATURE:
                return None
            while len(header := fh.read(8)) == 8:
                length, kind = struct.unpack(">I4s", header)
                if kind == b"eXIf":
                    if length > _MAX_EXIF_CHUNK:
                        return None
                    data = fh.read(length)
                    return b"Exif\x00\x00" + data if len(data) == length else None
                if kind == b"IEND":
                    return None
                fh.seek(length + 4, os.SEEK_CUR)
    except OSError:
        return None
    return None


def is_pre_rotated(image: Image.Image) -> bool:
    """True when the decoder already applied the orientation (HEIF), so `size` is display size."""
    return "original_orientation" in image.info
