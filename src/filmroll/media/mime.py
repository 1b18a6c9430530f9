"""Content sniffing for uploads, plus the extension lists the Immich clients ask for.

Clients filter what they upload by extension (`/api/server/media-types`), but the server
decides by content: a renamed PNG is still a PNG, and a text file called `.jpg` is refused.
"""

from __future__ import annotations

from pathlib import Path

from filmroll.media.types import MediaType, UnsupportedMedia

IMAGE_EXTENSIONS: dict[str, str] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".heif": "image/heif",
    ".gif": "image/gif",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}

VIDEO_EXTENSIONS: dict[str, str] = {
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".mov": "video/quicktime",
    ".qt": "video/quicktime",
    ".3gp": "video/3gpp",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".avi": "video/x-msvideo",
}

SIDECAR_EXTENSIONS: dict[str, str] = {".xmp": "application/xml"}

_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
_QUICKTIME_BRANDS = frozenset({b"qt  "})
_3GP_PREFIXES = (b"3gp", b"3g2")
_M4V_BRANDS = frozenset({b"M4V ", b"M4VH", b"M4VP"})
_MP4_BRANDS = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso4",
        b"iso5",
        b"iso6",
        b"mp41",
        b"mp42",
        b"avc1",
        b"dash",
        b"mmp4",
        b"MSNV",
        b"f4v ",
    }
)
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})

_SNIFF_BYTES = 4096


def media_types() -> dict[str, list[str]]:
    """Supported extensions in the shape of Immich's `ServerMediaTypesResponseDto`."""
    return {
        "image": sorted(IMAGE_EXTENSIONS),
        "video": sorted(VIDEO_EXTENSIONS),
        "sidecar": sorted(SIDECAR_EXTENSIONS),
    }


def _extension(filename: str) -> str:
    return Path(filename).suffix.lower()


def _sniff_isobmff(head: bytes, ext: str) -> tuple[MediaType, str] | None:
    size = int.from_bytes(head[0:4], "big")
    major = head[8:12]
    end = min(len(head), size if size >= 16 else 16)
    brands = {major} | {head[i : i + 4] for i in range(16, end - 3, 4)}
    if major in _HEIC_BRANDS or (major in _HEIF_BRANDS and brands & _HEIC_BRANDS):
        return MediaType.IMAGE, "image/heic"
    if major in _HEIF_BRANDS:
        return MediaType.IMAGE, "image/heif"
    if major in _QUICKTIME_BRANDS:
        return MediaType.VIDEO, "video/quicktime"
    if major.startswith(_3GP_PREFIXES):
        return MediaType.VIDEO, "video/3gpp"
    if major in _M4V_BRANDS:
        return MediaType.VIDEO, "video/x-m4v"
    if major in _MP4_BRANDS or brands & _MP4_BRANDS:
        if ext in (".mov", ".qt"):
            return MediaType.VIDEO, "video/quicktime"
        return MediaType.VIDEO, "video/x-m4v" if ext == ".m4v" else "video/mp4"
    return None


def sniff(head: bytes, filename: str = "") -> tuple[MediaType, str] | None:
    """Identify a supported format from the first bytes of a file; None when unknown."""
    ext = _extension(filename)
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType.IMAGE, "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.IMAGE, "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return MediaType.IMAGE, "image/gif"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return MediaType.IMAGE, "image/tiff"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return MediaType.IMAGE, "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return MediaType.VIDEO, "video/x-msvideo"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64] or (b"matroska" not in head[:64] and ext == ".webm"):
            return MediaType.VIDEO, "video/webm"
        return MediaType.VIDEO, "video/x-matroska"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _sniff_isobmff(head, ext)
    if len(head) >= 8 and head[4:8] in _QUICKTIME_ATOMS and ext in (".mov", ".qt", ".mp4", ".m4v"):
        return MediaType.VIDEO, VIDEO_EXTENSIONS[ext]
    return None


def detect(path: Path, filename: str) -> tuple[MediaType, str]:
    """Classify the file at `path` (uploaded as `filename`) or raise `UnsupportedMedia`."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except OSError as exc:
        raise UnsupportedMedia(f"cannot read {filename!r}: {exc.strerror or exc}") from exc
    if not head:
        raise UnsupportedMedia(f"{filename!r} is empty")
    found = sniff(head, filename)
    if found is None:
        ext = _extension(filename) or "(none)"
        raise UnsupportedMedia(f"{filename!r} is not a supported image or video (extension {ext})")
    return found
