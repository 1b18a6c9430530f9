"""Repair by difference: make the replica's own assets and exif match the server by comparing
digests top-down, instead of downloading the whole library again.

Used when the server asks for a sync reset (checkpoints past its tombstone horizon, or a
reset requested for the session) and when a digest check finds a difference. Buckets whose
count and hash agree are skipped whole; inside a differing month (or id prefix) only
differing days (longer prefixes; hours of a busy day) are listed row by row, rows with
another hash are fetched with `/sync/rows`, and rows the server no longer lists are deleted. Everything else a
replica holds (partners, albums, stacks, users) is small and is streamed again from the
start. Protocol: `docs/sync-digests.md`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

import orjson

from filmroll.client.http import Api
from filmroll.client.replica import Replica, delete_asset

MASK = (1 << 64) - 1
ROWS_PER_CALL = 5_000
SPLIT_OVER = 48
"""A differing day with more rows than this is compared per hour before listing rows."""


@dataclass(frozen=True)
class Kind:
    """One digested kind as the replica holds it: how to select its rows, their id and the
    bucket key at each level, and how to drop a row the server no longer has."""

    request_type: str
    rows: str
    id_column: str
    dated: bool


ASSETS = Kind("AssetsV1", "SELECT id, hash, data FROM assets WHERE own = 1", "id", True)
EXIF = Kind(
    "AssetExifsV1",
    "SELECT asset_id, hash, data FROM exif WHERE asset_id IN (SELECT id FROM assets WHERE own = 1)",
    "asset_id",
    False,
)
KINDS = (ASSETS, EXIF)


@dataclass
class RepairStats:
    """What a repair did: digest calls, rows fetched, rows deleted, bytes received."""

    digests: int = 0
    fetched: int = 0
    deleted: int = 0
    bytes: int = 0
    acks: list[str] = field(default_factory=list)


def _key(kind: Kind, row_id: str, created: str | None, width: int) -> str:
    if kind.dated:
        return (created or "")[:width]
    return row_id.replace("-", "")[:width]


def _width(kind: Kind, bucket: str | None) -> int:
    """Length of the keys of the buckets inside `bucket` (months, days, hours; id prefixes)."""
    if not kind.dated:
        return 2 if bucket is None else 4
    return {0: 7, 7: 10}.get(len(bucket or ""), 13)


def _local(replica: Replica, kind: Kind, bucket: str | None) -> dict[str, tuple[str, int | None]]:
    """id -> (bucket key at the next level, hash) of the replica's rows in `bucket`."""
    width = _width(kind, bucket)
    out: dict[str, tuple[str, int | None]] = {}
    query = kind.rows
    params: list[Any] = []
    if kind.dated:
        query = f"SELECT id, hash, json_extract(data, '$.fileCreatedAt') FROM ({query})"
        if bucket is not None:
            query += " WHERE substr(json_extract(data, '$.fileCreatedAt'), 1, ?) = ?"
            params = [len(bucket), bucket]
    else:
        query = f"SELECT asset_id, hash, NULL FROM ({query})"
        if bucket is not None:
            query += " WHERE substr(replace(asset_id, '-', ''), 1, ?) = ?"
            params = [len(bucket), bucket]
    for row_id, value, created in replica.conn.execute(query, params):
        out[str(row_id)] = (_key(kind, str(row_id), created, width), value)
    return out


def _sums(rows: dict[str, tuple[str, int | None]]) -> dict[str, tuple[int, str | None]]:
    """(count, hash as hex, or None when some row has no hash) per bucket."""
    found: dict[str, list[Any]] = {}
    for key, value in rows.values():
        entry = found.setdefault(key, [0, 0])
        entry[0] += 1
        entry[1] = None if value is None or entry[1] is None else entry[1] + value
    return {k: (n, None if h is None else f"{h & MASK:016x}") for k, (n, h) in found.items()}


def _row_level(kind: Kind, bucket: str | None, split: bool) -> bool:
    if bucket is None:
        return False
    if kind.dated:
        return len(bucket) == 13 or (len(bucket) == 10 and not split)
    return len(bucket) == 4


async def _apply_rows(api: Api, replica: Replica, kind: Kind, ids: list[str], stats: RepairStats) -> None:
    for start in range(0, len(ids), ROWS_PER_CALL):
        chunk = ids[start : start + ROWS_PER_CALL]
        lines = await api.sync_rows(kind.request_type, chunk)
        stats.bytes += sum(len(orjson.dumps(line)) + 1 for line in lines)
        with replica.transaction() as conn:
            for item in lines:
                replica.apply(conn, item)
        stats.fetched += len(chunk)


def _drop(conn: sqlite3.Connection, kind: Kind, ids: list[str]) -> None:
    for row_id in ids:
        if kind is ASSETS:
            delete_asset(conn, row_id)
        else:
            conn.execute("DELETE FROM exif WHERE asset_id = ?", [row_id])


async def _walk(
    api: Api, replica: Replica, kind: Kind, bucket: str | None, stats: RepairStats, split: bool = False
) -> None:
    answer = await api.digest(kind.request_type, bucket, split=split)
    stats.digests += 1
    stats.bytes += len(orjson.dumps(answer))
    if bucket is None:
        stats.acks += [str(a) for a in answer.get("acks", [])]
    local = _local(replica, kind, bucket)
    if _row_level(kind, bucket, split):
        theirs = {str(r["id"]): str(r["hash"]) for r in answer["rows"]}
        mine = {i: None if h is None else f"{h & MASK:016x}" for i, (_k, h) in local.items()}
        await _apply_rows(api, replica, kind, [i for i, h in theirs.items() if mine.get(i) != h], stats)
        gone = [i for i in mine if i not in theirs]
        with replica.transaction() as conn:
            _drop(conn, kind, gone)
        stats.deleted += len(gone)
        return
    theirs_buckets = {str(b["bucket"]): (int(b["count"]), str(b["hash"])) for b in answer["buckets"]}
    mine_buckets = _sums(local)
    for key in sorted(set(theirs_buckets) | set(mine_buckets)):
        if theirs_buckets.get(key) == mine_buckets.get(key):
            continue
        if key not in theirs_buckets:
            gone = [i for i, (k, _h) in local.items() if k == key]
            with replica.transaction() as conn:
                _drop(conn, kind, gone)
            stats.deleted += len(gone)
            continue
        await _walk(api, replica, kind, key, stats, split=theirs_buckets[key][0] > SPLIT_OVER)


async def repair(api: Api, replica: Replica) -> RepairStats:
    """Make the replica's own assets and exif equal to the server's; returns what it did and
    the checkpoints the server gave with its first digests, to store once done."""
    stats = RepairStats()
    for kind in KINDS:
        await _walk(api, replica, kind, None, stats)
    return stats


def keep_only_repairable(conn: sqlite3.Connection) -> None:
    """Before a repair after a reset: drop what the repair does not cover (it is streamed again
    in full), keep own assets and their exif."""
    for table in (
        "auth_user",
        "users",
        "partners",
        "stacks",
        "albums",
        "album_users",
        "album_assets",
        "user_metadata",
    ):
        conn.execute(f"DELETE FROM {table}")
    conn.execute("UPDATE assets SET partner = 0")
    conn.execute("DELETE FROM assets WHERE own = 0")
    conn.execute("DELETE FROM exif WHERE asset_id NOT IN (SELECT id FROM assets)")
