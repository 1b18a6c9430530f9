"""Memory rules: owner-only memories, the assets they may show, and the daily "on this day" job.

Each memory belongs to one user and only that user reads or changes it (other callers get
Immich's 400 "Not found or no memory.<action> access", so ids cannot be probed). Assets are
added only when the owner may share them (own or a partner's timeline asset, never locked);
others are refused per id, as Immich's bulk results do.

The job follows Immich: for every active user and every day from `DAYS` days ago to `DAYS`
days ahead (UTC) not generated yet, one `on_this_day` memory per earlier year with up to
`PER_YEAR` of that year's timeline assets taken on the same month and day (local time),
shown from the day's start to its end, `memoryAt` the same day in that year, `data: {year}`.
The last generated day is stored, so a day is generated once even if memories are deleted.
Unsaved memories older than `KEEP_UNSAVED` are removed, as Immich's cleanup does.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any, Literal

from sqlalchemy.engine import Connection, Row

from filmroll.db import clock
from filmroll.db.engine import Database
from filmroll.errors import BadRequest
from filmroll.repositories import memories as repo
from filmroll.repositories.memories import Search
from filmroll.services.access import shareable
from filmroll.services.auth import AuthContext

log = logging.getLogger("filmroll.jobs")

ON_THIS_DAY = "on_this_day"
DAYS = 3
"""Days before and after today that memories are generated for, as Immich does."""
PER_YEAR = 20
"""Most assets one "on this day" memory holds."""
KEEP_UNSAVED = timedelta(days=30)

BulkError = Literal["duplicate", "no_permission", "not_found"]


@dataclass(frozen=True, slots=True)
class MemoryView:
    memory: Row[Any]
    assets: Sequence[Row[Any]]


@dataclass(frozen=True, slots=True)
class BulkResult:
    id: uuid.UUID
    error: BulkError | None = None


def _denied(action: str) -> BadRequest:
    return BadRequest(f"Not found or no memory.{action} access")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first and last millisecond of `day` (UTC): a memory's `showAt` and `hideAt`."""
    start = datetime.combine(day, time())
    return start, start + timedelta(days=1, milliseconds=-1)


class MemoryService:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- API ----------------------------------------------------------------------------

    async def search(self, auth: AuthContext, search: Search) -> list[MemoryView]:
        def load(conn: Connection) -> list[MemoryView]:
            rows = repo.search(conn, auth.user_id, search)
            shown = repo.assets_of(conn, auth.user_id, [r.id for r in rows])
            return [MemoryView(r, shown[r.id]) for r in rows]

        return await self.db.read(load)

    async def statistics(self, auth: AuthContext, search: Search) -> int:
        return await self.db.read(lambda c: repo.count(c, auth.user_id, search))

    async def get(self, auth: AuthContext, memory_id: uuid.UUID) -> MemoryView:
        return await self.db.read(lambda c: self._view(c, self._owned(c, auth, memory_id, "read")))

    async def create(
        self, auth: AuthContext, values: dict[str, Any], asset_ids: Sequence[uuid.UUID]
    ) -> MemoryView:
        """A memory with the given assets the caller may share; others are left out silently,
        as Immich does."""

        def create(conn: Connection) -> MemoryView:
            allowed = shareable(conn, auth, asset_ids)
            ids = [i for i in dict.fromkeys(asset_ids) if i in allowed]
            row = repo.insert(conn, {"owner_id": auth.user_id, **values}, ids)
            return self._view(conn, row)

        return await self.db.write(create)

    async def update(self, auth: AuthContext, memory_id: uuid.UUID, values: dict[str, Any]) -> MemoryView:
        def update(conn: Connection) -> MemoryView:
            self._owned(conn, auth, memory_id, "update")
            repo.update(conn, memory_id, values)
            return self._view(conn, self._owned(conn, auth, memory_id, "update"))

        return await self.db.write(update)

    async def delete(self, auth: AuthContext, memory_id: uuid.UUID) -> None:
        await self.db.write(lambda c: repo.delete(c, [self._owned(c, auth, memory_id, "delete")]))

    async def add_assets(
        self, auth: AuthContext, memory_id: uuid.UUID, asset_ids: Sequence[uuid.UUID]
    ) -> list[BulkResult]:
        def add(conn: Connection) -> list[BulkResult]:
            self._owned(conn, auth, memory_id, "read")
            present = repo.linked_ids(conn, memory_id, asset_ids)
            allowed = shareable(conn, auth, [i for i in asset_ids if i not in present])
            results, added = [], []
            for asset_id in asset_ids:
                if asset_id in present:
                    results.append(BulkResult(asset_id, "duplicate"))
                elif asset_id not in allowed:
                    results.append(BulkResult(asset_id, "no_permission"))
                else:
                    present.add(asset_id)
                    added.append(asset_id)
                    results.append(BulkResult(asset_id))
            if added:
                repo.add_links(conn, memory_id, added)
                repo.update(conn, memory_id, {})
            return results

        return await self.db.write(add)

    async def remove_assets(
        self, auth: AuthContext, memory_id: uuid.UUID, asset_ids: Sequence[uuid.UUID]
    ) -> list[BulkResult]:
        def remove(conn: Connection) -> list[BulkResult]:
            memory = self._owned(conn, auth, memory_id, "update")
            present = repo.linked_ids(conn, memory_id, asset_ids)
            results, removed = [], []
            for asset_id in asset_ids:
                if asset_id not in present:
                    results.append(BulkResult(asset_id, "not_found"))
                    continue
                present.discard(asset_id)
                removed.append(asset_id)
                results.append(BulkResult(asset_id))
            if removed:
                repo.remove_links(conn, memory, removed)
                repo.update(conn, memory_id, {})
            return results

        return await self.db.write(remove)

    @staticmethod
    def _owned(conn: Connection, auth: AuthContext, memory_id: uuid.UUID, action: str) -> Row[Any]:
        memory = repo.get(conn, memory_id)
        if memory is None or memory.owner_id != auth.user_id:
            raise _denied(action)
        return memory

    @staticmethod
    def _view(conn: Connection, memory: Row[Any]) -> MemoryView:
        return MemoryView(memory, repo.assets_of(conn, memory.owner_id, [memory.id])[memory.id])

    # --- daily job ----------------------------------------------------------------------

    async def generate(self, today: date | None = None) -> int:
        """Create the "on this day" memories of every day in `today ± DAYS` not generated yet;
        returns how many memories were created. Safe to run from several processes at once:
        each day is claimed in one write transaction holding the state row's lock. A day with
        nothing to create takes no clock value, so the job moves no sync cursor."""
        today = today or clock.utcnow().date()
        created = 0
        for offset in range(-DAYS, DAYS + 1):
            created += await self.db.write(partial(self._generate_day, day=today + timedelta(days=offset)))
        return created

    @staticmethod
    def _generate_day(conn: Connection, day: date) -> int:
        last = repo.last_generated(conn)
        if last is not None and last >= day:
            return 0
        show_at, hide_at = day_bounds(day)
        created = 0
        for owner_id in repo.active_user_ids(conn):
            by_year: dict[int, list[uuid.UUID]] = {}
            for row in repo.same_day_assets(conn, owner_id, day):
                ids = by_year.setdefault(int(row.year), [])
                if len(ids) < PER_YEAR:
                    ids.append(row.id)
            for year in sorted(by_year, reverse=True):
                values = {
                    "owner_id": owner_id,
                    "type": ON_THIS_DAY,
                    "data": {"year": year},
                    "is_saved": False,
                    "memory_at": datetime.combine(date(year, day.month, day.day), time()),
                    "show_at": show_at,
                    "hide_at": hide_at,
                }
                repo.insert(conn, values, by_year[year])
                created += 1
        repo.set_generated(conn, day)
        log.info("created %d on-this-day memories for %s", created, day.isoformat())
        return created

    async def cleanup(self) -> int:
        """Remove unsaved memories older than `KEEP_UNSAVED` (with tombstones) and links whose
        asset and its tombstone are both gone; returns memories removed."""

        def clean(conn: Connection) -> int:
            removed = repo.delete(conn, repo.unsaved_before(conn, clock.utcnow() - KEEP_UNSAVED))
            repo.prune_orphan_links(conn)
            return removed

        return await self.db.write(clean)

    async def run_daily(self, today: date | None = None) -> dict[str, int]:
        """The daily job: clean up first, then generate (a fresh memory is never cleaned)."""
        removed = await self.cleanup()
        return {"memoriesRemoved": removed, "memoriesCreated": await self.generate(today)}
