"""Search test data: assets with chosen EXIF written through the repository write path."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db.schema import asset_exif, assets
from filmroll.repositories import assets as asset_repo
from tests.contract import assert_matches
from tests.sync.v1.builders import AssetBuilder

PIN = "123456"


def put(builder: AssetBuilder, owner: str, taken: datetime, exif: dict[str, Any] | None = None,
        **overrides: Any) -> str:  # fmt: skip
    """One asset of `owner` taken at `taken`, with an EXIF row holding `exif` when given."""
    values = builder.values(uuid.UUID(owner), file_created_at=taken, **overrides)

    def run(conn: Connection) -> str:
        row = asset_repo.insert(conn, values)
        if exif is not None:
            asset_repo.upsert_exif(conn, row.id, exif)
        return str(row.id)

    return builder.db.write_sync(run)


def search(client: httpx.Client, **body: Any) -> list[str]:
    """Ids found by one metadata search (checked against Immich's schema)."""
    resp = client.post("/api/search/metadata", json=body)
    assert resp.status_code == 200, resp.text
    assert_matches("SearchResponseDto", resp.json())
    return [item["id"] for item in resp.json()["assets"]["items"]]


def share_into_timeline(sharer: httpx.Client, viewer: httpx.Client, sharer_id: str, viewer_id: str,
                        in_timeline: bool = True) -> None:  # fmt: skip
    assert sharer.post("/api/partners", json={"sharedWithId": viewer_id}).status_code == 201
    if in_timeline:
        assert viewer.put(f"/api/partners/{sharer_id}", json={"inTimeline": True}).status_code == 200


def unlock(client: httpx.Client) -> None:
    """Set a PIN and unlock this session, as the app does before showing the locked folder."""
    client.post("/api/auth/pin-code", json={"pinCode": PIN})
    resp = client.post("/api/auth/session/unlock", json={"pinCode": PIN})
    assert resp.status_code == 204, resp.text


def put_many(
    builder: AssetBuilder, owner: str, rows: list[tuple[datetime, dict[str, Any], dict[str, Any]]]
) -> None:
    """Many assets (taken at, EXIF, asset overrides) in one transaction, batched like the
    generator: one clock reservation, one executemany per table."""
    values = [
        builder.values(uuid.UUID(owner), file_created_at=taken, **extra) for taken, _exif, extra in rows
    ]

    def run(conn: Connection) -> None:
        stamp = clock.reserve(conn, 2 * len(values))
        for i, row in enumerate(values):
            row.update(created_at=stamp.at_at(i), updated_at=stamp.at_at(i), update_seq=stamp.seq_at(i))
            row.setdefault("visibility", "timeline")
            for flag in ("is_favorite", "is_offline", "is_edited"):
                row.setdefault(flag, False)
        conn.execute(sa.insert(assets), values)
        exif_rows = [
            {"asset_id": row["id"], "owner_id": row["owner_id"], "file_created_at": row["file_created_at"],
             **exif,
             "updated_at": stamp.at_at(len(values) + i), "update_seq": stamp.seq_at(len(values) + i)}
            for i, (row, (_taken, exif, _extra)) in enumerate(zip(values, rows, strict=True))
        ]  # fmt: skip
        columns = sorted({k for r in exif_rows for k in r})
        conn.execute(sa.insert(asset_exif), [{c: r.get(c) for c in columns} for r in exif_rows])

    builder.db.write_sync(run)
