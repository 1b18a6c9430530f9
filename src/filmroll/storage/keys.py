"""Key validation and the on-storage layout of originals and derived files."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

DerivedKind = Literal["preview", "thumbnail"]

KEY_ROOTS = ("library", "thumbs", "profile")
"""First segment of every key filmroll writes: originals (and sidecars), derived files, and
users' profile images."""


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative POSIX path, else raise ``ValueError``.

    Both backends apply the same rules so that a key accepted by one is accepted by
    the other and can never address anything outside the storage root or prefix.
    """
    if not isinstance(key, str) or not key:
        raise ValueError("storage key must be a non-empty string")
    if key.startswith("/"):
        raise ValueError(f"storage key must be relative: {key!r}")
    if "\\" in key or "\x00" in key:
        raise ValueError(f"storage key contains a forbidden character: {key!r}")
    for part in key.split("/"):
        if part in ("", ".", ".."):
            raise ValueError(f"storage key has an empty, '.' or '..' segment: {key!r}")
    return key


def _segment(value: str, what: str) -> str:
    if not value or "/" in value or "\\" in value or "\x00" in value or value in (".", ".."):
        raise ValueError(f"invalid {what} for a storage key: {value!r}")
    return value


def _ext(ext: str) -> str:
    if ext and not ext.startswith("."):
        ext = "." + ext
    if "/" in ext or "\\" in ext or "\x00" in ext:
        raise ValueError(f"invalid file extension: {ext!r}")
    return ext


def asset_key(owner_id: str, when: datetime, asset_id: str, ext: str) -> str:
    """Key of an original: ``library/<owner_id>/<YYYY>/<MM>/<asset_id><ext>``.

    Laid out by owner and date so the tree stays browsable and directories stay
    small. ``when`` is used as given (pass the capture time in the zone the
    library should be organised by). ``ext`` may be given with or without dot.
    """
    owner = _segment(owner_id, "owner id")
    asset = _segment(asset_id, "asset id")
    return validate_key(f"library/{owner}/{when.year:04d}/{when.month:02d}/{asset}{_ext(ext)}")


def derived_key(owner_id: str, asset_id: str, kind: DerivedKind, ext: str) -> str:
    """Key of a derived file: ``thumbs/<owner_id>/<asset_id[:2]>/<asset_id>-<kind><ext>``.

    The two-character fan-out keeps directories small without needing a date.
    """
    if kind not in ("preview", "thumbnail"):
        raise ValueError(f"invalid derived file kind: {kind!r}")
    owner = _segment(owner_id, "owner id")
    asset = _segment(asset_id, "asset id")
    return validate_key(f"thumbs/{owner}/{asset[:2]}/{asset}-{kind}{_ext(ext)}")


def profile_key(user_id: str, image_id: str) -> str:
    """Key of a profile image: ``profile/<user_id>/<image_id>.jpeg``.

    Each upload gets a new ``image_id``, so a replaced image is a different key and a
    client holding the old one never reads a half-replaced file.
    """
    user = _segment(user_id, "user id")
    image = _segment(image_id, "image id")
    return validate_key(f"profile/{user}/{image}.jpeg")
