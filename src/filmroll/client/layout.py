"""Where mirrored files live: `YYYY/MM/<originalFileName>` (thumbnails under `thumbnails/`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from typing import Any

STATE_DIR = ".filmroll"
TRASH_DIR = ".trash"
THUMBS_DIR = "thumbnails"
REPLICA_FILE = "replica.sqlite"

_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]')
_DATE = re.compile(r"^(\d{4})-(\d{2})")
_THUMB_EXT = {"image/webp": ".webp", "image/jpeg": ".jpg", "image/png": ".png", "image/avif": ".avif"}
THUMB_SUFFIXES = tuple(_THUMB_EXT.values())


def date_dir(asset: Mapping[str, Any]) -> str:
    """The month the photo was taken, in the photo's own local time; `unknown` when undated."""
    for key in ("localDateTime", "fileCreatedAt"):
        value = asset.get(key)
        if isinstance(value, str) and (match := _DATE.match(value)):
            return f"{match.group(1)}/{match.group(2)}"
    return "unknown"


def safe_name(asset: Mapping[str, Any]) -> str:
    """The original file name made safe for any file system; the asset id when there is none."""
    raw = str(asset.get("originalFileName") or "")
    name = _UNSAFE.sub("_", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    return name or str(asset["id"])


def thumb_suffix(content_type: str) -> str:
    return _THUMB_EXT.get(content_type.split(";", 1)[0].strip().lower(), ".jpg")


def relative_path(asset: Mapping[str, Any], kind: str, taken: Callable[[str], bool]) -> str:
    """A free path for one file; `taken(path)` says whether another asset holds that name.

    Same-named photos of one month get `name~<id prefix>.ext`, so every asset keeps a stable path.
    """
    name = PurePosixPath(safe_name(asset))
    if kind == "thumbnail":
        name = name.with_suffix("") if name.suffix else name
    folder = date_dir(asset) if kind == "original" else f"{THUMBS_DIR}/{date_dir(asset)}"
    asset_id = str(asset["id"])
    stem, suffix = (name.stem, name.suffix) if kind == "original" else (str(name), "")
    for candidate in (f"{stem}{suffix}", f"{stem}~{asset_id[:8]}{suffix}", f"{stem}~{asset_id}{suffix}"):
        path = f"{folder}/{candidate}"
        if not taken(path):
            return path
    return f"{folder}/{asset_id}{suffix}"
