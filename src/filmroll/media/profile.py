"""Profile images: any accepted upload becomes one upright JPEG of bounded size.

Immich serves every profile image as `image/jpeg`, so the upload is re-encoded rather than
stored as sent; that also drops its metadata (a phone photo's GPS position has no business
in an avatar every other user can fetch) and caps what each avatar costs to store and send.
The decode goes through the same pixel limit and shared memory budget as thumbnails.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from filmroll.media.imaging import DECODE_ERRORS, DEFAULT_MAX_PIXELS, bounded_decode, open_image
from filmroll.media.types import UnsupportedMedia

PROFILE_IMAGE_SIZE = 1440
"""Longest side of a stored profile image: Immich's preview size, ample for any avatar view."""
PROFILE_IMAGE_QUALITY = 85
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "HEIF"})
"""What Pillow calls JPEG (MPO: a JPEG with embedded previews, as many cameras write), PNG,
WebP and HEIC files, recognised by content whatever the file name says."""
_BACKGROUND = (255, 255, 255)


def render_profile_image(
    source: Path, target: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> tuple[int, int]:
    """Write `source` as an upright RGB JPEG no larger than `PROFILE_IMAGE_SIZE` to `target`.

    Raises `UnsupportedMedia` for anything that is not a decodable JPEG, PNG, WebP or HEIC
    image, `ImageTooLarge` (a subclass) when it would decode to more than `max_pixels`.
    `target` appears whole or not at all. Returns the stored size.
    """
    try:
        with open_image(source) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise UnsupportedMedia("Unsupported file type: use a JPEG, PNG, WebP or HEIC image")
            width, height = image.size
            scale = min(1.0, PROFILE_IMAGE_SIZE / max(width, height, 1))
            wanted = (max(1, round(width * scale)), max(1, round(height * scale)))
            image.draft("RGB", wanted)
            with bounded_decode(image, max_pixels):
                image.load()
                # Shrink in place first, so turning it upright copies the small image only.
                image.thumbnail((PROFILE_IMAGE_SIZE, PROFILE_IMAGE_SIZE), Image.Resampling.LANCZOS)
                flat = _flatten(ImageOps.exif_transpose(image))
                _save_atomic(flat, target)
                return flat.size
    except UnsupportedMedia:
        raise
    except DECODE_ERRORS as exc:
        raise UnsupportedMedia(f"Cannot read the image: {exc}") from exc


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with transparent pixels on white (JPEG has no alpha)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, _BACKGROUND)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I;16") or image.mode == "I":
        return image.point(lambda value: value / 256).convert("RGB")
    return image.convert("RGB")


def _save_atomic(image: Image.Image, target: Path) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            image.save(fh, "JPEG", quality=PROFILE_IMAGE_QUALITY, optimize=True)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
