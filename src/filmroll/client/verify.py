"""Compare a replica with the server and list missing, extra and stale rows per table.

A v2 replica on a filmroll server is checked by digests (`docs/sync-digests.md`): for each
kind with digests (`client.repair.KINDS`: own and partner assets, their exif and stacks,
albums, album members and links, the assets and exif of the caller's albums, users) the
replica's top-level digest, summed in SQL from the row hashes it stored on arrival, is
compared with the server's, and only buckets that differ are opened, down to the rows. A
replica that matches costs one digest call per kind and reads no stream of assets or exif,
whatever the library's or its albums' size (the album kinds are summed only when some asset
may be seen only through an album: `check`). The kinds that have no digests (the caller's
own user, partners, user metadata) are compared in full: a short-lived child session
(removed afterwards, so the mirror's own checkpoints are untouched) streams only those
request types, and their rows are diffed.

What digests cannot see: a row edited locally while its stored hash was kept. `full` (and
every v1 replica, and servers without digests such as Immich) compares instead with a
complete fresh copy read the same way as the replica was, row by row.

With `repair`, a v2 replica is then made equal to the server: the digested kinds by
difference (fetching only the rows that differ), the others copied from the small fresh
copy already in hand; it is then checked again, by digests, which costs little.
Mirrored files are checked to still exist on disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from filmroll.client.errors import ClientError, NotSupported, StreamInterrupted
from filmroll.client.http import Api, stream_lines
from filmroll.client.repair import ALBUM_KINDS, KINDS, RepairStats, repair
from filmroll.client.replica import TABLES, Replica
from filmroll.client.v1 import sync_v1
from filmroll.client.v2 import TYPES, sync_v2

Key = tuple[str, ...]

KIND_TABLES: dict[str, str] = {
    "AssetsV1": "assets",
    "PartnerAssetsV1": "assets",
    "AssetExifsV1": "exif",
    "PartnerAssetExifsV1": "exif",
    "StacksV1": "stacks",
    "PartnerStacksV1": "stacks",
    "AlbumsV1": "albums",
    "AlbumUsersV1": "album_users",
    "AlbumToAssetsV1": "album_assets",
    "AlbumAssetsV1": "assets",
    "AlbumAssetExifsV1": "exif",
    "UsersV1": "users",
}
"""The replica table each digested request type lives in."""

UNDIGESTED: tuple[str, ...] = tuple(t for t in TYPES if t not in {k.request_type for k in KINDS})
"""Request types the replica keeps that have no digests: compared in full by a small stream."""

_PLAIN = ("auth_user", "partners", "user_metadata")
"""Tables filled only by undigested types: every asset and exif row is in some digested kind."""


@dataclass
class TableDiff:
    missing: list[Key] = field(default_factory=list)
    extra: list[Key] = field(default_factory=list)
    stale: list[Key] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.stale)


@dataclass
class VerifyReport:
    protocol: str
    tables: dict[str, TableDiff] = field(default_factory=dict)
    missing_files: list[str] = field(default_factory=list)
    method: str = "full"
    """`digests` (digested kinds by digests, `UNDIGESTED` in full) or `full` (a fresh copy)."""
    checked: RepairStats | None = None
    """With digests: the digest calls the check made and the bytes they read."""
    streamed: int = 0
    """Bytes of stream read for the comparison (uncompressed)."""
    streamed_lines: dict[str, int] = field(default_factory=dict)
    """Lines of that stream per line type."""
    streamed_types: tuple[str, ...] = ()
    """The request types that stream asked for (`UNDIGESTED`)."""
    repaired: RepairStats | None = None
    """With `repair`: what the repair by digests did."""
    copied: int = 0
    """With `repair`: rows the digests do not cover, copied from the fresh copy."""
    remaining: dict[str, TableDiff] | None = None
    """With `repair`: differences left after it (none unless the server changed meanwhile)."""

    @property
    def clean(self) -> bool:
        return all(d.clean for d in self.tables.values()) and not self.missing_files

    @property
    def repaired_clean(self) -> bool:
        """After a repair: nothing left to fix (files aside, which the next mirror run fetches)."""
        return self.remaining is not None and all(d.clean for d in self.remaining.values())


def _diff(mine: dict[Key, str], theirs: dict[Key, str]) -> TableDiff:
    return TableDiff(
        missing=sorted(k for k in theirs if k not in mine),
        extra=sorted(k for k in mine if k not in theirs),
        stale=sorted(k for k, v in theirs.items() if k in mine and mine[k] != v),
    )


def compare(local: Replica, server: Replica) -> dict[str, TableDiff]:
    """Per table: rows the server has and the replica lacks, the reverse, and differing rows."""
    return {table: _diff(local.rows(table), server.rows(table)) for table in TABLES}


async def fresh_copy(api: Api, protocol: str) -> Replica:
    """What the server shows this user now, read with the replica's protocol into memory."""
    fresh = Replica()
    if protocol == "v1":
        await sync_v1(api, fresh)
        return fresh
    if api.token is None:
        raise ClientError("this replica was filled by sync v2; verifying it needs --email/--password")
    session_id, token = await api.create_session()
    try:
        async with Api(api.base, token=token) as child:
            child.http.event_hooks = api.http.event_hooks
            await sync_v2(child, fresh)
    finally:
        await api.delete_session(session_id)
    return fresh


async def undigested_copy(api: Api, types: Sequence[str] = UNDIGESTED) -> tuple[Replica, int, dict[str, int]]:
    """The rows of `types` (undigested) as the server shows them now, read into memory by a child
    session that never acks (it is deleted afterwards); and the bytes read. Also returns the
    lines read per line type."""
    if api.token is None:
        raise ClientError("this replica was filled by sync v2; verifying it needs --email/--password")
    fresh = Replica()
    read = 0
    lines: dict[str, int] = {}
    complete = False
    try:
        session_id, token = await api.create_session()
        try:
            async with Api(api.base, token=token) as child:
                child.http.event_hooks = api.http.event_hooks
                resp = await child.open_stream(types)
                try:
                    with fresh.transaction() as conn:
                        async for item in stream_lines(resp):
                            read += len(orjson.dumps(item)) + 1
                            lines[str(item["type"])] = lines.get(str(item["type"]), 0) + 1
                            if item["type"] == "SyncCompleteV1":
                                complete = True
                            else:
                                fresh.apply(conn, item)
                finally:
                    await resp.aclose()
        finally:
            await api.delete_session(session_id)
        if not complete:
            raise StreamInterrupted("the check's stream ended early; run verify again")
    except BaseException:
        fresh.close()
        raise
    return fresh, read, lines


def compare_undigested(local: Replica, fresh: Replica) -> dict[str, TableDiff]:
    """Differences in the tables only undigested types fill (the own user, partners, user
    metadata)."""
    return {table: _diff(local.rows(table), fresh.rows(table)) for table in _PLAIN}


def digest_diffs(stats: RepairStats) -> dict[str, TableDiff]:
    """The differences a digest check found, per replica table (keys split as `TABLES`)."""
    found: dict[str, tuple[set[Key], set[Key], set[Key]]] = {}
    for request_type, diff in stats.found.items():
        table = KIND_TABLES[request_type]
        sets = found.setdefault(table, (set(), set(), set()))
        for target, keys in zip(sets, (diff.missing, diff.extra, diff.stale), strict=True):
            target.update(tuple(k.split(":")) if table.startswith("album_") else (k,) for k in keys)
    return {t: TableDiff(sorted(m), sorted(e), sorted(s)) for t, (m, e, s) in found.items()}


def merge(*parts: dict[str, TableDiff]) -> dict[str, TableDiff]:
    """One `TableDiff` per replica table, the union of `parts`."""
    out = {table: TableDiff() for table in TABLES}
    for part in parts:
        for table, diff in part.items():
            into = out[table]
            into.missing = sorted({*into.missing, *diff.missing})
            into.extra = sorted({*into.extra, *diff.extra})
            into.stale = sorted({*into.stale, *diff.stale})
    return out


def missing_files(replica: Replica, target: Path) -> list[str]:
    rows = replica.conn.execute("SELECT path FROM files ORDER BY path")
    return [str(r[0]) for r in rows if not (target / str(r[0])).exists()]


def copy_rows(local: Replica, fresh: Replica, diffs: dict[str, TableDiff]) -> int:
    """Make the rows listed in `diffs` those of `fresh` (whole rows, flags included). A row the
    server changed after `fresh` was read is older here, and the replica's next stream brings
    it again (its checkpoints did not move)."""
    copied = 0
    with local.transaction() as conn:
        for table, diff in diffs.items():
            keys = TABLES[table]
            where = " AND ".join(f"{k} = ?" for k in keys)
            # stored columns only: `assets.created` is computed
            columns = [str(r[1]) for r in fresh.conn.execute(f"PRAGMA table_info({table})")]
            names, marks = ", ".join(columns), ", ".join("?" for _ in columns)
            for key in [*diff.missing, *diff.extra, *diff.stale]:
                conn.execute(f"DELETE FROM {table} WHERE {where}", list(key))
                for row in fresh.conn.execute(f"SELECT {names} FROM {table} WHERE {where}", list(key)):
                    conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(row))
                copied += 1
    return copied


async def _verify_full(api: Api, replica: Replica, protocol: str, repair_rows: bool) -> VerifyReport:
    """Against a complete fresh copy (v1 replicas, servers without digests, `full`)."""
    fresh = await fresh_copy(api, protocol)
    try:
        report = VerifyReport(protocol, compare(replica, fresh))
        if repair_rows:
            report.repaired = await repair(api, replica, KINDS)
            report.copied = copy_rows(replica, fresh, compare(replica, fresh))
            report.remaining = compare(replica, fresh)
    finally:
        fresh.close()
    return report


_LINKED = ("AssetsV1", "PartnerAssetsV1", "AlbumToAssetsV1")
_BASE = tuple(kind for kind in KINDS if kind.request_type not in ALBUM_KINDS)
_ALBUM = tuple(kind for kind in KINDS if kind.request_type in ALBUM_KINDS)


def album_only_possible(replica: Replica, checked: RepairStats) -> bool:
    """Whether an asset may be seen only through an album, here or on the server. When own and
    partner assets and album links all match their digests, the server's album assets are
    exactly the linked assets, and those the replica holds as its own or a partner's are
    checked by those digests already: unless some linked asset is held for no other reason
    (or not at all), or the replica keeps an asset no link names, the album kinds, which
    sum every asset of every album, have nothing left to find."""
    for request_type in _LINKED:
        diff = checked.found.get(request_type)
        if diff is not None and (diff.missing or diff.extra or diff.stale):
            return True
    query = (
        "SELECT EXISTS (SELECT 1 FROM assets INDEXED BY assets_album_only WHERE own = 0 AND partner = 0) "
        "OR EXISTS (SELECT 1 FROM album_assets l WHERE NOT EXISTS (SELECT 1 FROM assets a "
        "INDEXED BY assets_flags WHERE a.id = l.asset_id AND (a.own = 1 OR a.partner = 1)))"
    )
    return bool(replica.conn.execute(query).fetchone()[0])


async def check(api: Api, replica: Replica) -> RepairStats:
    """The differences digests find: every kind, the album kinds only when they can add to what
    the others found (`album_only_possible`; at a million assets with 200,000 album links their
    sums cost seconds)."""
    checked = await repair(api, replica, _BASE, fetch=False)
    if album_only_possible(replica, checked):
        checked.absorb(await repair(api, replica, _ALBUM, fetch=False))
    return checked


async def _verify_digests(api: Api, replica: Replica, repair_rows: bool) -> VerifyReport | None:
    """By digests and a small stream of `UNDIGESTED`; None if the server has no digests."""
    if api.token is None:
        raise ClientError("this replica was filled by sync v2; verifying it needs --email/--password")
    try:
        checked = await check(api, replica)
    except NotSupported:
        return None
    types = UNDIGESTED
    fresh, read, lines = await undigested_copy(api, types)
    try:
        tables = merge(digest_diffs(checked), compare_undigested(replica, fresh))
        report = VerifyReport("v2", tables, method="digests", checked=checked, streamed=read)
        report.streamed_lines, report.streamed_types = lines, types
        if repair_rows:
            report.repaired = await repair(api, replica, KINDS)
            report.copied = copy_rows(replica, fresh, compare_undigested(replica, fresh))
            again = await check(api, replica)
            report.remaining = merge(digest_diffs(again), compare_undigested(replica, fresh))
    finally:
        fresh.close()
    return report


async def verify(
    api: Api,
    replica: Replica,
    target: Path | None = None,
    *,
    repair_rows: bool = False,
    full: bool = False,
) -> VerifyReport:
    """Compare the replica with the server (by digests where it can, unless `full`); with
    `repair_rows`, then repair it (v2 only)."""
    protocol = replica.get("mode")
    if protocol not in ("v1", "v2"):
        raise ClientError("nothing to verify: this folder has not been mirrored yet")
    if repair_rows and protocol != "v2":
        raise ClientError("--repair needs a replica filled by sync v2 (log in with --email/--password)")
    report: VerifyReport | None = None
    if protocol == "v2" and not full:
        report = await _verify_digests(api, replica, repair_rows)
    if report is None:
        report = await _verify_full(api, replica, protocol, repair_rows)
    if target is not None:
        report.missing_files = missing_files(replica, target)
    return report
