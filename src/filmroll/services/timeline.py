"""Timeline rules: which owners and albums a timeline request may show, and the month shapes.

The checks follow Immich's order and messages: a locked view needs an unlocked session; an album
view needs album access; otherwise the view is of one user (the caller by default), who must be
the caller or a partner sharing with it; archived and locked views are the caller's own only;
`withPartners` adds the partners the caller shows in its timeline and cannot be combined with
archive, favourite, trash or locked filters (partners' assets are only ever timeline assets).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.engine import Connection

from filmroll.db.engine import Database
from filmroll.errors import BadRequest
from filmroll.mappers.asset import b64
from filmroll.repositories import partners as partners_repo
from filmroll.repositories import timeline as repo
from filmroll.repositories.timeline import TimelineQuery
from filmroll.services.access import denied, require_album, require_unlocked, unlocked
from filmroll.services.auth import AuthContext
from filmroll.timefmt import next_month

_BUCKET = re.compile(
    r"^[+-]?(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(?:Z|[+-]00:?00)?$"
)
NOBODY = uuid.UUID(int=0)
"""The viewer of a shared link's visitor: owns nothing, so only the album's own rule applies."""
WITH_PARTNERS_CONFLICT = (
    "withPartners is only supported for non-archived, non-trashed, non-favorited, non-locked assets"
)


@dataclass(frozen=True, slots=True)
class TimelineRequest:
    """The query parameters Immich's `TimeBucketDto` carries (shared-link ones aside)."""

    user_id: uuid.UUID | None = None
    album_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    tag_id: uuid.UUID | None = None
    visibility: str | None = None
    is_favorite: bool | None = None
    is_trashed: bool | None = None
    with_partners: bool | None = None
    with_stacked: bool | None = None
    with_coordinates: bool | None = None
    order: str | None = None
    bbox: tuple[float, float, float, float] | None = None

    @property
    def descending(self) -> bool:
        return self.order != "asc"


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    """`west,south,east,north` in degrees; a west edge east of the east edge crosses 180°."""
    parts = value.split(",")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise BadRequest(["bbox must be four numbers: west,south,east,north"]) from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise BadRequest(["bbox must be west,south,east,north within -180..180 and -90..90"])
    return west, south, east, north


def month_range(value: str) -> tuple[datetime, datetime] | None:
    """The month a `timeBucket` names, or None when it is a date but not the first of a month
    (Immich compares the month's start with the value, so such a value matches nothing)."""
    match = _BUCKET.match(value.strip())
    if match is None:
        raise BadRequest(["timeBucket must be a date (YYYY-MM-DD)"])
    year, month, day = (int(g) for g in match.group(1, 2, 3))
    clock = [int(g or 0) for g in match.group(4, 5, 6, 7)]
    try:
        start = datetime(year, month, day)
    except ValueError:
        raise BadRequest(["timeBucket must be a date (YYYY-MM-DD)"]) from None
    if day != 1 or any(clock):
        return None
    return start, next_month(start)


def _json_timestamp(wire: str) -> str:
    """`2024-03-10T13:30:00.250Z` as PostgreSQL's `to_json` writes a UTC `timestamp`, as Immich
    sends it: no zone, no trailing zeros (`2024-03-10T13:30:00.25`, `2024-03-10T19:00:00`)."""
    return wire[:-1].rstrip("0").rstrip(".")


def _ratio(width: int | None, height: int | None) -> float:
    return round(width / height, 3) if width and height else 1


class TimelineService:
    """Month buckets and month contents for the web app's and older mobile apps' timelines."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _query(self, conn: Connection, auth: AuthContext, req: TimelineRequest) -> TimelineQuery:
        me = auth.user_id
        if req.visibility == "locked":
            require_unlocked(auth)
        if auth.link is not None:
            return self._link_query(conn, auth, req)
        user_id = req.user_id
        if req.album_id is not None:
            require_album(conn, auth, req.album_id, "album.read", ("owner", "editor", "viewer"))
        elif user_id is None:
            user_id = me
        if user_id is not None:
            if user_id != me and not partners_repo.shares_with(conn, user_id, me):
                raise denied("timeline.read")
            if req.visibility == "archive" and user_id != me:
                raise denied("archive.read")
            if req.visibility == "locked" and user_id != me:
                raise BadRequest("You may not access another user's locked timeline")
        if req.tag_id is not None and not repo.owns_tag(conn, me, req.tag_id):
            raise denied("tag.read")
        if req.with_partners and (
            req.visibility in (None, "archive", "locked") or req.is_favorite is not None or req.is_trashed
        ):
            raise BadRequest(WITH_PARTNERS_CONFLICT)
        owners: tuple[uuid.UUID, ...] | None = None
        if user_id is not None:
            extra = repo.timeline_partner_ids(conn, me) if req.with_partners else []
            owners = (user_id, *(p for p in extra if p != user_id))
        return TimelineQuery(
            viewer=me,
            owner_ids=owners,
            album_id=req.album_id,
            visibility=req.visibility,
            is_favorite=req.is_favorite,
            is_trashed=req.is_trashed,
            with_stacked=bool(req.with_stacked),
            tag_id=req.tag_id,
            bbox=req.bbox,
            # No face is ever detected, so no person has assets.
            empty=req.person_id is not None,
        )

    @staticmethod
    def _link_query(conn: Connection, auth: AuthContext, req: TimelineRequest) -> TimelineQuery:
        """A shared link's visitor acts as the link's owner but may see only the link's album,
        as the album shows it to members: never the owner's library, trash or locked folder."""
        assert auth.link is not None
        if req.album_id is None or req.album_id != auth.link.album_id:
            raise denied("album.read")
        require_album(conn, auth, req.album_id, "album.read", ("owner", "editor", "viewer"))
        return TimelineQuery(
            viewer=NOBODY,
            album_id=req.album_id,
            visibility=req.visibility,
            is_favorite=req.is_favorite,
            is_trashed=req.is_trashed,
            with_stacked=bool(req.with_stacked),
            bbox=req.bbox,
            empty=req.person_id is not None or req.tag_id is not None,
        )

    async def buckets(self, auth: AuthContext, req: TimelineRequest) -> list[dict[str, Any]]:
        def load(conn: Connection) -> list[tuple[str, int]]:
            return repo.buckets(conn, self._query(conn, auth, req), descending=req.descending)

        rows = await self.db.read(load)
        return [{"timeBucket": f"{month}-01", "count": count} for month, count in rows]

    async def bucket(self, auth: AuthContext, req: TimelineRequest, time_bucket: str) -> bytes:
        """One month as Immich's columnar `TimeBucketAssetResponseDto`, already JSON-encoded."""
        span = month_range(time_bucket)

        def load(conn: Connection) -> tuple[list[Any], dict[str, int]]:
            query = self._query(conn, auth, req)
            if span is None:
                return [], {}
            rows = repo.bucket(conn, query, *span, descending=req.descending)
            sizes: dict[str, int] = {}
            if req.with_stacked:
                sizes = repo.stack_sizes(conn, sorted({r[_STACK] for r in rows if r[_STACK] is not None}))
            return rows, sizes

        rows, sizes = await self.db.read(load)
        body = _columns(str(auth.user_id), rows, sizes, req)
        if auth.link is not None and not auth.link.show_metadata:
            # A link that hides metadata hides where photos were taken, as asset info does.
            body["city"] = body["country"] = [None] * len(rows)
            body.pop("latitude", None)
            body.pop("longitude", None)
        return orjson.dumps(body)

    async def device_asset_ids(self, auth: AuthContext, device_id: str) -> list[str]:
        may_unlock = unlocked(auth)
        return await self.db.read(
            lambda c: repo.device_asset_ids(c, auth.user_id, device_id, unlocked=may_unlock)
        )


_STACK = 13
"""Position of `stack_id` in `repositories.timeline.bucket_columns`."""


def _columns(
    viewer: str, rows: list[Any], sizes: dict[str, int], req: TimelineRequest
) -> dict[str, list[Any]]:
    """Rows to Immich's columns. The rows are transposed once (`zip`), so each column is built
    by one pass over a tuple instead of ten thousand attribute lookups per column."""
    cols: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in range(19)]
    (ids, owners, types, visibility, favorite, trashed, duration, live, created, offset, thumbhash, widths,
     heights, stack, projection, city, country, latitude, longitude) = cols  # fmt: skip
    body: dict[str, list[Any]] = {
        "city": list(city),
        "country": list(country),
        "duration": list(duration),
        "id": list(ids),
        "visibility": list(visibility),
        "isFavorite": [bool(f) and o == viewer for f, o in zip(favorite, owners, strict=True)],
        "isImage": [t == "IMAGE" for t in types],
        "isTrashed": [bool(t) for t in trashed],
        "livePhotoVideoId": list(live),
        "fileCreatedAt": [_json_timestamp(c) for c in created],
        "localOffsetHours": list(offset),
        "ownerId": list(owners),
        "projectionType": list(projection),
        "ratio": [_ratio(w, h) for w, h in zip(widths, heights, strict=True)],
        "thumbhash": [b64(t) for t in thumbhash],
    }
    if req.with_coordinates:
        body["latitude"] = list(latitude)
        body["longitude"] = list(longitude)
    if req.with_stacked:
        body["stack"] = [[s, str(sizes[s])] if s in sizes else None for s in stack]
    return body
