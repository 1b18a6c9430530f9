"""Daily maintenance prunes each kind of tombstone after its own window, expired sessions and
abandoned partial uploads."""

from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.db.schema import album_audit, asset_audit, sessions
from filmroll.jobs.daily import DailyMaintenance
from filmroll.repositories import sessions as sessions_repo
from filmroll.repositories import users
from filmroll.security import digest
from filmroll.storage import LocalStorage
from filmroll.sync.v1.service import SyncV1Service
from filmroll.sync.v2.service import SyncV2Service


async def test_daily_maintenance(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url)
    now = utcnow()
    folder = tmp_path / "library" / "owner" / "2024" / "01"
    folder.mkdir(parents=True)
    abandoned, in_progress = folder / "a.jpg.part-00112233aabbccdd", folder / "b.jpg.part-44556677aabbccdd"
    for part in (abandoned, in_progress):
        part.write_bytes(b"half a photo")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(abandoned, (two_hours_ago, two_hours_ago))
    try:

        def seed(conn: sa.Connection) -> uuid.UUID:
            user = users.insert(conn, {"email": "m@example.com", "name": "m"})
            for seq, days in ((1001, 120), (1002, 50)):
                conn.execute(
                    sa.insert(asset_audit).values(
                        seq=seq,
                        asset_id=uuid.uuid4(),
                        owner_id=user.id,
                        deleted_at=now - timedelta(days=days),
                    )
                )
            for seq, days in ((1003, 40), (1004, 10)):
                conn.execute(
                    sa.insert(album_audit).values(
                        seq=seq, album_id=uuid.uuid4(), user_id=user.id, deleted_at=now - timedelta(days=days)
                    )
                )
            for name, expires in (("old", now - timedelta(hours=1)), ("live", now + timedelta(days=1))):
                sessions_repo.insert(
                    conn,
                    {"user_id": user.id, "token_hash": digest(name), "created_at": now,
                     "updated_at": now, "expires_at": expires},
                )  # fmt: skip
            return uuid.UUID(str(user.id))

        db.write_sync(seed)
        maintenance = DailyMaintenance(db, SyncV1Service(db), SyncV2Service(db), LocalStorage(tmp_path))
        counts = await maintenance.run_once()
        assert counts == {
            "v1Tombstones": 1,
            "v2Tombstones": 1,
            "expiredSessions": 1,
            "stalePartials": 1,
            "oldNotifications": 0,
        }
        assert sorted(folder.iterdir()) == [in_progress], "only the upload idle for over an hour goes"

        def left(conn: sa.Connection) -> tuple[list[int], list[int], int]:
            return (
                sorted(conn.execute(sa.select(asset_audit.c.seq)).scalars()),
                sorted(conn.execute(sa.select(album_audit.c.seq)).scalars()),
                len(conn.execute(sa.select(sessions.c.id)).all()),
            )

        assert db.read_sync(left) == ([1002], [1004], 1)
    finally:
        db.dispose()


async def test_daily_maintenance_refreshes_planner_statistics(database_url: str, tmp_path: Path) -> None:
    """Without statistics SQLite reads an album stream's pages in the wrong order (each page
    costs every link of the user's albums); the daily run gives the planner its statistics."""
    db = Database(database_url)
    try:
        db.write_sync(lambda conn: users.insert(conn, {"email": "s@example.com", "name": "s"}))
        sqlite = database_url.startswith("sqlite")

        def analysed(conn: sa.Connection) -> bool:
            if sqlite:
                found = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
                return found.first() is not None and bool(
                    conn.exec_driver_sql("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'users'").scalar()
                )
            when = conn.exec_driver_sql(
                "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'album_assets'"
            ).scalar()
            return when is not None

        assert not db.read_sync(analysed)
        maintenance = DailyMaintenance(db, SyncV1Service(db), SyncV2Service(db), LocalStorage(tmp_path))
        await maintenance.run_once()
        assert db.read_sync(analysed)
    finally:
        db.dispose()
