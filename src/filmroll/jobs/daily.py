"""Daily maintenance: prune tombstones past every sync window, drop expired sessions and
remove partial files left by interrupted uploads.

Each task is an idempotent delete, so several server processes may run it at once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.periodic import Periodic
from filmroll.repositories import sessions
from filmroll.services.memories import MemoryService
from filmroll.storage import Storage, StorageError
from filmroll.sync.v1.service import SyncV1Service
from filmroll.sync.v2.service import SyncV2Service

log = logging.getLogger("filmroll.jobs")

INTERVAL = timedelta(days=1)
PARTIAL_IDLE = timedelta(hours=1)
"""A partial upload not written to for this long is abandoned: clients send continuously."""


async def remove_interrupted_uploads(storage: Storage) -> None:
    """At start-up, before serving requests: remove every partial upload in storage.

    filmroll runs one server process per data directory, so partials present now were
    left by an earlier process that was killed mid-upload. A failure is logged, not
    raised: the leftovers cost space, not correctness, and the daily run retries.
    """
    try:
        removed = await storage.remove_stale_partials()
    except StorageError:
        log.exception("removing partial uploads left by an earlier process failed")
        return
    if removed:
        log.info("removed %d partial uploads left by an earlier process", removed)


class DailyMaintenance:
    """Runs once at start-up, then every `INTERVAL`, while the server runs."""

    def __init__(
        self,
        db: Database,
        sync_v1: SyncV1Service,
        sync_v2: SyncV2Service,
        storage: Storage,
        *,
        memories: MemoryService | None = None,
    ) -> None:
        self.db = db
        self.sync_v1 = sync_v1
        self.sync_v2 = sync_v2
        self.storage = storage
        self.memories = memories
        self._periodic = Periodic("daily-maintenance", self._logged, INTERVAL.total_seconds())

    async def run_once(self) -> dict[str, int]:
        """v1 keeps asset tombstones 100 days, v2 the rest 31 days; sessions end at expiry;
        partial uploads idle for `PARTIAL_IDLE` are removed (uploads in progress are kept)."""
        now = utcnow()
        counts = {
            "v1Tombstones": await self.sync_v1.prune_audit(now),
            "v2Tombstones": await self.sync_v2.prune_audit(),
            "expiredSessions": await self.db.write(lambda c: sessions.delete_expired(c, now)),
            "stalePartials": await self.storage.remove_stale_partials(PARTIAL_IDLE),
        }
        if self.memories is not None:  # "on this day" memories and their cleanup
            counts |= await self.memories.run_daily()
        return counts

    async def _logged(self) -> None:
        log.info("daily maintenance: %s", await self.run_once())

    def start(self) -> None:
        self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()
