"""Test data for sync: realistic assets written through the repository write path."""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db.engine import Database
from filmroll.db.schema import assets, stacks
from filmroll.repositories import assets as asset_repo

_EPOCH = datetime(2015, 1, 1)
_CAMERAS = (("Apple", "iPhone 14 Pro"), ("SONY", "ILCE-7M3"), ("FUJIFILM", "X-T4"), ("Google", "Pixel 8"))


class AssetBuilder:
    """Builds asset rows with plausible values; every write goes through `repositories.assets`
    (or, for bulk loads, takes its stamps from the change clock the same way)."""

    def __init__(self, db: Database, seed: int = 0) -> None:
        self.db = db
        self.rng = random.Random(seed)

    def values(self, owner_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
        rng = self.rng
        taken = _EPOCH + timedelta(milliseconds=rng.randrange(10 * 365 * 86_400_000))
        video = rng.random() < 0.1
        number = rng.randrange(10_000)
        name = f"{'MOV' if video else 'IMG'}_{number:04d}.{'mov' if video else 'jpg'}"
        width, height = rng.choice(((4032, 3024), (3024, 4032), (1920, 1080), (6000, 4000)))
        return {
            "id": uuid.uuid4(),
            "owner_id": owner_id,
            "device_asset_id": f"{name}-{rng.randrange(1 << 30)}",
            "device_id": "test-phone",
            "type": "VIDEO" if video else "IMAGE",
            "original_path": f"/data/upload/{owner_id}/{taken:%Y/%m}/{uuid.uuid4().hex[:8]}-{name}",
            "original_file_name": name,
            "checksum": hashlib.sha1(rng.randbytes(32)).digest(),
            "file_size": rng.randrange(200_000, 12_000_000),
            "file_created_at": taken,
            "file_modified_at": taken + timedelta(seconds=rng.randrange(60)),
            "local_date_time": taken + timedelta(hours=rng.choice((-5, 0, 1, 2, 9))),
            "duration": f"0:00:{rng.randrange(1, 59):02d}.{rng.randrange(1000):03d}000" if video else None,
            "thumbhash": rng.randbytes(24),
            "width": width,
            "height": height,
            **overrides,
        }

    def exif_values(self) -> dict[str, Any]:
        make, model = self.rng.choice(_CAMERAS)
        return {
            "make": make,
            "model": model,
            "exif_image_width": 4032,
            "exif_image_height": 3024,
            "file_size_in_byte": 2_345_678,
            "orientation": "1",
            "date_time_original": datetime(2023, 7, 11, 16, 29, 45),
            "time_zone": "Europe/Berlin",
            "f_number": 1.8,
            "focal_length": 6.86,
            "iso": 100,
            "exposure_time": "1/125",
            "latitude": 52.52,
            "longitude": 13.405,
            "city": "Berlin",
            "state": "Berlin",
            "country": "Germany",
            "rating": 4,
        }

    def insert(self, owner_id: uuid.UUID, *, exif: bool = False, **overrides: Any) -> uuid.UUID:
        values = self.values(owner_id, **overrides)

        def run(conn: Connection) -> uuid.UUID:
            row = asset_repo.insert(conn, values)
            if exif:
                asset_repo.upsert_exif(conn, row.id, self.exif_values())
            return uuid.UUID(str(row.id))

        return self.db.write_sync(run)

    def insert_many(self, owner_id: uuid.UUID, count: int, **overrides: Any) -> list[uuid.UUID]:
        """Bulk load in one transaction: one clock reservation, one executemany per chunk."""
        rows = [self.values(owner_id, **overrides) for _ in range(count)]

        def run(conn: Connection) -> None:
            stamp = clock.reserve(conn, count)
            for i, row in enumerate(rows):
                row.update(created_at=stamp.at_at(i), updated_at=stamp.at_at(i), update_seq=stamp.seq_at(i))
                row.setdefault("visibility", "timeline")
                for flag in ("is_favorite", "is_offline", "is_edited"):
                    row.setdefault(flag, False)
            for start in range(0, count, 5_000):
                conn.execute(sa.insert(assets), rows[start : start + 5_000])

        self.db.write_sync(run)
        return [r["id"] for r in rows]

    def update(self, ids: Sequence[uuid.UUID], **values: Any) -> None:
        self.db.write_sync(lambda c: asset_repo.update(c, list(ids), values))

    def delete(self, ids: Sequence[uuid.UUID]) -> None:
        self.db.write_sync(lambda c: asset_repo.delete(c, list(ids)))

    def stack(self, owner_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> uuid.UUID:
        """Group `ids` into a stack whose primary is the first one."""
        stack_id = uuid.uuid4()

        def run(conn: Connection) -> None:
            stamp = clock.reserve(conn)
            conn.execute(
                sa.insert(stacks).values(
                    id=stack_id,
                    owner_id=owner_id,
                    primary_asset_id=ids[0],
                    created_at=stamp.at,
                    updated_at=stamp.at,
                    update_seq=stamp.seq,
                )
            )
            asset_repo.update(conn, list(ids), {"stack_id": stack_id})

        self.db.write_sync(run)
        return stack_id
