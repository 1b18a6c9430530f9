"""SQL of the map: assets with coordinates the viewer may see, with Immich's map filters.

The viewer's own assets follow the archive filter; partners' assets are only ever timeline
assets that are not trashed (the one access rule); album assets are those the album shows its
members, limited to the timeline (and archive, when asked) like the viewer's own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import album_assets, asset_exif, assets
from filmroll.repositories import access


@dataclass(frozen=True, slots=True)
class MarkerQuery:
    viewer: uuid.UUID
    partner_ids: tuple[uuid.UUID, ...] = ()
    with_albums: bool = False
    is_archived: bool | None = None
    is_favorite: bool | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


def markers(conn: Connection, q: MarkerQuery) -> Sequence[Row[Any]]:
    """Assets with a position, newest first."""
    a = assets
    shown = ("timeline", "archive") if q.is_archived else ("timeline",)
    paths: list[sa.ColumnElement[bool]] = [a.c.owner_id == q.viewer]
    if q.partner_ids:
        paths.append(sa.and_(a.c.owner_id.in_(q.partner_ids), a.c.visibility == access.TIMELINE))
    if q.with_albums:
        linked = sa.select(album_assets.c.asset_id).where(
            album_assets.c.album_id.in_(access.albums_of(q.viewer))
        )
        paths.append(a.c.id.in_(linked))
    conditions: list[sa.ColumnElement[bool]] = [
        sa.or_(*paths),
        a.c.visibility.in_(shown),
        a.c.deleted_at.is_(None),
        asset_exif.c.latitude.is_not(None),
        asset_exif.c.longitude.is_not(None),
    ]
    if q.is_favorite is not None:
        conditions.append(a.c.is_favorite.is_(q.is_favorite))
    if q.created_after is not None:
        conditions.append(a.c.file_created_at >= q.created_after)
    if q.created_before is not None:
        conditions.append(a.c.file_created_at <= q.created_before)
    columns: tuple[Any, ...] = (
        a.c.id,
        asset_exif.c.latitude,
        asset_exif.c.longitude,
        asset_exif.c.city,
        asset_exif.c.state,
        asset_exif.c.country,
    )
    query = (
        sa.select(*columns)
        .join(asset_exif, asset_exif.c.asset_id == a.c.id)
        .where(*conditions)
        .order_by(a.c.file_created_at.desc(), a.c.id.desc())
    )
    return conn.execute(query).all()
