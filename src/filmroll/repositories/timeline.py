"""SQL of the timeline: month buckets, one month's assets, a device's uploads.

Who sees what follows the one access rule (`repositories.access`): a timeline view names the
owners it shows; the viewer's own assets appear in every state the filters ask for, a partner's
only while on the timeline and not trashed; an album view shows what the album shows its
members (not trashed, not locked), plus the viewer's own assets in it.

Months are those of `local_date_time`, the wall-clock time the photo was taken, stored naive,
so a month is a plain range of that column on both databases and walks its index.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db.schema import album_assets, asset_exif, assets, partners, stacks, tag_assets, tags
from filmroll.repositories import access
from filmroll.sync.sql import wire_value

DEFAULT_VISIBLE = ("archive", "timeline")
"""What a timeline shows when the request names no visibility, as Immich does."""


@dataclass(frozen=True, slots=True)
class TimelineQuery:
    """A validated timeline request: whose assets, through which path, with which filters.

    `owner_ids` None means no owner filter (an album view). `empty` short-cuts filters that can
    match nothing here (a person, since filmroll has no face recognition).
    """

    viewer: uuid.UUID
    owner_ids: tuple[uuid.UUID, ...] | None = None
    album_id: uuid.UUID | None = None
    visibility: str | None = None
    is_favorite: bool | None = None
    is_trashed: bool | None = None
    with_stacked: bool = False
    tag_id: uuid.UUID | None = None
    bbox: tuple[float, float, float, float] | None = None
    empty: bool = False


def _who(q: TimelineQuery) -> list[sa.ColumnElement[bool]]:
    a = assets
    conditions: list[sa.ColumnElement[bool]] = []
    if q.album_id is not None:
        in_album = sa.select(album_assets.c.asset_id).where(album_assets.c.album_id == q.album_id)
        conditions += [a.c.id.in_(in_album), sa.or_(a.c.owner_id == q.viewer, access.album_shows(a))]
        if q.owner_ids is not None:
            conditions.append(a.c.owner_id.in_(q.owner_ids))
        return conditions
    owners = q.owner_ids or ()
    others = [o for o in owners if o != q.viewer]
    paths: list[sa.ColumnElement[bool]] = []
    if q.viewer in owners:
        paths.append(a.c.owner_id == q.viewer)
    if others:
        paths.append(
            sa.and_(a.c.owner_id.in_(others), a.c.visibility == access.TIMELINE, a.c.deleted_at.is_(None))
        )
    conditions.append(sa.or_(*paths) if paths else sa.false())
    return conditions


def _tag_and_descendants(tag_id: uuid.UUID) -> sa.Select[Any]:
    """A tag and every tag below it (`a/b` is under `a`): Immich's tag filter follows the tree."""
    tree = sa.select(tags.c.id).where(tags.c.id == tag_id).cte("tag_tree", recursive=True)
    tree = tree.union_all(sa.select(tags.c.id).where(tags.c.parent_id == tree.c.id))
    return sa.select(tree.c.id)


def owns_tag(conn: Connection, user: uuid.UUID, tag_id: uuid.UUID) -> bool:
    query = sa.select(tags.c.id).where(tags.c.id == tag_id, tags.c.user_id == user)
    return conn.execute(query).first() is not None


def _where(q: TimelineQuery) -> list[sa.ColumnElement[bool]]:
    a = assets
    if q.empty:
        return [sa.false()]
    conditions = _who(q)
    if q.visibility is not None:
        conditions.append(a.c.visibility == q.visibility)
    else:
        conditions.append(a.c.visibility.in_(DEFAULT_VISIBLE))
    conditions.append(a.c.deleted_at.is_not(None) if q.is_trashed else a.c.deleted_at.is_(None))
    if q.is_favorite is not None:
        conditions.append(a.c.is_favorite.is_(q.is_favorite))
    if q.with_stacked:
        # A stack shows as its primary asset only. Written so that assets outside stacks (most)
        # are decided from the timeline index alone.
        primary = sa.exists().where(stacks.c.id == a.c.stack_id, stacks.c.primary_asset_id == a.c.id)
        conditions.append(sa.or_(a.c.stack_id.is_(None), primary))
    if q.tag_id is not None:
        tagged = sa.select(tag_assets.c.asset_id).where(
            tag_assets.c.tag_id.in_(_tag_and_descendants(q.tag_id))
        )
        conditions.append(a.c.id.in_(tagged))
    if q.bbox is not None:
        west, south, east, north = q.bbox
        lat, lon = asset_exif.c.latitude, asset_exif.c.longitude
        across = lon.between(west, east) if west <= east else sa.or_(lon >= west, lon <= east)
        conditions += [lat.between(south, north), across]
    return conditions


def _from(q: TimelineQuery, *, exif: bool) -> Any:
    if exif or q.bbox is not None:
        return assets.outerjoin(asset_exif, asset_exif.c.asset_id == assets.c.id)
    return assets


def _month(conn: Connection) -> sa.ColumnElement[str]:
    """`YYYY-MM` of the capture time: SQLite stores timestamps as ISO text, PostgreSQL formats."""
    if conn.dialect.name == "postgresql":
        return sa.func.to_char(assets.c.local_date_time, "YYYY-MM")
    return sa.func.substr(assets.c.local_date_time, 1, 7)


def _day(conn: Connection) -> sa.ColumnElement[Any]:
    if conn.dialect.name == "postgresql":
        return sa.cast(assets.c.local_date_time, sa.Date)
    return sa.func.substr(assets.c.local_date_time, 1, 10)


def buckets(conn: Connection, q: TimelineQuery, *, descending: bool) -> list[tuple[str, int]]:
    """(`YYYY-MM`, asset count) per month holding matching assets, newest first unless ascending."""
    month = _month(conn).label("month")
    query = (
        sa.select(month, sa.func.count().label("count"))
        .select_from(_from(q, exif=False))
        .where(*_where(q))
        .group_by(month)
        .order_by(month.desc() if descending else month.asc())
    )
    return [(str(month_), int(count)) for month_, count in conn.execute(query)]


def _offset_hours(dialect: str) -> sa.ColumnElement[float]:
    """Hours from UTC to the local capture time (`localDateTime - fileCreatedAt`)."""
    local, created = assets.c.local_date_time, assets.c.file_created_at
    if dialect == "postgresql":
        seconds = sa.extract("epoch", local - created)
        return sa.cast(seconds / 3600, sa.Float)
    days = sa.func.julianday(local) - sa.func.julianday(created)
    # julianday is exact to tens of microseconds; four decimals keep 5.75 and -9.5 exact.
    return sa.type_coerce(sa.func.round(days * 24, 4), sa.Float)


@functools.cache
def bucket_columns(dialect: str) -> tuple[Any, ...]:
    """A month's columns, ids and timestamps already text (`sync.sql.wire_value`): converting
    ten thousand rows' UUIDs and datetimes to Python objects and back costs more than the query.
    Built once per dialect, since building SQL expressions costs milliseconds too."""
    a, e = assets.c, asset_exif.c
    return (
        wire_value(dialect, a.id).label("id"),
        wire_value(dialect, a.owner_id).label("owner_id"),
        a.type,
        a.visibility,
        a.is_favorite,
        a.deleted_at.is_not(None).label("trashed"),
        a.duration,
        wire_value(dialect, a.live_photo_video_id).label("live_photo_video_id"),
        wire_value(dialect, a.file_created_at).label("file_created_at"),
        _offset_hours(dialect).label("offset_hours"),
        a.thumbhash,
        a.width,
        a.height,
        wire_value(dialect, a.stack_id).label("stack_id"),
        e.projection_type,
        e.city,
        e.country,
        e.latitude,
        e.longitude,
    )


def bucket(
    conn: Connection, q: TimelineQuery, start: datetime, end: datetime, *, descending: bool
) -> list[Any]:
    """The matching assets taken in [start, end), by day of capture, then by creation time, as
    tuples in `bucket_columns` order."""
    day = _day(conn)
    order = (
        (day.desc(), assets.c.file_created_at.desc(), assets.c.id.desc())
        if descending
        else (day.asc(), assets.c.file_created_at.asc(), assets.c.id.asc())
    )
    query = (
        sa.select(*bucket_columns(conn.dialect.name))
        .select_from(_from(q, exif=True))
        .where(*_where(q), assets.c.local_date_time >= start, assets.c.local_date_time < end)
        .order_by(*order)
    )
    return [tuple(r) for r in conn.execute(query)]


def stack_sizes(conn: Connection, stack_ids: Sequence[str]) -> dict[str, int]:
    """Members of each stack that are on the timeline and not trashed, as Immich counts them."""
    sizes: dict[str, int] = {}
    for start in range(0, len(stack_ids), 500):
        chunk = [uuid.UUID(s) for s in stack_ids[start : start + 500]]
        query = (
            sa.select(assets.c.stack_id, sa.func.count())
            .where(
                assets.c.stack_id.in_(chunk),
                assets.c.deleted_at.is_(None),
                assets.c.visibility == access.TIMELINE,
            )
            .group_by(assets.c.stack_id)
        )
        sizes.update({str(s): int(n) for s, n in conn.execute(query)})
    return sizes


def timeline_partner_ids(conn: Connection, viewer: uuid.UUID) -> list[uuid.UUID]:
    """Live sharers whose library the viewer chose to show in its timeline (`inTimeline`)."""
    query = sa.select(partners.c.shared_by_id).where(
        partners.c.shared_with_id == viewer,
        partners.c.in_timeline.is_(True),
        partners.c.shared_by_id.in_(access.live_sharers_of(viewer)),
    )
    return [uuid.UUID(str(r)) for r in conn.execute(query).scalars()]


def device_asset_ids(conn: Connection, owner: uuid.UUID, device_id: str, *, unlocked: bool) -> list[str]:
    """Device asset ids of the owner's uploads from one device that are not trashed or hidden;
    locked ones only with `unlocked` (a PIN-unlocked session), as every other read of them."""
    query = sa.select(assets.c.device_asset_id).where(
        access.owner_reads(owner, unlocked=unlocked),
        assets.c.device_id == device_id,
        assets.c.visibility != access.HIDDEN,
        assets.c.deleted_at.is_(None),
    )
    return [str(r) for r in conn.execute(query).scalars()]
