"""Sync v1 wire encoding: `AssetResponseDto` JSON from stored forms, page by page.

Each row's owner-view forms are read with it (`sync.forms`); rows whose forms are stale are
rendered on the spot, and `forms.render.v1_dto` completes each one for its viewer. Full sync
is streamed as a JSON array whose elements are encoded one database page at a time, so the
server never holds more than one page however large `limit` is.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection, Row

from filmroll.mappers.asset import stack_response
from filmroll.sync.forms.queries import ASSETS, EXIF
from filmroll.sync.forms.render import v1_dto
from filmroll.sync.forms.renderer import fill

StackInfo = Mapping[uuid.UUID, tuple[uuid.UUID, int]]


def stack_ids(rows: Sequence[Row[Any]]) -> list[uuid.UUID]:
    """Stacks whose info the viewer gets: those of its own assets."""
    return list({r.stack_id for r in rows if r.stack_id is not None and r.own})


def asset_id(row: Row[Any]) -> uuid.UUID:
    """A row's id (selected as text, `sync.v1.queries`) as a UUID."""
    return uuid.UUID(row.id)


def dtos(conn: Connection, rows: Sequence[Row[Any]], stacks: StackInfo) -> list[str]:
    """The `AssetResponseDto` JSON of each row (from `sync.v1.queries`) for its viewer.

    A row whose asset vanished between the page and the completion is left out: the next
    sync reports it as deleted.
    """
    stale_assets = [asset_id(r) for r in rows if r.asset_form is None]
    stale_exif = [asset_id(r) for r in rows if r.exif_form is None and r.has_exif]
    assets = fill(conn, ASSETS, stale_assets, "v1") if stale_assets else {}
    exifs = fill(conn, EXIF, stale_exif, "v1") if stale_exif else {}
    out: list[str] = []
    for row in rows:
        asset, exif = row.asset_form, row.exif_form
        if asset is None or (exif is None and row.has_exif):
            key = str(asset_id(row))
            asset = asset or assets.get(key)
            exif = exif or exifs.get(key)
        if asset is None:
            continue
        stack = None
        if row.own and row.stack_id is not None and row.stack_id in stacks:
            primary, count = stacks[row.stack_id]
            stack = stack_response(row.stack_id, primary, count)
        out.append(v1_dto(asset, exif, own=bool(row.own), stack=stack))
    return out


def encode_items(conn: Connection, rows: Sequence[Row[Any]], stacks: StackInfo) -> bytes:
    """The rows as comma-separated JSON objects (an array body without its brackets)."""
    return ",".join(dtos(conn, rows, stacks)).encode()


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
