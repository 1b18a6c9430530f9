"""Sync v1 rules: full sync pages, delta sync with deletes and lost access, audit pruning.

One view per viewer (sync-requirements §2.7): the owner sees its `timeline` and `archive`
assets (never `locked` or `hidden`), a partner sees only `timeline` assets; trashed assets
are included and flagged. An asset that left the viewer's view since `updatedAfter` is
reported in `deleted`, alongside permanent deletes from `asset_audit`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import anyio.to_thread
from sqlalchemy.engine import Connection, Row

from filmroll.db.engine import Database
from filmroll.repositories import sync_v1 as repo
from filmroll.services.partners import require_timeline_access, timeline_owners
from filmroll.sync.clock import utcnow
from filmroll.sync.v1_encode import asset_dto, encode_items, json_array, stack_ids
from filmroll.sync.v1_params import DeltaSyncParams, FullSyncParams

MAX_AGE = timedelta(days=100)
"""Older watermarks need a full sync; tombstones are kept exactly this long."""
MAX_CHANGES = 10_000
MAX_CLOCK_SKEW = timedelta(minutes=10)
"""How far a client clock may run ahead and still move our change clock."""
PAGE_SIZE = 1_000


def full_sync_response() -> dict[str, Any]:
    return {"needsFullSync": True, "upserted": [], "deleted": []}


def visible_to(owner_id: uuid.UUID, viewer_id: uuid.UUID) -> tuple[str, ...]:
    return repo.OWNER_VISIBLE if owner_id == viewer_id else repo.PARTNER_VISIBLE


class SyncV1Service:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def full_sync(
        self, viewer_id: uuid.UUID, params: FullSyncParams, *, early: bool
    ) -> AsyncIterator[bytes]:
        """Check access now, then return the JSON array body as a stream of encoded pages.

        `early` selects the GET form's `(fileCreatedAt DESC, id DESC)` order; otherwise pages
        follow `id ASC`. Each page is read in its own short transaction.
        """
        owner_id = params.user_id or viewer_id
        await self.db.read(lambda c: require_timeline_access(c, viewer_id, [owner_id]))
        await self._settle(params.updated_until)
        visibilities = visible_to(owner_id, viewer_id)

        def read_page(count: int, cursor: Any) -> tuple[bytes, Any, int]:
            def run(conn: Connection) -> tuple[bytes, Any, int]:
                if early:
                    rows = repo.by_creation_page(
                        conn, owner_id, visibilities, params.updated_until, count, cursor
                    )
                    last = (rows[-1].file_created_at, rows[-1].id) if rows else cursor
                else:
                    rows = repo.by_id_page(conn, owner_id, visibilities, params.updated_until, count, cursor)
                    last = rows[-1].id if rows else cursor
                stacks = repo.stacks_of(conn, stack_ids(rows, viewer_id))
                return encode_items(rows, viewer_id, stacks), last, len(rows)

            return self.db.read_sync(run)

        start: Any = params.last_id
        if early:
            start = (
                (params.last_creation_date, params.last_id)
                if params.last_creation_date is not None and params.last_id is not None
                else None
            )

        async def pages() -> AsyncIterator[bytes]:
            remaining, cursor = params.limit, start
            while remaining > 0:
                count = min(PAGE_SIZE, remaining)
                chunk, cursor, got = await anyio.to_thread.run_sync(read_page, count, cursor)
                yield chunk
                remaining -= got
                if got < count:
                    break

        return json_array(pages())

    async def delta_sync(self, viewer_id: uuid.UUID, params: DeltaSyncParams) -> dict[str, Any]:
        """Immich's order of checks (§2.3), then a read that cannot miss a committed change.

        The expected set is read with the partner rows that grant access, so no separate
        access check can fail afterwards; a share ended meanwhile shows up next time as a
        set mismatch.
        """
        after = params.updated_after
        now = utcnow()
        if now - after > MAX_AGE:
            return full_sync_response()
        expected = await self.db.read(lambda c: timeline_owners(c, viewer_id))
        if set(params.user_ids) != expected:
            return full_sync_response()
        owner_ids = sorted(expected)
        await self._settle(after)
        return await self.db.read(lambda c: self._delta(c, viewer_id, owner_ids, after))

    async def _settle(self, watermark: datetime) -> None:
        """Wait for in-flight writers: afterwards every change stamped at or before the client's
        `watermark` is committed and visible, and every later change is stamped after it.

        A watermark ahead of our clock (client clock skew) pushes the clock past it, up to
        `MAX_CLOCK_SKEW`; beyond that the client's clock is not trusted to move our stamps.
        """
        now = utcnow()
        if watermark >= now:
            target = min(watermark, now + MAX_CLOCK_SKEW)
            await self.db.write(lambda c: repo.advance_clock(c, target))
        else:
            await self.db.barrier()

    @staticmethod
    def _delta(
        conn: Connection, viewer_id: uuid.UUID, owner_ids: Sequence[uuid.UUID], after: datetime
    ) -> dict[str, Any]:
        rows = repo.changed_since(conn, owner_ids, after, MAX_CHANGES)
        if len(rows) >= MAX_CHANGES:
            return full_sync_response()
        visible: list[Row[Any]] = []
        deleted = repo.deleted_since(conn, owner_ids, after)
        for row in rows:
            if row.visibility in visible_to(row.owner_id, viewer_id):
                visible.append(row)
            else:
                deleted.append(str(row.id))
        stacks = repo.stacks_of(conn, stack_ids(visible, viewer_id))
        upserted = [asset_dto(r, viewer_id, stacks) for r in visible]
        return {"needsFullSync": False, "upserted": upserted, "deleted": deleted}

    async def prune_audit(self, now: datetime | None = None) -> int:
        """Daily job: drop tombstones older than `MAX_AGE`; returns how many were removed.

        Clients whose watermark is older than that are sent to full sync anyway, so no
        client can still need a pruned row.
        """
        cutoff = (now or utcnow()) - MAX_AGE
        return await self.db.write(lambda c: repo.prune_audit(c, cutoff))
