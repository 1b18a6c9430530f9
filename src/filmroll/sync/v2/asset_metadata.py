"""Sync v2 of asset metadata: `AssetMetadataV1` and `AssetMetadataDeleteV1`, for the caller's own
assets only (as Immich). An asset deleted for good takes its items with it; apps drop them
with the asset's `AssetDeleteV1`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import asset_metadata, asset_metadata_audit

Rows = Sequence[Row[Any]]


def own_metadata(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    seq = asset_metadata.c.update_seq
    query = sa.select(asset_metadata, seq.label("seq")).where(
        asset_metadata.c.owner_id == me, seq > after, seq <= upper
    )
    return conn.execute(query.order_by(seq).limit(limit)).all()


def own_metadata_deletes(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    seq = asset_metadata_audit.c.seq
    query = sa.select(asset_metadata_audit).where(
        asset_metadata_audit.c.owner_id == me, seq > after, seq <= upper
    )
    return conn.execute(query.order_by(seq).limit(limit)).all()


def sync_asset_metadata(row: Any) -> dict[str, Any]:
    """Immich's `SyncAssetMetadataV1`."""
    return {"assetId": str(row.asset_id), "key": row.key, "value": row.value}


def sync_asset_metadata_delete(row: Any) -> dict[str, Any]:
    """Immich's `SyncAssetMetadataDeleteV1`."""
    return {"assetId": str(row.asset_id), "key": row.key}
