"""SQL for per-asset metadata items (`{key, value}`), the source of `AssetMetadataV1`.

Every upsert stamps each item from the change clock (an item rewritten with the same value is
re-sent, as Immich's upsert does); every delete of a stored item writes a tombstone.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db import clock
from filmroll.db.schema import asset_metadata, asset_metadata_audit

Rows = Sequence[Row[Any]]


@dataclass(frozen=True, slots=True)
class Item:
    """One item to store: the asset, its owner (copied onto the row), the key and the value."""

    asset_id: uuid.UUID
    owner_id: uuid.UUID
    key: str
    value: dict[str, Any]


def list_for(conn: Connection, asset_id: uuid.UUID) -> Rows:
    query = sa.select(asset_metadata).where(asset_metadata.c.asset_id == asset_id)
    return conn.execute(query.order_by(asset_metadata.c.key)).all()


def get(conn: Connection, asset_id: uuid.UUID, key: str) -> Row[Any] | None:
    query = sa.select(asset_metadata).where(
        asset_metadata.c.asset_id == asset_id, asset_metadata.c.key == key
    )
    return conn.execute(query).first()


def _where(asset_id: uuid.UUID, key: str) -> sa.ColumnElement[bool]:
    return sa.and_(asset_metadata.c.asset_id == asset_id, asset_metadata.c.key == key)


def upsert(conn: Connection, items: Sequence[Item]) -> Rows:
    """Store `items` (each `(asset, key)` at most once), each with its own clock value; returns
    the stored rows in the order given."""
    if not items:
        return []
    stamp = clock.reserve(conn, len(items))
    for i, item in enumerate(items):
        stamped = {"value": item.value, "updated_at": stamp.at_at(i), "update_seq": stamp.seq_at(i)}
        if (
            conn.execute(
                sa.update(asset_metadata).where(_where(item.asset_id, item.key)).values(**stamped)
            ).rowcount
            == 0
        ):
            conn.execute(
                sa.insert(asset_metadata).values(
                    asset_id=item.asset_id, owner_id=item.owner_id, key=item.key, **stamped
                )
            )
    rows = []
    for item in items:
        row = get(conn, item.asset_id, item.key)
        assert row is not None
        rows.append(row)
    return rows


def delete(conn: Connection, keys: Sequence[tuple[uuid.UUID, str]]) -> int:
    """Delete the stored items among `(asset, key)` pairs, a tombstone for each; returns how many."""
    found = [row for asset_id, key in dict.fromkeys(keys) if (row := get(conn, asset_id, key)) is not None]
    if not found:
        return 0
    stamp = clock.reserve(conn, len(found))
    for row in found:
        conn.execute(sa.delete(asset_metadata).where(_where(row.asset_id, row.key)))
    conn.execute(
        sa.insert(asset_metadata_audit),
        [
            {
                "seq": stamp.seq_at(i),
                "asset_id": row.asset_id,
                "owner_id": row.owner_id,
                "key": row.key,
                "deleted_at": stamp.at_at(i),
            }
            for i, row in enumerate(found)
        ],
    )
    return len(found)
