"""State digests of what a client keeps (`POST /api/sync/digest`), so it can check its copy
and find exactly what differs without downloading everything again.

A row's hash is `render.row_hash` of its v2 `data` JSON, the bytes the stream sent (see
`docs/sync-digests.md`). A bucket's hash is the sum of its rows' hashes modulo 2**64: order
does not matter, so the database adds stored hashes up in one grouped query (as two sums of
32-bit halves, which neither database can overflow). The renderer stores each row's hash
with its form; a row whose form is stale (or was stored before hashes existed) is hashed
from a fresh rendering here, so a digest is always exact.

Levels: assets and exif (own, partners', and those of the caller's albums) are grouped by
month of the asset's `fileCreatedAt` (UTC), then by day (and hour), then listed per row;
kinds without a date (stacks, albums, album members and links, users) by the first two hex
digits of the row key, then four, then per row. Those have no stored forms and few rows per
user, so they are hashed from fresh encodings (`COMPUTED`). Visibility is the stream's
(`access.partner_synced` for partners, links to the caller's albums for album assets, the
owner's rows otherwise, `/sync/rows`'s selects for the computed kinds). Album assets are
hashed from the same stored forms as own and partner assets: their lines carry the same
`SyncAssetV1` / `SyncAssetExifV1` objects.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db.schema import asset_exif, assets
from filmroll.errors import BadRequest
from filmroll.repositories import access
from filmroll.sync.extensions import rows as by_id
from filmroll.sync.forms.queries import ASSETS, EXIF, FormTable, is_fresh
from filmroll.sync.forms.render import row_hash
from filmroll.sync.forms.renderer import fill
from filmroll.sync.v2.acks import ack, backfill_ack
from filmroll.sync.v2.types import ALBUM_ASSET_LOSS
from filmroll.timefmt import next_month, plus

MASK = (1 << 64) - 1
LOW = 0xFFFFFFFF


@dataclass(frozen=True)
class DigestKind:
    """One kind of row a client keeps with stored forms: its table (which holds the asset's
    `file_created_at` it is grouped by), which rows the caller sees, and the tables those rows
    are read from."""

    ft: FormTable
    visible: Callable[[uuid.UUID], sa.ColumnElement[bool]]
    joined: bool = False
    grouped: bool = False
    """Sum all buckets in one grouped query: rows found through their album links rather than
    along a date-ordered index, where a query per month would read every linked row again."""

    @property
    def created(self) -> sa.ColumnElement[datetime]:
        return self.ft.table.c.file_created_at

    def source(self) -> Any:
        if self.joined:
            return asset_exif.join(assets, assets.c.id == asset_exif.c.asset_id)
        return self.ft.table


def _partner_exif(me: uuid.UUID) -> sa.ColumnElement[bool]:
    """The stream's partner rule, with the exif row's own copy of its owner named too, so a
    month is read from the partners' part of the exif digest index and not from everyone's."""
    return sa.and_(asset_exif.c.owner_id.in_(access.partner_rows_of(me)), access.partner_synced(me))


KINDS: dict[str, DigestKind] = {
    "AssetsV1": DigestKind(ASSETS, lambda me: assets.c.owner_id == me),
    "PartnerAssetsV1": DigestKind(ASSETS, lambda me: access.partner_synced(me)),
    "AssetExifsV1": DigestKind(EXIF, lambda me: asset_exif.c.owner_id == me),
    "PartnerAssetExifsV1": DigestKind(EXIF, lambda me: _partner_exif(me), joined=True),
    "AlbumAssetsV1": DigestKind(ASSETS, lambda me: assets.c.id.in_(by_id.album_linked(me)), grouped=True),
    "AlbumAssetExifsV1": DigestKind(
        EXIF, lambda me: asset_exif.c.asset_id.in_(by_id.album_linked(me)), grouped=True
    ),
}
"""Request types with digests, by the rows their stream keeps."""

_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HOUR = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}$")
_HEX = re.compile(r"^[0-9a-f]+$")


def hex64(value: int) -> str:
    """A hash as 16 lowercase hex digits (unsigned): JSON numbers lose precision past 2**53."""
    return f"{value & MASK:016x}"


@dataclass(frozen=True)
class Level:
    """What one digest call groups by (`width` characters of the bucket key) and the range it
    covers: `rows` when it lists rows instead of buckets."""

    width: int
    rows: bool
    start: datetime | None = None
    end: datetime | None = None
    prefix: str | None = None


MAX_PREFIX = 8
"""Longest key prefix a bucket may be: a key's first eight characters never hold a dash."""


def level_of(dated: bool, bucket: str | None, split: bool = False) -> Level:
    """The level a bucket asks for; a malformed bucket is a 400. With `split`, a day is
    answered per hour (`YYYY-MM-DDTHH`) instead of per row, and an hour per row: a client
    repairing a large library lists a few hours of a changed day instead of all of it. Key
    prefixes split the same way, two hex digits at a time up to `MAX_PREFIX`: time-ordered
    ids (UUIDv7) share their leading digits, so a 4-digit bucket of a large library holds
    weeks of uploads, thousands of rows."""
    if dated:
        if bucket is None:
            return Level(7, False)
        try:
            if _MONTH.match(bucket):
                start = datetime.strptime(bucket, "%Y-%m")
                return Level(10, False, start, _next(start, 7))
            if _DAY.match(bucket):
                start = datetime.strptime(bucket, "%Y-%m-%d")
                return Level(13, not split, start, _next(start, 10))
            if _HOUR.match(bucket):
                start = datetime.strptime(bucket, "%Y-%m-%dT%H")
                return Level(13, True, start, _next(start, 13))
        except ValueError:
            pass
        raise BadRequest(["bucket must be a month (YYYY-MM), a day (YYYY-MM-DD) or an hour (YYYY-MM-DDTHH)"])
    if bucket is None:
        return Level(2, False)
    width = len(bucket)
    if _HEX.match(bucket) and width in (2, 4, 6, MAX_PREFIX):
        if width == 2 or (split and width < MAX_PREFIX):
            return Level(width + 2, False, prefix=bucket)
        return Level(width, True, prefix=bucket)
    raise BadRequest([f"bucket must be 2, 4, 6 or {MAX_PREFIX} lowercase hex digits of an id"])


def _int(value: int) -> sa.ColumnElement[int]:
    """An integer written into the SQL, so a grouped expression is the same text everywhere."""
    return sa.literal_column(str(int(value)), sa.Integer)


def _bucket(conn: Connection, kind: DigestKind, width: int) -> sa.ColumnElement[str]:
    created = kind.created
    if conn.dialect.name == "sqlite":
        text = sa.func.substr(created, _int(1), _int(width), type_=sa.String)
        return sa.func.replace(text, sa.literal_column("' '"), sa.literal_column("'T'"), type_=sa.String)
    formats = {7: "'YYYY-MM'", 10: "'YYYY-MM-DD'", 13: "'YYYY-MM-DD\"T\"HH24'"}
    return sa.func.to_char(created, sa.literal_column(formats[width], sa.String), type_=sa.String)


def _where(kind: DigestKind, me: uuid.UUID, level: Level) -> list[sa.ColumnElement[bool]]:
    where = [kind.visible(me)]
    if level.start is not None and level.end is not None:
        where += [kind.created >= level.start, kind.created < level.end]
    return where


def _hashed(table: sa.Table) -> sa.ColumnElement[bool]:
    return sa.and_(is_fresh(table), table.c.wire_hash.is_not(None))


def _unhashed(
    conn: Connection, kind: DigestKind, where: list[sa.ColumnElement[bool]], bucket: sa.ColumnElement[str]
) -> list[tuple[str, str, int]]:
    """(bucket, id, hash) of visible rows without a usable stored hash, hashed here from
    their stored form when it is fresh, else from a fresh rendering."""
    t = kind.ft.table
    fresh = is_fresh(t)
    query = sa.select(
        bucket.label("bucket"),
        kind.ft.key.label("key"),
        sa.case((fresh, t.c.wire_v2), else_=sa.null()).label("wire"),
    ).select_from(kind.source())
    rows = conn.execute(query.where(*where, ~_hashed(t))).all()
    stale = [r.key for r in rows if r.wire is None]
    rendered = fill(conn, kind.ft, stale, "v2") if stale else {}
    out = []
    for r in rows:
        wire = r.wire if r.wire is not None else rendered[str(r.key)]
        out.append((str(r.bucket), str(uuid.UUID(str(r.key))), row_hash(wire)))
    return out


MAX_RANGES = 2_000
"""Dated buckets are summed one range at a time up to this many (170 years of months); a
library spread wider is grouped in one query instead."""


def _floor(at: datetime, width: int) -> datetime:
    """The start of the month (day, hour) holding `at`."""
    if width == 7:
        return datetime(at.year, at.month, 1)
    return datetime(at.year, at.month, at.day, at.hour if width == 13 else 0)


def _label(at: datetime, width: int) -> str:
    """A bucket's name, as the databases format it (years before 1000 with their zeros, which
    `strftime` leaves out)."""
    text = f"{at.year:04d}-{at.month:02d}-{at.day:02d}T{at.hour:02d}"
    return text[:width]


def _next(at: datetime, width: int) -> datetime:
    """The start of the bucket after the one starting at `at` (the last instant there is
    after December 9999's)."""
    if width == 7:
        return next_month(at)
    return plus(at, timedelta(days=1) if width == 10 else timedelta(hours=1))


def _ranges(
    conn: Connection, kind: DigestKind, where: list[sa.ColumnElement[bool]], level: Level
) -> list[tuple[str, datetime, datetime]] | None:
    """`(bucket, start, end)` of every bucket between the level's first and last row, or None
    when there are more than `MAX_RANGES`."""
    created = kind.created
    if level.start is not None and level.end is not None:
        first, last = level.start, level.end - timedelta(microseconds=1)
    else:
        bounds = conn.execute(
            sa.select(sa.func.min(created), sa.func.max(created)).select_from(kind.source()).where(*where)
        ).one()
        if bounds[0] is None:
            return []
        first, last = bounds
    at = _floor(first, level.width)
    out: list[tuple[str, datetime, datetime]] = []
    while at <= last:
        if len(out) == MAX_RANGES:
            return None
        end = _next(at, level.width)
        out.append((_label(at, level.width), at, end))
        if end == datetime.max:
            break
        at = end
    return out


def buckets(conn: Connection, kind: DigestKind, me: uuid.UUID, level: Level) -> list[dict[str, Any]]:
    """`{bucket, count, hash}` per bucket at `level`, in bucket order.

    Each pass over the digest index adds up the stored hashes and counts the rows without a
    usable one; only when there are such rows (a form not yet re-rendered) does a second
    query hash those. Dated kinds are summed one month (day, hour) at a time: the index is
    in `fileCreatedAt` order, so each range is read in order with nothing to sort, where a
    GROUP BY on the formatted date made SQLite sort every row first (40 % of the time). Kinds
    found through album links (`grouped`) have no such index and take the GROUP BY."""
    t = kind.ft.table
    where = _where(kind, me, level)
    bucket = _bucket(conn, kind, level.width)
    hashed = _hashed(t)
    shift = t.c.wire_hash.op(">>")(sa.literal_column("32", sa.Integer))
    mask = t.c.wire_hash.op("&")(sa.literal_column(str(LOW), sa.BigInteger))
    sums = (
        sa.func.count().label("n"),
        sa.func.count(sa.case((hashed, _int(1)))).label("hashed"),
        sa.func.sum(sa.case((hashed, shift))).label("high"),
        sa.func.sum(sa.case((hashed, mask))).label("low"),
    )
    ranges = None if kind.grouped else _ranges(conn, kind, where, level)
    if ranges is None:
        query = (
            sa.select(bucket.label("bucket"), *sums).select_from(kind.source()).where(*where).group_by(bucket)
        )
        rows = [(str(r.bucket), r.n, r.hashed, r.high, r.low) for r in conn.execute(query)]
    else:
        created = kind.created
        one = (
            sa.select(*sums)
            .select_from(kind.source())
            .where(*where, created >= sa.bindparam("start"), created < sa.bindparam("end"))
        )
        rows = []
        for name, start, end in ranges:
            r = conn.execute(one, {"start": start, "end": end}).one()
            if r.n:
                rows.append((name, r.n, r.hashed, r.high, r.low))
    found: dict[str, list[int]] = {}
    missing = 0
    for name, n, with_hash, high, low in rows:
        missing += int(n) - int(with_hash)
        if with_hash:
            found[name] = [int(with_hash), (int(high) << 32) + int(low)]
    for name, _id, value in _unhashed(conn, kind, where, bucket) if missing else ():
        entry = found.setdefault(name, [0, 0])
        entry[0] += 1
        entry[1] += value
    return [{"bucket": name, "count": n, "hash": hex64(total)} for name, (n, total) in sorted(found.items())]


def rows(conn: Connection, kind: DigestKind, me: uuid.UUID, level: Level) -> list[dict[str, str]]:
    """`{id, hash}` of every visible row in the bucket, in id order."""
    t = kind.ft.table
    where = _where(kind, me, level)
    query = sa.select(kind.ft.key.label("key"), t.c.wire_hash).select_from(kind.source())
    found = {
        str(uuid.UUID(str(r.key))): int(r.wire_hash) for r in conn.execute(query.where(*where, _hashed(t)))
    }
    for _bucket_name, row_id, value in _unhashed(conn, kind, where, _bucket(conn, kind, level.width)):
        found[row_id] = value
    return [{"id": row_id, "hash": hex64(value)} for row_id, value in sorted(found.items())]


COMPUTED = ("StacksV1", "PartnerStacksV1", "AlbumsV1", "AlbumUsersV1", "AlbumToAssetsV1", "UsersV1")
"""Kinds without stored forms, few rows per user: hashed from fresh encodings on every call,
with the line mappers and visibility of `/sync/rows` (the stream's). Links (album members,
album assets) are keyed `albumId:userId` / `albumId:assetId`, so they group by album."""


def computed(conn: Connection, request_type: str, me: uuid.UUID, level: Level) -> dict[str, Any]:
    """A digest of a kind hashed on the fly, grouped by key prefix like exif."""
    kind = by_id.KINDS[request_type]
    assert kind.mapper is not None
    found: list[tuple[str, int]] = []
    for row in by_id.select_all(conn, kind, me, None):
        key = kind.key_of(row)
        if level.prefix is None or key.startswith(level.prefix):
            found.append((key, row_hash(orjson.dumps(kind.mapper(row)))))
    if level.rows:
        return {"rows": [{"id": i, "hash": hex64(h)} for i, h in sorted(found)]}
    groups: dict[str, list[int]] = {}
    for row_id, value in found:
        entry = groups.setdefault(row_id[: level.width], [0, 0])
        entry[0] += 1
        entry[1] += value
    return {"buckets": [{"bucket": b, "count": n, "hash": hex64(h)} for b, (n, h) in sorted(groups.items())]}


@dataclass(frozen=True)
class Acks:
    """The checkpoints a digest of one request type comes with: the change checkpoints of the
    steps of its stream (upserts, deletes) and, for streams that backfill relations begun
    after a client's cursor (partnerships, album memberships), the backfill checkpoint."""

    changes: tuple[str, ...]
    backfill: str | None = None

    def at(self, upper: int) -> list[str]:
        """The acks at clock position `upper`. A change checkpoint there makes the next stream
        send only changes after it; the backfill one says every relation that began up to it
        is fully backfilled, so only a relation begun later is backfilled, with its rows up to
        the upsert checkpoint (`upper` too): the rows the digest left out because the
        relation did not show them yet."""
        out = [ack(entity, upper) for entity in self.changes]
        if self.backfill is not None:
            out.append(backfill_ack(self.backfill, upper, None))
        return out


ACKS: dict[str, Acks] = {
    "AssetsV1": Acks(("AssetV1", "AssetDeleteV1")),
    "AssetExifsV1": Acks(("AssetExifV1",)),
    # `PartnerDeleteV1` is `PartnersV1`'s: the partnerships that ended up to the digest are
    # reflected in it, and replayed they would take the partner flag off the assets of a
    # partner who shares again (a client storing it rebuilds its partner list from upserts)
    "PartnerAssetsV1": Acks(
        ("PartnerAssetV1", "PartnerAssetDeleteV1", "PartnerDeleteV1"), "PartnerAssetBackfillV1"
    ),
    "PartnerAssetExifsV1": Acks(("PartnerAssetExifV1",), "PartnerAssetExifBackfillV1"),
    "StacksV1": Acks(("StackV1", "StackDeleteV1")),
    "PartnerStacksV1": Acks(("PartnerStackV1", "PartnerStackDeleteV1"), "PartnerStackBackfillV1"),
    "AlbumsV1": Acks(("AlbumV1", "AlbumDeleteV1")),
    "AlbumUsersV1": Acks(("AlbumUserV1", "AlbumUserDeleteV1"), "AlbumUserBackfillV1"),
    "AlbumToAssetsV1": Acks(("AlbumToAssetV1", "AlbumToAssetDeleteV1"), "AlbumToAssetBackfillV1"),
    # album assets have no delete line of their own: `AlbumAssetDeleteV1` is the checkpoint of
    # the `AssetDeleteV1` lines for assets seen only through albums the caller lost (reflected
    # in the digest); the update checkpoint is needed too, or the next stream would send every
    # known album asset again as an update
    "AlbumAssetsV1": Acks(
        ("AlbumAssetCreateV1", "AlbumAssetUpdateV1", ALBUM_ASSET_LOSS), "AlbumAssetBackfillV1"
    ),
    "AlbumAssetExifsV1": Acks(
        ("AlbumAssetExifCreateV1", "AlbumAssetExifUpdateV1"), "AlbumAssetExifBackfillV1"
    ),
    "UsersV1": Acks(("UserV1", "UserDeleteV1")),
}
"""What each digest lets a client skip in its next stream of that request type (see `digest`)."""


def digest(
    conn: Connection, request_type: str, me: uuid.UUID, bucket: str | None, split: bool = False
) -> dict[str, Any]:
    """The digest at one level, with `acks` (`ACKS`) at the clock read before anything else,
    in the snapshot the rows are read from (the caller's). The clock has no gaps, so every
    change up to that position is in this answer (and in any later one) and every change
    after it has a higher sequence: a client whose copy matches what it read from here on
    may store the acks and let the stream carry the rest (changes after them come again,
    harmlessly)."""
    if request_type not in KINDS and request_type not in COMPUTED:
        names = ", ".join([*KINDS, *COMPUTED])
        raise BadRequest([f"type must be one of the following values: {names}"])
    kind = KINDS.get(request_type)
    level = level_of(kind is not None, bucket, split)
    upper = clock.current(conn)
    answer: dict[str, Any] = {"type": request_type, "bucket": bucket}
    if kind is None:
        answer.update(computed(conn, request_type, me, level))
    elif level.rows:
        answer["rows"] = rows(conn, kind, me, level)
    else:
        answer["buckets"] = buckets(conn, kind, me, level)
    answer["acks"] = ACKS[request_type].at(upper)
    return answer
