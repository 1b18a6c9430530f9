"""The local replica: a SQLite file holding what the server showed this user, row for row.

Rows keep the server's JSON (`data`, canonical key order) under their natural keys, so two
replicas, or a replica and a fresh download, compare as plain sets. An asset can be visible
through several streams (own, partner, album); `own`/`partner` remember which, and album-only
assets live exactly as long as some album still links them.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

Item = Mapping[str, Any]
Snapshot = dict[str, frozenset[tuple[tuple[str, ...], str]]]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS auth_user (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, data TEXT NOT NULL, hash INTEGER);
CREATE TABLE IF NOT EXISTS partners (
  shared_by_id TEXT NOT NULL, shared_with_id TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (shared_by_id, shared_with_id));
CREATE TABLE IF NOT EXISTS assets (
  id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, own INTEGER NOT NULL DEFAULT 0,
  partner INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL, hash INTEGER,
  created TEXT GENERATED ALWAYS AS (json_extract(data, '$.fileCreatedAt')) VIRTUAL);
CREATE INDEX IF NOT EXISTS assets_owner ON assets (owner_id);
CREATE TABLE IF NOT EXISTS exif (asset_id TEXT PRIMARY KEY, data TEXT NOT NULL, hash INTEGER);
CREATE TABLE IF NOT EXISTS stacks (id TEXT PRIMARY KEY, data TEXT NOT NULL, hash INTEGER);
CREATE TABLE IF NOT EXISTS albums (id TEXT PRIMARY KEY, data TEXT NOT NULL, hash INTEGER);
CREATE TABLE IF NOT EXISTS album_users (
  album_id TEXT NOT NULL, user_id TEXT NOT NULL, data TEXT NOT NULL, hash INTEGER,
  PRIMARY KEY (album_id, user_id));
CREATE TABLE IF NOT EXISTS album_assets (
  album_id TEXT NOT NULL, asset_id TEXT NOT NULL, data TEXT NOT NULL, hash INTEGER,
  PRIMARY KEY (album_id, asset_id));
CREATE INDEX IF NOT EXISTS album_assets_asset ON album_assets (asset_id);
CREATE TABLE IF NOT EXISTS user_metadata (
  user_id TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (user_id, key));
CREATE TABLE IF NOT EXISTS files (
  asset_id TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL UNIQUE, checksum TEXT,
  PRIMARY KEY (asset_id, kind));
"""

_CREATED_COLUMN = "created TEXT GENERATED ALWAYS AS (json_extract(data, '$.fileCreatedAt')) VIRTUAL"
"""An asset's `fileCreatedAt`, the date its digest bucket is named by (computed, not stored;
part of `assets` in new replicas, added to older ones when they open)."""

_DIGEST_INDEXES = (
    "DROP INDEX IF EXISTS assets_own_digest",
    "DROP INDEX IF EXISTS assets_partner_digest",
    "CREATE INDEX IF NOT EXISTS assets_own_dated ON assets (created, id, hash) WHERE own = 1",
    "CREATE INDEX IF NOT EXISTS assets_partner_dated ON assets (created, id, hash) WHERE partner = 1",
    "CREATE INDEX IF NOT EXISTS assets_album_only ON assets (id) WHERE own = 0 AND partner = 0",
    "CREATE INDEX IF NOT EXISTS assets_flags ON assets (id, own, partner)",
    "CREATE INDEX IF NOT EXISTS exif_digest ON exif (asset_id, hash)",
)
"""Covering indexes that let a digest check sum a million stored row hashes per bucket
(`client.repair`) without reading the rows' JSON. Built after a mirror's first sync (or by
the first check or repair, if missing), not with the tables: kept up to date during a first
full sync they would double its write cost, built afterwards in one pass they cost a few
seconds per million assets. The dated asset
indexes hold the id too, so exif, grouped by its asset's date, is found from them (they
replace the narrower `*_digest` ones of earlier versions)."""

#: Synced tables and their key columns; `files` and `meta` are local state, not server data.
TABLES: dict[str, tuple[str, ...]] = {
    "auth_user": ("id",),
    "users": ("id",),
    "partners": ("shared_by_id", "shared_with_id"),
    "assets": ("id",),
    "exif": ("asset_id",),
    "stacks": ("id",),
    "albums": ("id",),
    "album_users": ("album_id", "user_id"),
    "album_assets": ("album_id", "asset_id"),
    "user_metadata": ("user_id", "key"),
}

#: Meta keys that belong to one sync history and go away with a reset.
SYNC_META_PREFIX = "sync."


def canonical(data: Item) -> str:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()


def wire_hash(data: Item) -> int:
    """The server's digest hash of a row (`docs/sync-digests.md`): SHA-256 of its `data` as
    compact JSON in the order received, first 8 bytes, as a signed 64-bit integer (SQLite's
    integer). Computed on arrival, because `data` is stored with sorted keys."""
    return int.from_bytes(hashlib.sha256(orjson.dumps(data)).digest()[:8], "big", signed=True)


HASHED = ("assets", "exif", "stacks", "albums", "album_users", "album_assets", "users")
"""Tables whose rows keep `wire_hash` for digests (a replica made before has NULLs: those
rows differ from the server's digest and are fetched again by the first repair)."""


def _upsert(conn: sqlite3.Connection, table: str, keys: dict[str, Any], data: Item) -> None:
    values = {**keys, "data": canonical(data)}
    if table in HASHED:
        values["hash"] = wire_hash(data)
    cols = list(values)
    marks = ", ".join("?" for _ in cols)
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in keys)
    conn.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}",
        list(values.values()),
    )


def _delete(conn: sqlite3.Connection, table: str, **keys: Any) -> None:
    where = " AND ".join(f"{k} = ?" for k in keys)
    conn.execute(f"DELETE FROM {table} WHERE {where}", list(keys.values()))


def upsert_asset(conn: sqlite3.Connection, data: Item, *, own: bool = False, partner: bool = False) -> None:
    conn.execute(
        "INSERT INTO assets (id, owner_id, own, partner, data, hash) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET data = excluded.data, hash = excluded.hash, "
        "own = max(own, excluded.own), partner = max(partner, excluded.partner)",
        [data["id"], data["ownerId"], int(own), int(partner), canonical(data), wire_hash(data)],
    )


def delete_asset(conn: sqlite3.Connection, asset_id: str) -> None:
    conn.execute("DELETE FROM assets WHERE id = ?", [asset_id])
    conn.execute("DELETE FROM exif WHERE asset_id = ?", [asset_id])


def drop_partner_asset(conn: sqlite3.Connection, asset_id: str) -> None:
    """A partner asset is gone or no longer shared; keep it only while an album still shows it."""
    conn.execute("UPDATE assets SET partner = 0 WHERE id = ?", [asset_id])
    conn.execute(
        "DELETE FROM assets WHERE id = ? AND own = 0 "
        "AND NOT EXISTS (SELECT 1 FROM album_assets WHERE asset_id = ?)",
        [asset_id, asset_id],
    )
    conn.execute(
        "DELETE FROM exif WHERE asset_id = ? AND asset_id NOT IN (SELECT id FROM assets)", [asset_id]
    )


def unshare(conn: sqlite3.Connection, shared_by: str, shared_with: str) -> None:
    """A partnership ended: the sharer's assets are no longer a partner's. The server names in
    deletes only the assets no album of ours shows (Immich's app would drop the others from its
    albums too); those stay, as album assets, until their last album link goes (`prune`)."""
    _delete(conn, "partners", shared_by_id=shared_by, shared_with_id=shared_with)
    conn.execute("UPDATE assets SET partner = 0 WHERE owner_id = ? AND partner = 1", [shared_by])


def prune(conn: sqlite3.Connection) -> None:
    """Drop album-only assets no album links any more, with their exif.

    Exif whose asset has not arrived is kept: a stream can send an asset's exif a run before
    the asset (the asset changed again after the run's upper bound, the exif did not), and
    the exif will not be sent again.
    """
    orphans = (
        "SELECT id FROM assets WHERE own = 0 AND partner = 0 "
        "AND id NOT IN (SELECT asset_id FROM album_assets)"
    )
    conn.execute(f"DELETE FROM exif WHERE asset_id IN ({orphans})")
    conn.execute(f"DELETE FROM assets WHERE id IN ({orphans})")


def wipe(conn: sqlite3.Connection) -> None:
    """Forget all server data and sync progress (a `SyncResetV1`, a new session, a mode change)."""
    for table in TABLES:
        conn.execute(f"DELETE FROM {table}")
    conn.execute("DELETE FROM meta WHERE key LIKE ?", [SYNC_META_PREFIX + "%"])


def _delete_album(conn: sqlite3.Connection, album_id: str) -> None:
    for table in ("albums", "album_users", "album_assets"):
        column = "id" if table == "albums" else "album_id"
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", [album_id])


Apply = Callable[[sqlite3.Connection, Item], None]


def _asset(own: bool = False, partner: bool = False) -> Apply:
    return lambda conn, d: upsert_asset(conn, d, own=own, partner=partner)


def _exif(conn: sqlite3.Connection, d: Item) -> None:
    conn.execute(
        "INSERT INTO exif (asset_id, data, hash) VALUES (?, ?, ?) "
        "ON CONFLICT (asset_id) DO UPDATE SET data = excluded.data, hash = excluded.hash",
        [d["assetId"], canonical(d), wire_hash(d)],
    )


def _stack(conn: sqlite3.Connection, d: Item) -> None:
    _upsert(conn, "stacks", {"id": d["id"]}, d)


def _album_user(conn: sqlite3.Connection, d: Item) -> None:
    _upsert(conn, "album_users", {"album_id": d["albumId"], "user_id": d["userId"]}, d)


def _album_asset(conn: sqlite3.Connection, d: Item) -> None:
    _upsert(conn, "album_assets", {"album_id": d["albumId"], "asset_id": d["assetId"]}, d)


def _noop(_conn: sqlite3.Connection, _d: Item) -> None:
    return None


APPLY: dict[str, Apply] = {
    "AuthUserV1": lambda c, d: _upsert(c, "auth_user", {"id": d["id"]}, d),
    "UserV1": lambda c, d: _upsert(c, "users", {"id": d["id"]}, d),
    "UserDeleteV1": lambda c, d: _delete(c, "users", id=d["userId"]),
    "PartnerV1": lambda c, d: _upsert(
        c, "partners", {"shared_by_id": d["sharedById"], "shared_with_id": d["sharedWithId"]}, d
    ),
    "PartnerDeleteV1": lambda c, d: unshare(c, d["sharedById"], d["sharedWithId"]),
    "AssetV1": _asset(own=True),
    "AssetDeleteV1": lambda c, d: delete_asset(c, d["assetId"]),
    "PartnerAssetV1": _asset(partner=True),
    "PartnerAssetBackfillV1": _asset(partner=True),
    "PartnerAssetDeleteV1": lambda c, d: drop_partner_asset(c, d["assetId"]),
    "AlbumAssetCreateV1": _asset(),
    "AlbumAssetUpdateV1": _asset(),
    "AlbumAssetBackfillV1": _asset(),
    "AssetExifV1": _exif,
    "PartnerAssetExifV1": _exif,
    "PartnerAssetExifBackfillV1": _exif,
    "AlbumAssetExifCreateV1": _exif,
    "AlbumAssetExifUpdateV1": _exif,
    "AlbumAssetExifBackfillV1": _exif,
    "StackV1": _stack,
    "PartnerStackV1": _stack,
    "PartnerStackBackfillV1": _stack,
    "StackDeleteV1": lambda c, d: _delete(c, "stacks", id=d["stackId"]),
    "PartnerStackDeleteV1": lambda c, d: _delete(c, "stacks", id=d["stackId"]),
    "AlbumV1": lambda c, d: _upsert(c, "albums", {"id": d["id"]}, d),
    "AlbumDeleteV1": lambda c, d: _delete_album(c, d["albumId"]),
    "AlbumUserV1": _album_user,
    "AlbumUserBackfillV1": _album_user,
    "AlbumUserDeleteV1": lambda c, d: _delete(c, "album_users", album_id=d["albumId"], user_id=d["userId"]),
    "AlbumToAssetV1": _album_asset,
    "AlbumToAssetBackfillV1": _album_asset,
    "AlbumToAssetDeleteV1": lambda c, d: _delete(
        c, "album_assets", album_id=d["albumId"], asset_id=d["assetId"]
    ),
    "UserMetadataV1": lambda c, d: _upsert(c, "user_metadata", {"user_id": d["userId"], "key": d["key"]}, d),
    "UserMetadataDeleteV1": lambda c, d: _delete(c, "user_metadata", user_id=d["userId"], key=d["key"]),
    "SyncAckV1": _noop,
    "SyncCompleteV1": lambda c, _d: prune(c),
    "SyncResetV1": lambda c, _d: wipe(c),
}


class Replica:
    """A replica file (or `:memory:`); one sqlite3 connection, one transaction per batch."""

    def __init__(self, path: Path | str = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.executescript(_SCHEMA)
        for table in HASHED:
            columns = {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}
            if "hash" not in columns:
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN hash INTEGER")
        columns = {row[1] for row in self.conn.execute("PRAGMA table_xinfo(assets)")}
        if "created" not in columns:
            self.conn.execute(f"ALTER TABLE assets ADD COLUMN {_CREATED_COLUMN}")
        self.skipped: dict[str, int] = {}

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Replica:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: a failure inside rolls the whole batch back."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def apply(self, conn: sqlite3.Connection, item: Item) -> None:
        """Apply one stream line inside an open transaction; unknown types are counted and skipped."""
        handler = APPLY.get(str(item["type"]))
        if handler is None:
            self.skipped[str(item["type"])] = self.skipped.get(str(item["type"]), 0) + 1
            return
        handler(conn, item.get("data") or {})

    def apply_lines(self, lines: Iterable[Item]) -> None:
        """Apply stream lines (parsed `{type, data, ack}` objects) in one transaction."""
        with self.transaction() as conn:
            for item in lines:
                self.apply(conn, item)

    # -- meta -------------------------------------------------------------------------------------

    def get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return str(row[0]) if row else None

    def put(self, key: str, value: str | None, conn: sqlite3.Connection | None = None) -> None:
        target = conn or self.conn
        if value is None:
            target.execute("DELETE FROM meta WHERE key = ?", [key])
        else:
            target.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def wipe(self) -> None:
        with self.transaction() as conn:
            wipe(conn)

    # -- reading ----------------------------------------------------------------------------------

    def rows(self, table: str) -> dict[tuple[str, ...], str]:
        keys = TABLES[table]
        query = f"SELECT {', '.join(keys)}, data FROM {table}"
        return {tuple(row[:-1]): row[-1] for row in self.conn.execute(query)}

    def snapshot(self) -> Snapshot:
        """Every synced table as a set of `(key, canonical JSON)`; equal snapshots, equal replicas."""
        return {table: frozenset(self.rows(table).items()) for table in TABLES}

    def digest_indexes(self) -> None:
        """Make sure the indexes digest checks read exist (`_DIGEST_INDEXES`; cheap once built)."""
        for statement in _DIGEST_INDEXES:
            self.conn.execute(statement)

    def user_id(self) -> str | None:
        """The id of the user this replica belongs to, once `AuthUsersV1` has been synced."""
        row = self.conn.execute("SELECT id FROM auth_user LIMIT 1").fetchone()
        return str(row[0]) if row else None

    def count(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def assets(self) -> list[dict[str, Any]]:
        """Every asset's data, for the file mirror."""
        return [orjson.loads(row[0]) for row in self.conn.execute("SELECT data FROM assets ORDER BY id")]
