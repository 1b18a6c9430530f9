"""Rendering a row's wire forms with the live encoders, and composing v1 DTOs from them.

The stored forms are exactly what the encoders give for the row as the sync queries select
it (UUIDs and timestamps already formatted by SQL), so a stored form and a fresh encoding of
the same row are the same bytes. v1's `AssetResponseDto` depends on the viewer (a partner
sees `isFavorite: false` and no stack, as Immich answers) and on the stack's current size,
so the stored v1 part holds the owner's view without `exifInfo` and `stack`, and `v1_dto`
completes it per viewer at read time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Final

import orjson

from filmroll.mappers.asset import asset_response, exif_response
from filmroll.sync.v2.fields import ASSET_FIELDS, EXIF_FIELDS
from filmroll.sync.v2.lines import sync_asset, sync_exif

VERSION: Final = 1
"""Bump whenever an encoder's output changes: every stored form becomes stale at once and is
re-rendered in the background, while readers render stale rows on the fly meanwhile."""

_ASSET_COLUMNS = tuple(column for _key, column in ASSET_FIELDS)
_EXIF_COLUMNS = tuple(column for _key, column in EXIF_FIELDS)
OWN_FAVOURITE, NOT_FAVOURITE = '"isFavorite":true', '"isFavorite":false'


def _text(value: Any) -> str:
    return orjson.dumps(value).decode()


def asset_forms(row: Mapping[str, Any]) -> tuple[str, str]:
    """(v2 `SyncAssetV1`, v1 owner view without `exifInfo` and `stack`) of an asset row."""
    v2 = _text(sync_asset(tuple(row[c] for c in _ASSET_COLUMNS)))
    return v2, _text(asset_response(row, row["owner_id"]))


def exif_forms(row: Mapping[str, Any]) -> tuple[str, str]:
    """(v2 `SyncAssetExifV1`, v1 `ExifResponseDto`) of an exif row."""
    return _text(sync_exif(tuple(row[c] for c in _EXIF_COLUMNS))), _text(exif_response(row))


def row_hash(v2: str | bytes) -> int:
    """A row's digest hash: the first 8 bytes of SHA-256 of its v2 `data` JSON (UTF-8), read
    big-endian as a signed 64-bit integer, so databases store it in a BIGINT and any client
    can compute it from the line it received (`docs/sync-digests.md`)."""
    raw = v2.encode() if isinstance(v2, str) else v2
    return int.from_bytes(hashlib.sha256(raw).digest()[:8], "big", signed=True)


def v1_dto(asset: str, exif: str | None, *, own: bool, stack: dict[str, Any] | None) -> str:
    """The `AssetResponseDto` a viewer gets, from the stored parts.

    Keys come in the order `mappers.asset.asset_response` writes them, so the result equals a
    fresh encoding byte for byte. A JSON string never holds an unescaped quote, so the first
    `"isFavorite":true` is the field itself.
    """
    parts = [asset[:-1]]
    if exif is not None:
        parts += [',"exifInfo":', exif]
    if own:
        parts += [',"stack":', _text(stack)]
    parts.append("}")
    text = "".join(parts)
    return text if own else text.replace(OWN_FAVOURITE, NOT_FAVOURITE, 1)
