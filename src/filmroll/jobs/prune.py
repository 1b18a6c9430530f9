"""Daily audit pruning: tombstones are kept for the 100-day v1 window, then removed."""

from __future__ import annotations

from datetime import datetime

from filmroll.db.engine import Database
from filmroll.services.sync_v1 import SyncV1Service


async def prune_audit(db: Database, now: datetime | None = None) -> int:
    """Run once a day; returns the number of tombstones removed."""
    return await SyncV1Service(db).prune_audit(now)
