"""Daily maintenance prunes each kind of tombstone after its own window, and expired sessions."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from filmroll.db.engine import Database
from filmroll.db.schema import album_audit, asset_audit, sessions
from filmroll.jobs.daily import DailyMaintenance
from filmroll.repositories import sessions as sessions_repo
from filmroll.repositories import users
from filmroll.security import digest
from filmroll.services.sync_v1 import SyncV1Service
from filmroll.services.sync_v2 import SyncV2Service
from filmroll.sync.clock import utcnow


async def test_daily_maintenance(database_url: str) -> None:
    db = Database(database_url)
    now = utcnow()
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
        counts = await DailyMaintenance(db, SyncV1Service(db), SyncV2Service(db)).run_once()
        assert counts == {"v1Tombstones": 1, "v2Tombstones": 1, "expiredSessions": 1}

        def left(conn: sa.Connection) -> tuple[list[int], list[int], int]:
            return (
                sorted(conn.execute(sa.select(asset_audit.c.seq)).scalars()),
                sorted(conn.execute(sa.select(album_audit.c.seq)).scalars()),
                len(conn.execute(sa.select(sessions.c.id)).all()),
            )

        assert db.read_sync(left) == ([1002], [1004], 1)
    finally:
        db.dispose()
