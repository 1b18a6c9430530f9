"""Daily maintenance: prune tombstones past every sync window, drop expired sessions and
remove partial files left by interrupted uploads; empty the trash of what stayed in it longer
than the configured days and drop old notifications; create "on this day" memories.

However many server and worker processes share the database, the run happens once per
`INTERVAL` per cluster: each process checks every `CHECK_INTERVAL` whether a run is due and
only the one that wins the `cluster_tasks` row runs it. A process killed mid-run leaves that
day's run unfinished; every task is an idempotent delete or upsert, so the next day's run
catches up.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from filmroll.db import statistics
from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.periodic import Periodic
from filmroll.repositories import cluster, notifications, sessions
from filmroll.services.assets import AssetService
from filmroll.services.memories import MemoryService
from filmroll.services.system_config import SystemConfigService
from filmroll.storage import Storage, StorageError
from filmroll.sync.v1.service import SyncV1Service
from filmroll.sync.v2.service import SyncV2Service

log = logging.getLogger("filmroll.jobs")

INTERVAL = timedelta(days=1)
CHECK_INTERVAL = timedelta(minutes=5)
"""How often each process asks whether the cluster's daily run is due."""
TASK = "daily-maintenance"
PARTIAL_IDLE = timedelta(hours=1)
"""A partial upload not written to for this long is abandoned: clients send continuously."""


async def remove_interrupted_uploads(storage: Storage) -> None:
    """At start-up, before serving requests: remove every partial upload in storage.

    Only for a single server process (no `--workers`, no other processes sharing the
    storage): partials present now were then left by an earlier process that was killed
    mid-upload. With several processes another one may be writing them, so the daily run's
    idle rule is left to clean them. A failure is logged, not raised: the leftovers cost
    space, not correctness, and the daily run retries.
    """
    try:
        removed = await storage.remove_stale_partials()
    except StorageError:
        log.exception("removing partial uploads left by an earlier process failed")
        return
    if removed:
        log.info("removed %d partial uploads left by an earlier process", removed)


class DailyMaintenance:
    """Runs at start-up if no process of the cluster ran it within `INTERVAL`, then again
    whenever it is due, in one process of the cluster."""

    def __init__(
        self,
        db: Database,
        sync_v1: SyncV1Service,
        sync_v2: SyncV2Service,
        storage: Storage,
        *,
        memories: MemoryService | None = None,
        assets: AssetService | None = None,
        config: SystemConfigService | None = None,
    ) -> None:
        self.db = db
        self.sync_v1 = sync_v1
        self.sync_v2 = sync_v2
        self.storage = storage
        self.memories = memories
        self.assets = assets
        self.config = config
        self.runner_id = f"{socket.gethostname()}:{os.getpid()}"[:64]
        self._periodic = Periodic("daily-maintenance", self._tick, CHECK_INTERVAL.total_seconds())

    async def run_once(self) -> dict[str, int]:
        """v1 keeps asset tombstones 100 days, v2 the rest 31 days; sessions end at expiry;
        partial uploads idle for `PARTIAL_IDLE` are removed (uploads in progress are kept);
        old notifications go; the trash keeps assets `trash.days` (none when the trash is
        off, as Immich); the planner's statistics are refreshed (`db.statistics`)."""
        now = utcnow()
        counts = {
            "v1Tombstones": await self.sync_v1.prune_audit(now),
            "v2Tombstones": await self.sync_v2.prune_audit(),
            "expiredSessions": await self.db.write(lambda c: sessions.delete_expired(c, now)),
            "stalePartials": await self.storage.remove_stale_partials(PARTIAL_IDLE),
            "oldNotifications": await self.db.write(lambda c: notifications.cleanup(c, now)),
        }
        if self.assets is not None and self.config is not None:
            trash = (await self.config.get())["trash"]
            kept = timedelta(days=int(trash["days"]) if trash["enabled"] else 0)
            counts["trashEmptied"] = await self.assets.purge_trash(now - kept)
        await self.db.write(statistics.refresh)
        if self.memories is not None:  # "on this day" memories and their cleanup
            counts |= await self.memories.run_daily()
        return counts

    async def run_if_due(self) -> dict[str, int] | None:
        """Run if this process wins the cluster's due run; returns the counts, else None."""
        now = utcnow()
        won = await self.db.write(lambda c: cluster.claim_due(c, TASK, self.runner_id, INTERVAL, now))
        if not won:
            return None
        counts = await self.run_once()
        log.info("daily maintenance: %s", counts)
        return counts

    async def _tick(self) -> None:
        await self.run_if_due()

    def start(self) -> None:
        self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()
