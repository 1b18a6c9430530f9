"""Preview, thumbnail and thumbhash generation, with Immich's sizes and formats.

Immich clients expect a JPEG preview (longest side 1440), a WebP thumbnail (longest side
250) and a thumbhash placeholder. Large photos are shrunk while decoding (JPEG draft mode,
`reduce`) so memory stays proportional to the preview, not to the sensor; images that would
still decode to more than `max_pixels` are refused with `ImageTooLarge` (see `imaging`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import thumbhash
from PIL import Image, ImageOps

from filmroll.media.imaging import DECODE_ERRORS, DEFAULT_MAX_PIXELS, bounded_decode, open_image
from filmroll.media.types import MediaType, UnsupportedMedia
from filmroll.media.video import poster_frame

PREVIEW_SIZE = 1440
PREVIEW_QUALITY = 80
THUMBNAIL_SIZE = 250
THUMBNAIL_QUALITY = 80
THUMBHASH_SIZE = 100
# Source pixels copied at once when reducing an image with alpha (16 MB as RGBA).
_STRIP_PIXELS = 4_000_000
# Background for transparent pixels in the JPEG preview, which cannot store alpha.
_FLATTEN_BACKGROUND = (255, 255, 255)


@dataclass(frozen=True, slots=True)
class Rendered:
    """Where the outputs were written, their pixel sizes, and the raw thumbhash bytes."""

    preview_path: Path
    preview_size: tuple[int, int]
    thumbnail_path: Path
    thumbnail_size: tuple[int, int]
    thumbhash: bytes


def render(
    path: Path,
    media_type: MediaType,
    out_dir: Path,
    *,
    name: str | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Rendered:
    """Write `<name>-preview.jpeg` and `<name>-thumbnail.webp` into `out_dir`.

    `name` defaults to the source file's stem. Raises `UnsupportedMedia` when the source
    cannot be decoded, `ImageTooLarge` (a subclass) when an image would decode to more
    than `max_pixels` at once. Outputs appear atomically, so readers never see half a file.
    """
    stem = name or path.stem
    if media_type is MediaType.VIDEO:
        base = poster_frame(path, max_side=PREVIEW_SIZE)
    else:
        base = _load_upright(path, PREVIEW_SIZE, max_pixels)
    base = _to_display_mode(base)
    base.thumbnail((PREVIEW_SIZE, PREVIEW_SIZE), Image.Resampling.LANCZOS)
    icc = base.info.get("icc_profile") if base.mode in ("RGB", "RGBA") else None

    out_dir.mkdir(parents=True, exist_ok=True)
    preview = _flatten(base)
    preview_path = out_dir / f"{stem}-preview.jpeg"
    _save_atomic(preview, preview_path, "JPEG", quality=PREVIEW_QUALITY, optimize=True, icc_profile=icc)

    thumb = base.copy()
    thumb.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    thumbnail_path = out_dir / f"{stem}-thumbnail.webp"
    _save_atomic(thumb, thumbnail_path, "WEBP", quality=THUMBNAIL_QUALITY, icc_profile=icc)

    return Rendered(
        preview_path=preview_path,
        preview_size=preview.size,
        thumbnail_path=thumbnail_path,
        thumbnail_size=thumb.size,
        thumbhash=compute_thumbhash(thumb),
    )


def compute_thumbhash(image: Image.Image) -> bytes:
    """ThumbHash of an image, computed on a copy no larger than 100x100 as the format requires.

    Transparency is flattened first: thumbhash 0.1.2 crashes on its alpha code path.
    """
    small = _flatten(_to_display_mode(image)).convert("RGBA")
    small.thumbnail((THUMBHASH_SIZE, THUMBHASH_SIZE), Image.Resampling.BILINEAR)
    return bytes(thumbhash.rgba_to_thumb_hash(small.width, small.height, list(small.tobytes())))


def _load_upright(path: Path, max_side: int, max_pixels: int) -> Image.Image:
    """Decode at the smallest size that still covers `max_side`, then apply EXIF orientation."""
    try:
        with open_image(path) as image:
            width, height = image.size
            scale = min(1.0, max_side / max(width, height))
            wanted = (max(1, round(width * scale)), max(1, round(height * scale)))
            # JPEG decodes at 1/2..1/8 scale; HEIF may pick an embedded thumbnail that is big enough.
            image.draft("RGB" if image.mode not in ("L", "1") else image.mode, wanted)
            # Held until the file closes, which frees the decoded full-size pixels.
            with bounded_decode(image, max_pixels):
                image.load()
                factor = min(image.width // wanted[0], image.height // wanted[1])
                loaded = _reduce(image, factor) if factor >= 2 else image.copy()
                loaded.info = dict(image.info)
                # exif_transpose needs the EXIF block; HEIF already came out upright (tag reset to 1).
                ImageOps.exif_transpose(loaded, in_place=True)
                image.close()
                return loaded
    except UnsupportedMedia:
        raise
    except DECODE_ERRORS as exc:
        raise UnsupportedMedia(f"cannot decode image: {exc}") from exc


def _reduce(image: Image.Image, factor: int) -> Image.Image:
    """`image.reduce(factor)` without a second full-size image.

    Pillow reduces images with alpha through a premultiplied full-size copy, which would
    double the decode's memory; reducing them in strips of whole blocks gives the same
    pixels with only one strip copied at a time.
    """
    if image.mode not in ("LA", "RGBA"):
        return image.reduce(factor)
    width, height = image.size
    out = Image.new(image.mode, (-(-width // factor), -(-height // factor)))
    step = factor * max(1, _STRIP_PIXELS // (width * factor))
    for top in range(0, height, step):
        strip = image.crop((0, top, width, min(top + step, height)))
        out.paste(strip.reduce(factor), (0, top // factor))
    return out


def _to_display_mode(image: Image.Image) -> Image.Image:
    """Normalise palette, 16-bit, CMYK and other modes to RGB(A) or L for encoding."""
    if image.mode in ("RGB", "RGBA", "L"):
        return image
    if image.mode in ("LA", "PA", "La") or (image.mode == "P" and "transparency" in image.info):
        converted = image.convert("RGBA")
    elif image.mode.startswith("I;16") or image.mode == "I":
        converted = image.point(lambda value: value / 256).convert("L")
    elif image.mode == "F":
        converted = image.convert("L")
    else:
        converted = image.convert("RGB")
    if image.mode != "CMYK":
        converted.info["icc_profile"] = image.info.get("icc_profile")
    return converted


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode != "RGBA":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    background = Image.new("RGB", image.size, _FLATTEN_BACKGROUND)
    background.paste(image, mask=image.getchannel("A"))
    return background


def _save_atomic(image: Image.Image, target: Path, fmt: str, **params: object) -> None:
    options = {key: value for key, value in params.items() if value is not None}
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            image.save(fh, fmt, **options)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
