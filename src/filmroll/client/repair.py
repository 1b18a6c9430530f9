"""Repair by difference: make the replica match the server, kind by kind, by comparing
digests top-down instead of downloading the whole library again.

Every kind the replica keeps from a stream that has digests is covered: own and partner
assets, their exif, own and partner stacks, albums, album members and links, the assets and
exif the album streams send (every asset of the user's albums, own ones included) and users.
Buckets whose count and hash agree are skipped whole; inside a differing month (or key
prefix) only differing days (longer prefixes; hours of a busy day) are listed row by row,
rows with another hash and rows the replica lacks are fetched with `/sync/rows`, and rows
the server no longer lists are dropped. Protocol: `docs/sync-digests.md`.

After a sync reset every kind is repaired too (`AFTER_RESET`, those the stream asks for):
each top-level digest comes with the checkpoints, backfill ones included, that make the
next stream send only what changed after it, so no kind is downloaded again in full. What
has no digest (the caller's own user, partners, user metadata) is dropped and streamed
again from the start (`keep_only_repairable`). A check
(`sync_v2(check=True)`, `filmroll mirror verify --repair`) repairs every kind (`KINDS`) and
stores no checkpoint.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from filmroll.client.http import Api
from filmroll.client.replica import Replica, delete_asset, drop_partner_asset, prune

MASK = (1 << 64) - 1
ROWS_PER_CALL = 5_000
SPLIT_OVER = 48
"""A differing day (or 4- or 6-digit key prefix) with more rows than this is compared per hour
(per two more digits) before listing rows."""
MAX_PREFIX = 8
"""The server's longest key prefix: a bucket of it always lists rows."""

Drop = Callable[[sqlite3.Connection, str], None]
Asked = asyncio.Future[dict[str, Any]]
"""A digest request in flight."""
T = TypeVar("T")


def _drop_exif(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("DELETE FROM exif WHERE asset_id = ?", [key])


def _drop_by_id(table: str) -> Drop:
    def drop(conn: sqlite3.Connection, key: str) -> None:
        conn.execute(f"DELETE FROM {table} WHERE id = ?", [key])

    return drop


def _drop_album(conn: sqlite3.Connection, key: str) -> None:
    for table, column in (("albums", "id"), ("album_users", "album_id"), ("album_assets", "album_id")):
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", [key])


def _drop_link(table: str, other: str) -> Drop:
    def drop(conn: sqlite3.Connection, key: str) -> None:
        album_id, other_id = key.split(":", 1)
        conn.execute(f"DELETE FROM {table} WHERE album_id = ? AND {other} = ?", [album_id, other_id])

    return drop


@dataclass(frozen=True)
class Kind:
    """One digested kind as the replica holds it: a query of its rows as `(key, hash,
    fileCreatedAt or NULL)` (`:me` is the replica's user), whether it is grouped by date, and
    how to drop a row the server no longer lists. Keys are the server's row keys: the id, or
    `albumId:otherId` for album links."""

    request_type: str
    rows: str
    dated: bool
    drop: Drop


_OWNER = "json_extract(data, '$.ownerId')"

# Assets and exif read only the replica's covering digest indexes (`assets.created` is the
# computed `fileCreatedAt`); exif is grouped by its asset's date, so the join runs from the
# assets' index in date order and each exif row costs one probe of the exif index.
ASSETS = Kind(
    "AssetsV1",
    "SELECT id AS key, hash, created FROM assets INDEXED BY assets_own_dated WHERE own = 1",
    True,
    delete_asset,
)
PARTNER_ASSETS = Kind(
    "PartnerAssetsV1",
    "SELECT id AS key, hash, created FROM assets INDEXED BY assets_partner_dated WHERE partner = 1",
    True,
    drop_partner_asset,
)
EXIF = Kind(
    "AssetExifsV1",
    "SELECT e.asset_id AS key, e.hash AS hash, a.created AS created FROM assets a "
    "INDEXED BY assets_own_dated CROSS JOIN exif e INDEXED BY exif_digest ON e.asset_id = a.id "
    "WHERE a.own = 1",
    True,
    _drop_exif,
)
PARTNER_EXIF = Kind(
    "PartnerAssetExifsV1",
    "SELECT e.asset_id AS key, e.hash AS hash, a.created AS created FROM assets a "
    "INDEXED BY assets_partner_dated CROSS JOIN exif e INDEXED BY exif_digest ON e.asset_id = a.id "
    "WHERE a.partner = 1",
    True,
    _drop_exif,
)
STACKS = Kind(
    "StacksV1",
    f"SELECT id AS key, hash, NULL AS created FROM stacks WHERE {_OWNER} = :me",
    False,
    _drop_by_id("stacks"),
)
PARTNER_STACKS = Kind(
    "PartnerStacksV1",
    f"SELECT id AS key, hash, NULL AS created FROM stacks WHERE {_OWNER} != :me",
    False,
    _drop_by_id("stacks"),
)
ALBUMS = Kind("AlbumsV1", "SELECT id AS key, hash, NULL AS created FROM albums", False, _drop_album)
ALBUM_USERS = Kind(
    "AlbumUsersV1",
    "SELECT album_id || ':' || user_id AS key, hash, NULL AS created FROM album_users",
    False,
    _drop_link("album_users", "user_id"),
)
ALBUM_LINKS = Kind(
    "AlbumToAssetsV1",
    "SELECT album_id || ':' || asset_id AS key, hash, NULL AS created FROM album_assets",
    False,
    _drop_link("album_assets", "asset_id"),
)
# Album assets and their exif are what the album streams gave: every asset an album link of the
# replica names (own and partners' included, held once with their flags) and every asset held
# for no other reason (an album-only asset no link names any more is extra). Exif goes with
# them, and exif whose asset is not held at all is listed without a date, so it is extra too.
_ALBUM_SHOWN = (
    "SELECT id AS key, hash, created FROM assets WHERE id IN (SELECT asset_id FROM album_assets) "
    "UNION SELECT id AS key, hash, created FROM assets INDEXED BY assets_album_only "
    "WHERE own = 0 AND partner = 0"
)


def _drop_album_asset(conn: sqlite3.Connection, key: str) -> None:
    """No album of the user's shows the asset: it goes unless it is the user's or a partner's."""
    conn.execute("DELETE FROM assets WHERE id = ? AND own = 0 AND partner = 0", [key])
    conn.execute("DELETE FROM exif WHERE asset_id = ? AND asset_id NOT IN (SELECT id FROM assets)", [key])


def _drop_album_exif(conn: sqlite3.Connection, key: str) -> None:
    """The server has no exif of the album asset: gone, unless the asset is the user's or a
    partner's (their exif kinds decide)."""
    conn.execute(
        "DELETE FROM exif WHERE asset_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM assets WHERE id = ? AND (own = 1 OR partner = 1))",
        [key, key],
    )


ALBUM_ASSETS = Kind("AlbumAssetsV1", _ALBUM_SHOWN, True, _drop_album_asset)
ALBUM_EXIF = Kind(
    "AlbumAssetExifsV1",
    f"SELECT e.asset_id AS key, e.hash AS hash, a.created AS created FROM ({_ALBUM_SHOWN}) a "
    "JOIN exif e ON e.asset_id = a.key "
    "UNION ALL SELECT o.asset_id AS key, o.hash AS hash, NULL AS created FROM exif o "
    "INDEXED BY exif_digest WHERE NOT EXISTS (SELECT 1 FROM assets x WHERE x.id = o.asset_id)",
    True,
    _drop_album_exif,
)
USERS = Kind("UsersV1", "SELECT id AS key, hash, NULL AS created FROM users", False, _drop_by_id("users"))

KINDS = (
    ASSETS,
    PARTNER_ASSETS,
    EXIF,
    PARTNER_EXIF,
    STACKS,
    PARTNER_STACKS,
    ALBUMS,
    ALBUM_USERS,
    ALBUM_LINKS,
    ALBUM_ASSETS,
    ALBUM_EXIF,
    USERS,
)
"""Every kind with digests, in an order where a row's parent is repaired before it (assets
before exif, albums before their members and links, links before the album assets they name;
own and partner assets before album assets, which share their rows)."""
ALBUM_KINDS = ("AlbumAssetsV1", "AlbumAssetExifsV1")
"""Kinds the replica can only tell apart through album links (`AlbumToAssetsV1`), and album
exif only by its album asset's date."""
AFTER_RESET = KINDS
"""What a repair after a sync reset covers: every digest comes with checkpoints."""
LEGACY_RESET = ("AssetsV1", "AssetExifsV1")
"""What a repair after a reset covered before every digest had checkpoints (a replica
whose repair was interrupted then kept only these)."""


def covered(types: Collection[str]) -> tuple[Kind, ...]:
    """The kinds a repair of a replica streaming `types` covers. Album assets need the album
    links (without them the replica cannot tell which of its assets an album shows) and album
    exif needs album assets (it is dated by them); without those they are streamed in full."""
    kept = set(types)
    if "AlbumToAssetsV1" not in kept:
        kept -= set(ALBUM_KINDS)
    if "AlbumAssetsV1" not in kept:
        kept.discard("AlbumAssetExifsV1")
    return tuple(kind for kind in KINDS if kind.request_type in kept)


def after_reset(types: Collection[str]) -> tuple[Kind, ...]:
    """The kinds a repair after a reset of a stream of `types` covers (`covered`, as
    `AFTER_RESET` is every kind)."""
    return tuple(kind for kind in covered(types) if kind in AFTER_RESET)


@dataclass
class KindDiff:
    """Keys of one kind that differed: the server had them and the replica did not
    (`missing`), the reverse (`extra`), or both with another hash (`stale`)."""

    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


@dataclass
class RepairStats:
    """What a repair did: digest calls, rows fetched, rows deleted, bytes received, and the
    differences it found per request type."""

    digests: int = 0
    fetched: int = 0
    deleted: int = 0
    bytes: int = 0
    acks: list[str] = field(default_factory=list)
    found: dict[str, KindDiff] = field(default_factory=dict)

    def diff(self, kind: Kind) -> KindDiff:
        return self.found.setdefault(kind.request_type, KindDiff())

    def absorb(self, other: RepairStats) -> None:
        """Add what another repair (of other kinds) did and found."""
        self.digests += other.digests
        self.fetched += other.fetched
        self.deleted += other.deleted
        self.bytes += other.bytes
        self.acks += other.acks
        self.found.update(other.found)


def _width(kind: Kind, bucket: str | None) -> int:
    """Length of the keys of the buckets inside `bucket` (months, days, hours; key prefixes
    two hex digits longer than `bucket`'s)."""
    if not kind.dated:
        return len(bucket or "") + 2
    return {0: 7, 7: 10}.get(len(bucket or ""), 13)


def _within(kind: Kind, bucket: str | None) -> tuple[str, dict[str, Any]]:
    """A WHERE clause selecting the rows of `bucket` as a range of the bucket column, so the
    replica's indexes find them (a prefix `p` is every value in `[p, p with its last character
    incremented)`); keys and dates are ASCII. The bucket `""` holds rows without a date."""
    if bucket is None:
        return "", {}
    column = "created" if kind.dated else "key"
    if not bucket:
        return f" WHERE coalesce({column}, '') = ''", {}
    upper = bucket[:-1] + chr(ord(bucket[-1]) + 1)
    return f" WHERE {column} >= :low AND {column} < :high", {"low": bucket, "high": upper}


def local_sums(
    replica: Replica, kind: Kind, me: str, bucket: str | None
) -> dict[str, tuple[int, str | None]]:
    """The replica's own digest of `bucket` (None: the top level), as the server computes it:
    (count, sum of the stored row hashes modulo 2^64 as hex) per inner bucket, the hash None
    when some row has none. One grouped query; the 64-bit sum is taken as two sums of 32-bit
    halves, which SQLite's integers cannot overflow."""
    width = _width(kind, bucket)
    # a key's first 8 characters never hold a dash, so its prefix is the server's hex prefix
    column = "created" if kind.dated else "key"
    where, params = _within(kind, bucket)
    query = (
        f"SELECT coalesce(substr({column}, 1, {width}), '') AS b, count(*), count(hash), "
        f"sum(hash & 4294967295), sum(hash >> 32) FROM ({kind.rows}){where} GROUP BY b"
    )
    out: dict[str, tuple[int, str | None]] = {}
    for key, count, hashed, low, high in replica.conn.execute(query, {"me": me, **params}):
        total = None if hashed < count else f"{((high << 32) + low) & MASK:016x}"
        out[str(key)] = (int(count), total)
    return out


def local_rows(replica: Replica, kind: Kind, me: str, bucket: str | None) -> dict[str, str | None]:
    """Row key -> stored hash as hex (None if it has none) of the replica's rows in `bucket`."""
    where, params = _within(kind, bucket)
    query = f"SELECT key, hash FROM ({kind.rows}){where}"
    return {
        str(key): None if value is None else f"{value & MASK:016x}"
        for key, value in replica.conn.execute(query, {"me": me, **params})
    }


def _row_level(kind: Kind, bucket: str | None, split: bool) -> bool:
    if bucket is None:
        return False
    if kind.dated:
        return len(bucket) == 13 or (len(bucket) == 10 and not split)
    return len(bucket) == MAX_PREFIX or (len(bucket) >= 4 and not split)


@dataclass
class Walk:
    """One repair (or, with `fetch` False, one check that changes nothing) of one replica."""

    api: Api
    replica: Replica
    me: str
    stats: RepairStats
    fetch: bool = True

    async def apply_rows(self, kind: Kind, keys: list[str]) -> None:
        if not self.fetch:
            return
        for start in range(0, len(keys), ROWS_PER_CALL):
            chunk = keys[start : start + ROWS_PER_CALL]
            lines = await self.api.sync_rows(kind.request_type, chunk)
            self.stats.bytes += sum(len(orjson.dumps(line)) + 1 for line in lines)
            with self.replica.transaction() as conn:
                for item in lines:
                    self.replica.apply(conn, item)
            self.stats.fetched += len(chunk)

    def drop(self, kind: Kind, keys: Sequence[str]) -> None:
        self.stats.diff(kind).extra.extend(keys)
        if not self.fetch or not keys:
            return
        with self.replica.transaction() as conn:
            for key in keys:
                kind.drop(conn, key)
        self.stats.deleted += len(keys)

    async def beside(
        self,
        asked: Asked,
        local: Callable[[Replica, Kind, str, str | None], T],
        kind: Kind,
        bucket: str | None,
    ) -> T:
        """The replica's side of a digest, computed in a thread while the server answers."""
        try:
            return await asyncio.to_thread(local, self.replica, kind, self.me, bucket)
        except BaseException:
            asked.cancel()
            raise

    async def walk(
        self, kind: Kind, bucket: str | None, split: bool = False, asked: Asked | None = None
    ) -> None:
        if asked is None:
            asked = asyncio.ensure_future(self.api.digest(kind.request_type, bucket, split=split))
        if _row_level(kind, bucket, split):
            mine = await self.beside(asked, local_rows, kind, bucket)
            await self.rows_level(kind, await self.answered(asked, bucket), mine)
            return
        mine_buckets = await self.beside(asked, local_sums, kind, bucket)
        answer = await self.answered(asked, bucket)
        theirs_buckets = {str(b["bucket"]): (int(b["count"]), str(b["hash"])) for b in answer["buckets"]}
        for key in sorted(set(theirs_buckets) | set(mine_buckets)):
            if theirs_buckets.get(key) == mine_buckets.get(key):
                continue
            if key not in theirs_buckets:
                self.drop(kind, sorted(local_rows(self.replica, kind, self.me, key)))
                continue
            await self.walk(kind, key, split=theirs_buckets[key][0] > SPLIT_OVER)

    async def answered(self, asked: Asked, bucket: str | None) -> dict[str, Any]:
        answer = await asked
        self.stats.digests += 1
        self.stats.bytes += len(orjson.dumps(answer))
        if bucket is None:
            self.stats.acks += [str(a) for a in answer.get("acks", [])]
        return answer

    async def rows_level(self, kind: Kind, answer: dict[str, Any], mine: dict[str, str | None]) -> None:
        """Rows the server lists with another hash or that the replica lacks are fetched, rows
        it does not list are dropped."""
        theirs = {str(r["id"]): str(r["hash"]) for r in answer["rows"]}
        differ = [i for i, h in theirs.items() if mine.get(i) != h]
        found = self.stats.diff(kind)
        found.missing += [i for i in differ if i not in mine]
        found.stale += [i for i in differ if i in mine]
        await self.apply_rows(kind, differ)
        self.drop(kind, [i for i in mine if i not in theirs])


async def repair(
    api: Api, replica: Replica, kinds: Sequence[Kind] = AFTER_RESET, *, fetch: bool = True
) -> RepairStats:
    """Make the replica's rows of `kinds` equal to the server's (with `fetch` False, only find
    the differences); returns what it did and found, and the checkpoints the server gave with
    its first digests, to store once done (after a reset)."""
    me = replica.user_id() or str((await api.me())["id"])
    replica.digest_indexes()
    stats = RepairStats()
    work = Walk(api, replica, me, stats, fetch)
    # every top-level digest is asked at once: the server answers them while the replica
    # sums its own side, kind after kind
    asked = [asyncio.ensure_future(api.digest(kind.request_type)) for kind in kinds]
    try:
        for kind, top in zip(kinds, asked, strict=True):
            stats.diff(kind)
            await work.walk(kind, None, asked=top)
    finally:
        for top in asked:
            top.cancel()
        await asyncio.gather(*asked, return_exceptions=True)
    if fetch:
        with replica.transaction() as conn:
            prune(conn)
    return stats


def keep_only_repairable(conn: sqlite3.Connection, kinds: Collection[str]) -> None:
    """Before a repair after a reset: drop what the repair of `kinds` (request types) does not
    cover, so the stream sends it again in full onto nothing stale. The caller's own user,
    partners and user metadata have no digests and always go; so do album assets and their
    exif when `kinds` has no album asset kinds (`after_reset` leaves them out without the
    album links). Keeping more than is repaired would leave stale rows; dropping more only
    costs fetches."""
    repaired = set(kinds)
    me = conn.execute("SELECT id FROM auth_user LIMIT 1").fetchone()
    for table in ("auth_user", "partners", "user_metadata"):
        conn.execute(f"DELETE FROM {table}")
    for table, request_type in (
        ("users", "UsersV1"),
        ("albums", "AlbumsV1"),
        ("album_users", "AlbumUsersV1"),
        ("album_assets", "AlbumToAssetsV1"),
    ):
        if request_type not in repaired:
            conn.execute(f"DELETE FROM {table}")
    own_stacks, partner_stacks = "StacksV1" in repaired, "PartnerStacksV1" in repaired
    if not (own_stacks or partner_stacks) or (me is None and not (own_stacks and partner_stacks)):
        conn.execute("DELETE FROM stacks")  # none kept, or which are whose is not known
    elif own_stacks != partner_stacks:
        kept = "=" if own_stacks else "!="
        conn.execute(f"DELETE FROM stacks WHERE NOT ({_OWNER} {kept} ?)", [str(me[0])])
    if "AssetsV1" not in repaired:
        conn.execute("UPDATE assets SET own = 0")
    if "PartnerAssetsV1" not in repaired:
        conn.execute("UPDATE assets SET partner = 0")
    albums = "AlbumAssetsV1" in repaired and "AlbumToAssetsV1" in repaired
    # album assets are kept as the album streams gave them: an asset no flag keeps stays while
    # a link names it (`prune` drops the rest at the end of the repair)
    conn.execute(
        "DELETE FROM assets WHERE own = 0 AND partner = 0"
        + (" AND id NOT IN (SELECT asset_id FROM album_assets)" if albums else "")
    )
    keep = [
        f"{flag} = 1"
        for flag, t in (("own", "AssetExifsV1"), ("partner", "PartnerAssetExifsV1"))
        if t in repaired
    ]
    if albums and "AlbumAssetExifsV1" in repaired:
        keep.append("id IN (SELECT asset_id FROM album_assets)")
    kept_exif = f"SELECT id FROM assets WHERE {' OR '.join(keep)}" if keep else "SELECT NULL WHERE 0"
    conn.execute(f"DELETE FROM exif WHERE asset_id NOT IN ({kept_exif})")
