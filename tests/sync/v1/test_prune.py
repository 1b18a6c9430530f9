"""The daily prune keeps tombstones for 100 days and removes older ones from every audit table."""

from __future__ import annotations

import uuid
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from filmroll.db import clock
from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.db.schema import AUDIT_TABLES, asset_audit, partner_audit
from filmroll.sync.v1.service import SyncV1Service


def _tombstone(conn: sa.Connection, age: timedelta) -> None:
    stamp = clock.reserve(conn, 2)
    when = utcnow() - age
    conn.execute(
        sa.insert(asset_audit).values(
            seq=stamp.seq, asset_id=uuid.uuid4(), owner_id=uuid.uuid4(), deleted_at=when
        )
    )
    conn.execute(
        sa.insert(partner_audit).values(
            seq=stamp.seq_at(1), shared_by_id=uuid.uuid4(), shared_with_id=uuid.uuid4(), deleted_at=when
        )
    )


def _count(conn: sa.Connection, table: sa.Table) -> int:
    """Rows left in `table`; a count query always returns exactly one row."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


@pytest.mark.asyncio
async def test_prune_keeps_100_days(database_url: str) -> None:
    db = Database(database_url, pool_size=2)
    try:
        for days in (1, 60, 99, 101, 150, 400):
            db.write_sync(partial(_tombstone, age=timedelta(days=days)))
        assert await SyncV1Service(db).prune_audit() == 6
        ages = db.read_sync(lambda c: c.execute(sa.select(asset_audit.c.deleted_at)).scalars().all())
        assert len(ages) == 3 and all(utcnow() - at < timedelta(days=100) for at in ages)
        assert (
            db.read_sync(lambda c: c.execute(sa.select(sa.func.count()).select_from(partner_audit)).scalar())
            == 3
        )
        assert await SyncV1Service(db).prune_audit(utcnow() + timedelta(days=100)) == 6
        for table in AUDIT_TABLES:
            assert db.read_sync(partial(_count, table=table)) == 0
    finally:
        db.dispose()
