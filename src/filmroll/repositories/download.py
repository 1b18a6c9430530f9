"""SQL of downloads: which assets an archive holds, their sizes, and where their originals are.

Trashed assets are never downloaded; callers have checked access to the ids, album or user.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import album_assets, assets
from filmroll.repositories import access

_INFO: tuple[Any, ...] = (assets.c.id, assets.c.live_photo_video_id, assets.c.file_size)
_CHUNK = 1000


def _by_ids(conn: Connection, ids: Sequence[uuid.UUID], *columns: Any) -> Iterator[Row[Any]]:
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = sa.select(*columns).where(assets.c.id.in_(chunk), assets.c.deleted_at.is_(None))
        found = {r.id: r for r in conn.execute(query)}
        yield from (found[i] for i in chunk if i in found)


def of_ids(conn: Connection, ids: Sequence[uuid.UUID]) -> Iterator[Row[Any]]:
    """(id, live photo video id, size) of the assets among `ids` that are not trashed, in order."""
    return _by_ids(conn, ids, *_INFO)


def of_album(conn: Connection, album_id: uuid.UUID) -> Iterator[Row[Any]]:
    query = (
        sa.select(*_INFO)
        .join(album_assets, album_assets.c.asset_id == assets.c.id)
        .where(album_assets.c.album_id == album_id, access.album_shows())
        .order_by(assets.c.file_created_at, assets.c.id)
    )
    return iter(list(conn.execute(query)))


def of_owner(conn: Connection, owner: uuid.UUID, *, unlocked: bool) -> Iterator[Row[Any]]:
    """The owner's library as its timeline download: everything but hidden and trashed assets."""
    query = (
        sa.select(*_INFO)
        .where(
            access.owner_reads(owner, unlocked=unlocked),
            assets.c.visibility != access.HIDDEN,
            assets.c.deleted_at.is_(None),
        )
        .order_by(assets.c.file_created_at, assets.c.id)
    )
    return iter(list(conn.execute(query)))


def originals(conn: Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Row[Any]]:
    """Where each asset's original is stored and the name it had, keyed by id."""
    columns: tuple[Any, ...] = (
        assets.c.id,
        assets.c.original_path,
        assets.c.original_file_name,
        assets.c.file_modified_at,
    )
    found: dict[uuid.UUID, Row[Any]] = {}
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), _CHUNK):
        query = sa.select(*columns).where(assets.c.id.in_(wanted[start : start + _CHUNK]))
        found.update({uuid.UUID(str(r.id)): r for r in conn.execute(query)})
    return found
