"""The daily run empties the trash of assets kept longer than `trash.days` (all of them when
the trash is off), files and all, with the tombstones sync needs; and drops notifications no
one will look at again."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database, normalise_url
from filmroll.db.schema import asset_audit, assets
from filmroll.db.schema import notifications as notification_rows
from filmroll.jobs.daily import DailyMaintenance
from filmroll.repositories import notifications, system_config, users
from filmroll.services.assets import AssetService
from filmroll.services.events import EventBus
from filmroll.services.system_config import SystemConfigService
from filmroll.storage import LocalStorage
from filmroll.sync.v1.service import SyncV1Service
from filmroll.sync.v2.service import SyncV2Service
from tests.sync.v1.builders import AssetBuilder


def _maintenance(db: Database, root: Path) -> DailyMaintenance:
    storage, bus = LocalStorage(root), EventBus()
    return DailyMaintenance(
        db,
        SyncV1Service(db),
        SyncV2Service(db),
        storage,
        assets=AssetService(db, storage, bus),
        config=SystemConfigService(db, bus),
    )


def _trashed(db: Database, root: Path, owner: uuid.UUID, days_ago: list[float | None]) -> list[uuid.UUID]:
    """An asset per entry, with an original on disk, trashed that many days ago (None: not
    trashed)."""
    builder, now, made = AssetBuilder(db, seed=3), utcnow(), []
    for n, days in enumerate(days_ago):
        key = f"library/{owner}/2024/01/{n}.jpg"
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(b"photo")
        deleted = None if days is None else now - timedelta(days=days)
        made.append(builder.insert(owner, original_path=key, deleted_at=deleted))
    return made


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.glob("library/*/2024/01/*.jpg")}


def _user(db: Database, email: str) -> uuid.UUID:
    return uuid.UUID(str(db.write_sync(lambda c: users.insert(c, {"email": email, "name": "t"})).id))


@pytest.mark.parametrize(
    ("saved", "kept"), [({}, 30), ({"trash": {"days": 2}}, 2), ({"trash": {"enabled": False}}, 0)]
)
async def test_trash_kept_for_its_days(
    database_url: str, tmp_path: Path, saved: dict[str, Any], kept: int
) -> None:
    db = Database(database_url)
    try:
        owner, other = _user(db, "o@example.com"), _user(db, "p@example.com")
        db.write_sync(lambda c: system_config.put(c, saved))
        ages: list[float | None] = [None, 0.5, 1.5, 10, 29.5, 31, 400]
        mine, theirs = _trashed(db, tmp_path, owner, ages), _trashed(db, tmp_path, other, [45])
        counts = await _maintenance(db, tmp_path).run_once()

        gone = {a for a, days in zip(mine, ages, strict=True) if days is not None and days > kept} | set(
            theirs
        )
        assert counts["trashEmptied"] == len(gone)
        left = set(db.read_sync(lambda c: c.execute(sa.select(assets.c.id)).scalars().all()))
        assert left == set(mine) - gone
        tombstones = set(db.read_sync(lambda c: c.execute(sa.select(asset_audit.c.asset_id)).scalars().all()))
        assert tombstones == gone, "sync tells every client the purged assets are gone"
        kept_files = db.read_sync(lambda c: c.execute(sa.select(assets.c.original_path)).scalars().all())
        assert _files(tmp_path) == set(kept_files), "the purged assets' files are removed"
    finally:
        db.dispose()


async def test_old_notifications_go(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url)
    now = utcnow()
    day = timedelta(days=1)
    cases = {  # (created, read, deleted) ago -> kept
        "fresh unread": ((1 * day, None, None), True),
        "month-old unread": ((31 * day, None, None), False),
        "unread, 29 days": ((29 * day, None, None), True),
        "old, read long ago": ((20 * day, 10 * day, None), False),
        "old, read just now": ((20 * day, 1 * day, None), True),
        "recent, read": ((5 * day, 4 * day, None), True),
        "deleted 4 days ago": ((5 * day, None, 4 * day), False),
        "deleted yesterday": ((5 * day, None, 1 * day), True),
    }
    try:
        user = _user(db, "n@example.com")

        def seed(conn: sa.Connection) -> dict[uuid.UUID, str]:
            made = {}
            for name, ((created, read, deleted), _kept) in cases.items():
                values = {"level": "info", "type": "Custom", "title": name}
                row = notifications.insert(conn, user, values, now - created)
                stamps = {
                    k: now - v for k, v in (("read_at", read), ("deleted_at", deleted)) if v is not None
                }
                if stamps:
                    query = sa.update(notification_rows).where(notification_rows.c.id == row.id)
                    conn.execute(query.values(stamps))
                made[row.id] = name
            return made

        made = db.write_sync(seed)
        counts = await _maintenance(db, tmp_path).run_once()
        left = db.read_sync(lambda c: c.execute(sa.select(notification_rows.c.id)).scalars().all())
        assert sorted(made[i] for i in left) == sorted(n for n, (_a, kept) in cases.items() if kept)
        assert counts["oldNotifications"] == sum(not kept for _a, kept in cases.values())
    finally:
        db.dispose()


def test_the_purge_reads_the_trash_through_its_index(database_url: str) -> None:
    """Only the trash is read: the planner finds a batch of the purge's query through the
    partial index on `deleted_at` (sequential scans are discouraged on PostgreSQL so that the
    test database's few rows do not decide the plan)."""
    query = "SELECT id FROM assets WHERE deleted_at < '2026-01-01' ORDER BY deleted_at LIMIT 500"
    engine = sa.create_engine(normalise_url(database_url))

    def plan(conn: sa.Connection) -> str:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            return "\n".join(str(r[0]) for r in conn.exec_driver_sql("EXPLAIN " + query))
        return "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + query))

    try:
        with engine.begin() as conn:
            found = plan(conn)
    finally:
        engine.dispose()
    assert "ix_assets_trashed_deleted_at" in found, found
