"""SQL for assets and their EXIF rows: the one write path that stamps the change clock.

An asset that is or becomes `timeline` gets `ever_timeline` for good, and a permanent delete
copies it into the tombstone: deletes are named to partners only for such assets.
Every insert, update and delete of an asset takes its sequence numbers from
`filmroll.db.clock` inside the caller's transaction, so v1 delta sync (`updated_at`),
v1 deletes (`asset_audit`) and the v2 stream (`update_seq`) all follow commit order.
An EXIF change also bumps its asset, because sync v1 only watches the asset row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db import clock
from filmroll.db.schema import album_asset_audit, album_assets, asset_audit, asset_exif, assets
from filmroll.ids import new_id
from filmroll.repositories import users

EXIF_COLUMNS = tuple(
    c.name
    for c in asset_exif.c
    if c.name not in ("asset_id", "owner_id", "updated_at", "update_seq", "locked")
    and not c.name.startswith("wire_")
)

LOCKS = {"description": 1, "date_time_original": 2, "latitude": 4, "longitude": 8, "rating": 16}
"""The EXIF values an owner can set by hand, as bits of `asset_exif.locked`."""


def lock_bits(columns: Iterable[str]) -> int:
    return sum(bit for name, bit in LOCKS.items() if name in columns)


def exif_locks(conn: Connection, asset_id: uuid.UUID) -> int:
    """The bits of the asset's hand-set EXIF values (0 without an EXIF row)."""
    query = sa.select(asset_exif.c.locked).where(asset_exif.c.asset_id == asset_id)
    return int(conn.execute(query).scalar() or 0)


def get(conn: Connection, asset_id: uuid.UUID) -> Row[Any] | None:
    return conn.execute(sa.select(assets).where(assets.c.id == asset_id)).first()


def get_many(conn: Connection, ids: Iterable[uuid.UUID]) -> Sequence[Row[Any]]:
    return conn.execute(sa.select(assets).where(assets.c.id.in_(list(ids)))).all()


def get_exif(conn: Connection, asset_id: uuid.UUID) -> Row[Any] | None:
    return conn.execute(sa.select(asset_exif).where(asset_exif.c.asset_id == asset_id)).first()


def find_by_checksum(conn: Connection, owner_id: uuid.UUID, checksum: bytes) -> Row[Any] | None:
    query = sa.select(assets).where(assets.c.owner_id == owner_id, assets.c.checksum == checksum)
    return conn.execute(query).first()


def existing_checksums(
    conn: Connection, owner_id: uuid.UUID, checksums: Sequence[bytes]
) -> dict[bytes, Row[Any]]:
    """Owner's assets among `checksums`, keyed by checksum (for bulk-upload-check)."""
    found: dict[bytes, Any] = {}
    for start in range(0, len(checksums), 500):
        chunk = list(checksums[start : start + 500])
        query = sa.select(assets.c.id, assets.c.checksum, assets.c.deleted_at).where(
            assets.c.owner_id == owner_id, assets.c.checksum.in_(chunk)
        )
        found.update({bytes(r.checksum): r for r in conn.execute(query)})
    return found


def insert(conn: Connection, values: dict[str, Any]) -> Row[Any]:
    """Insert one asset; `id`, `created_at` and the clock columns are filled in when absent."""
    stamp = clock.reserve(conn)
    row = {
        "id": new_id(),
        "created_at": stamp.at,
        "visibility": "timeline",
        "is_favorite": False,
        "is_offline": False,
        "is_edited": False,
        "device_asset_id": "",
        "device_id": "",
        **values,
        "updated_at": stamp.at,
        "update_seq": stamp.seq,
    }
    row["ever_timeline"] = row["visibility"] == "timeline"
    conn.execute(sa.insert(assets).values(row))
    found = get(conn, row["id"])
    assert found is not None
    return found


def update(conn: Connection, ids: Sequence[uuid.UUID], values: dict[str, Any]) -> int:
    """Apply `values` to each asset, each with its own clock stamp; returns rows changed."""
    if not ids:
        return 0
    if values.get("visibility") == "timeline":
        values = {**values, "ever_timeline": True}
    stamp = clock.reserve(conn, len(ids))
    statement = (
        sa.update(assets)
        .where(assets.c.id == sa.bindparam("b_id"))
        .values(**values, updated_at=sa.bindparam("b_at"), update_seq=sa.bindparam("b_seq"))
    )
    stamps = [{"b_id": a, "b_at": stamp.at_at(i), "b_seq": stamp.seq_at(i)} for i, a in enumerate(ids)]
    # One executemany (a pipeline on PostgreSQL) instead of a round trip per asset.
    changed = int(conn.execute(statement, stamps).rowcount or 0)
    if "file_created_at" in values:
        # the exif rows' copy of the date (digest buckets); their wire form does not hold it,
        # so they keep their stamps
        dated = sa.update(asset_exif).where(asset_exif.c.asset_id == sa.bindparam("b_id"))
        conn.execute(dated.values(file_created_at=values["file_created_at"]), [{"b_id": a} for a in ids])
    return changed


def touch(conn: Connection, ids: Sequence[uuid.UUID]) -> int:
    """Bump assets in the change feed without changing their columns (e.g. after an EXIF edit)."""
    return update(conn, ids, {})


def upsert_exif(conn: Connection, asset_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Insert or update one asset's EXIF row, then bump the asset (see `upsert_exifs`)."""
    owner = conn.execute(sa.select(assets.c.owner_id).where(assets.c.id == asset_id)).scalar_one()
    upsert_exifs(conn, [(asset_id, owner)], values)


def upsert_exifs(
    conn: Connection,
    targets: Sequence[tuple[uuid.UUID, uuid.UUID]],
    values: dict[str, Any],
    *,
    lock: bool = False,
) -> None:
    """Set `values` on the EXIF rows of `(asset id, owner id)` targets, creating missing rows,
    then bump the assets so every sync form sees the change. Each row gets its own stamp; the
    statements are batched (executemany) so a bulk edit costs no round trip per asset. With
    `lock`, the values are the owner's own and are added to the rows' `locked` bits."""
    unknown = set(values) - set(EXIF_COLUMNS)
    if unknown:
        raise ValueError(f"unknown exif columns: {sorted(unknown)}")
    if not targets:
        return
    ids = [a for a, _owner in targets]
    existing = set(
        conn.execute(sa.select(asset_exif.c.asset_id).where(asset_exif.c.asset_id.in_(ids))).scalars()
    )
    stamp = clock.reserve(conn, len(targets))
    rows = [
        {"b_id": a, "b_owner": owner, "b_at": stamp.at_at(i), "b_seq": stamp.seq_at(i)}
        for i, (a, owner) in enumerate(targets)
    ]
    stamped = {**values, "updated_at": sa.bindparam("b_at"), "update_seq": sa.bindparam("b_seq")}
    bits = lock_bits(values) if lock else 0
    updates = [r for r in rows if r["b_id"] in existing]
    inserts = [r for r in rows if r["b_id"] not in existing]
    if updates:
        locked = {"locked": asset_exif.c.locked.op("|")(bits)} if bits else {}
        statement = (
            sa.update(asset_exif)
            .where(asset_exif.c.asset_id == sa.bindparam("b_id"))
            .values(**stamped, **locked)
        )
        conn.execute(statement, updates)
    if inserts:
        created = sa.select(assets.c.file_created_at).where(assets.c.id == sa.bindparam("b_id"))
        new = {
            "asset_id": sa.bindparam("b_id"),
            "owner_id": sa.bindparam("b_owner"),
            "file_created_at": created.scalar_subquery(),
            "locked": bits,
            **stamped,
        }
        conn.execute(sa.insert(asset_exif).values(**new), inserts)
    touch(conn, ids)


def delete(conn: Connection, ids: Sequence[uuid.UUID]) -> list[Row[Any]]:
    """Permanently delete assets, recording a tombstone for each and for its album links, and
    giving their bytes back to their owners' storage usage."""
    rows = list(get_many(conn, ids))
    if not rows:
        return []
    row_ids = [r.id for r in rows]
    freed: dict[uuid.UUID, int] = {}
    for r in rows:
        freed[r.owner_id] = freed.get(r.owner_id, 0) + int(r.file_size or 0)
    for owner_id, size in freed.items():
        users.add_usage(conn, owner_id, -size)
    links = conn.execute(
        sa.select(album_assets.c.album_id, album_assets.c.asset_id).where(
            album_assets.c.asset_id.in_(row_ids)
        )
    ).all()
    stamp = clock.reserve(conn, len(rows) + len(links))
    conn.execute(
        sa.insert(asset_audit),
        [
            {
                "seq": stamp.seq_at(i),
                "asset_id": r.id,
                "owner_id": r.owner_id,
                "deleted_at": stamp.at_at(i),
                "ever_timeline": bool(r.ever_timeline),
            }
            for i, r in enumerate(rows)
        ],
    )
    if links:
        conn.execute(
            sa.insert(album_asset_audit),
            [
                {
                    "seq": stamp.seq_at(len(rows) + i),
                    "album_id": link.album_id,
                    "asset_id": link.asset_id,
                    "deleted_at": stamp.at_at(len(rows) + i),
                }
                for i, link in enumerate(links)
            ],
        )
    conn.execute(sa.delete(assets).where(assets.c.id.in_(row_ids)))
    _touch_stack_members(conn, {r.stack_id for r in rows if r.stack_id is not None})
    return rows


def _touch_stack_members(conn: Connection, stack_ids: set[Any]) -> None:
    """The remaining members' stack size changed, so their AssetResponseDto did too."""
    if stack_ids:
        members = conn.execute(sa.select(assets.c.id).where(assets.c.stack_id.in_(stack_ids))).scalars()
        touch(conn, list(members))


def existing_device_ids(
    conn: Connection, owner_id: uuid.UUID, device_id: str, device_asset_ids: Sequence[str]
) -> list[str]:
    """Which of `device_asset_ids` the owner already uploaded from `device_id`."""
    found: list[str] = []
    for start in range(0, len(device_asset_ids), 500):
        chunk = list(device_asset_ids[start : start + 500])
        query = sa.select(assets.c.device_asset_id).where(
            assets.c.owner_id == owner_id,
            assets.c.device_id == device_id,
            assets.c.device_asset_id.in_(chunk),
        )
        found.extend(row.device_asset_id for row in conn.execute(query))
    return found


def statistics(
    conn: Connection,
    owner_id: uuid.UUID,
    *,
    is_favorite: bool | None = None,
    is_trashed: bool | None = None,
    visibility: str | None = None,
) -> dict[str, int]:
    """Asset counts per type for one owner, filtered like Immich's `/assets/statistics`: without
    a `visibility`, the timeline and archive only (never locked or hidden assets); trashed
    assets only when `is_trashed`, else none. The caller checks a `locked` count is allowed."""
    query = sa.select(assets.c.type, sa.func.count()).where(assets.c.owner_id == owner_id)
    if is_favorite is not None:
        query = query.where(assets.c.is_favorite == is_favorite)
    query = query.where(assets.c.deleted_at.is_not(None) if is_trashed else assets.c.deleted_at.is_(None))
    if visibility is not None:
        query = query.where(assets.c.visibility == visibility)
    else:
        query = query.where(assets.c.visibility.in_(("timeline", "archive")))
    return {str(kind): int(count) for kind, count in conn.execute(query.group_by(assets.c.type))}


def trashed_ids(conn: Connection, owner_id: uuid.UUID) -> list[uuid.UUID]:
    query = sa.select(assets.c.id).where(assets.c.owner_id == owner_id, assets.c.deleted_at.is_not(None))
    return [row.id for row in conn.execute(query)]


def trashed_before(conn: Connection, cutoff: datetime, limit: int) -> list[uuid.UUID]:
    """Up to `limit` assets of any owner that went to the trash before `cutoff`."""
    query = sa.select(assets.c.id).where(assets.c.deleted_at < cutoff).order_by(assets.c.deleted_at)
    return [row.id for row in conn.execute(query.limit(limit))]
