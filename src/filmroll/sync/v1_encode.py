"""Sync v1 wire encoding: database rows to AssetResponseDto JSON, page by page.

Full sync is streamed as a JSON array whose elements are encoded one database page at a
time, so the server never holds more than one page of objects however large `limit` is.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, cast

import orjson
from sqlalchemy.engine import Row

from filmroll.mappers.asset import asset_response, stack_response
from filmroll.repositories.sync_v1 import EXIF_PREFIX

StackInfo = Mapping[uuid.UUID, tuple[uuid.UUID, int]]

_EXIF_KEYS = tuple(
    (name, EXIF_PREFIX + name)
    for name in (
        "make", "model", "lens_model", "exif_image_width", "exif_image_height", "file_size_in_byte",
        "orientation", "date_time_original", "modify_date", "time_zone", "f_number", "focal_length",
        "iso", "exposure_time", "latitude", "longitude", "city", "state", "country", "description",
        "projection_type", "rating",
    )
)  # fmt: skip


def stack_ids(rows: Sequence[Row[Any]], viewer_id: uuid.UUID) -> list[uuid.UUID]:
    """Stacks whose info the viewer gets: those of its own assets."""
    return list({r.stack_id for r in rows if r.stack_id is not None and r.owner_id == viewer_id})


def asset_dto(row: Row[Any], viewer_id: uuid.UUID, stacks: StackInfo) -> dict[str, Any]:
    """AssetResponseDto for one joined row; the stack object only for the viewer's own assets."""
    mapping = cast("Mapping[str, Any]", row._mapping)
    exif = (
        {name: mapping[label] for name, label in _EXIF_KEYS}
        if mapping[EXIF_PREFIX + "asset_id"] is not None
        else None
    )
    own = row.owner_id == viewer_id
    stack = None
    if own and row.stack_id is not None and row.stack_id in stacks:
        primary, count = stacks[row.stack_id]
        stack = stack_response(row.stack_id, primary, count)
    return asset_response(mapping, viewer_id, exif=exif, stack=stack, with_stack=own)


def encode_items(rows: Sequence[Row[Any]], viewer_id: uuid.UUID, stacks: StackInfo) -> bytes:
    """The rows as comma-separated JSON objects (an array body without its brackets)."""
    return orjson.dumps([asset_dto(r, viewer_id, stacks) for r in rows])[1:-1]


async def json_array(pages: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Wrap encoded pages (as from `encode_items`) into one JSON array."""
    yield b"["
    first = True
    async for chunk in pages:
        if not chunk:
            continue
        yield chunk if first else b"," + chunk
        first = False
    yield b"]"
