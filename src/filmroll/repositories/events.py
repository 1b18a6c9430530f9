"""SQL behind live events: whether an upload's parts are stored, and the rows an event
carries, read in the sync stream's wire form."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import asset_exif, assets, sessions
from filmroll.sync.sql import wired
from filmroll.sync.v2.fields import ASSET_FIELDS, EXIF_FIELDS

_SYNC_ASSET = tuple(assets.c[column] for _key, column in ASSET_FIELDS)
_SYNC_EXIF = tuple(asset_exif.c[column] for _key, column in EXIF_FIELDS)


def metadata_extracted(conn: Connection, asset_id: uuid.UUID) -> bool:
    """Whether metadata extraction has stored the asset's EXIF row: extraction always records
    the file size, which an edit made before it (description, rating) never sets."""
    query = sa.select(asset_exif.c.file_size_in_byte).where(asset_exif.c.asset_id == asset_id)
    return conn.execute(query).scalar() is not None


def exifs(conn: Connection, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Row[Any]]:
    """EXIF rows by asset id."""
    query = sa.select(asset_exif).where(asset_exif.c.asset_id.in_(list(ids)))
    return {row.asset_id: row for row in conn.execute(query)}


def sync_rows(conn: Connection, asset_id: uuid.UUID) -> tuple[Sequence[Any] | None, Sequence[Any] | None]:
    """The asset's `SyncAssetV1` and `SyncAssetExifV1` columns, selected exactly as the v2 sync
    stream selects them (ids and timestamps already in their JSON form)."""
    dialect = conn.dialect.name
    asset_query = sa.select(*_SYNC_ASSET).where(assets.c.id == asset_id)
    exif_query = sa.select(*_SYNC_EXIF).where(asset_exif.c.asset_id == asset_id)
    asset = conn.execute(wired(dialect, asset_query)).first()
    exif = conn.execute(wired(dialect, exif_query)).first()
    return asset, exif


def session_ids(conn: Connection, user_id: uuid.UUID, *, keep: uuid.UUID | None = None) -> list[uuid.UUID]:
    """The user's sessions (all but `keep`), read before they are deleted so their connections
    can be told and closed."""
    query = sa.select(sessions.c.id).where(sessions.c.user_id == user_id)
    if keep is not None:
        query = query.where(sessions.c.id != keep)
    return list(conn.execute(query).scalars())
