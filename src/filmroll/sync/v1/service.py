"""Sync v1 rules: full sync pages, delta sync with deletes and lost access, audit pruning.

One view per viewer, the same in every sync form: the owner sees its `timeline` and `archive`
assets (never `locked` or `hidden`), a partner sees only `timeline` assets; trashed assets
are included and flagged. An asset that left the viewer's view since `updatedAfter` is
reported in `deleted`, alongside permanent deletes from `asset_audit`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import anyio
import orjson
from sqlalchemy.engine import Connection, Row

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.repositories import api_key_sync as key_repo
from filmroll.repositories import sessions as session_repo
from filmroll.services.access import delete_named, v1_visibilities
from filmroll.services.partners import require_timeline_access, timeline_owners
from filmroll.sync.v1 import queries as repo
from filmroll.sync.v1.encode import asset_id, dtos, encode_items, json_array, stack_ids
from filmroll.sync.v1.params import DeltaSyncParams, FullSyncParams

MAX_AGE = timedelta(days=100)
"""Older watermarks need a full sync; tombstones are kept exactly this long."""
MAX_CHANGES = 10_000
SETTLE_AHEAD = timedelta(seconds=5)
"""A watermark ahead of our clock by at most this, from a caller without a record (API key,
first sync), is waited for by its own request; one further ahead is read as our current time.
Either way the change clock itself never moves for a client's watermark."""
FULL_SYNC_PASS = timedelta(minutes=10)
"""Full syncs of one session begun within this of each other count as one pass of the client
(its own library, then each partner's), so the session's record keeps the earliest bound."""
PAGE_SIZE = 1_000


def full_sync_response() -> dict[str, Any]:
    return {"needsFullSync": True, "upserted": [], "deleted": []}


class SyncV1Service:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def full_sync(
        self,
        viewer_id: uuid.UUID,
        params: FullSyncParams,
        *,
        early: bool,
        session_id: uuid.UUID | None = None,
        api_key_id: uuid.UUID | None = None,
    ) -> AsyncIterator[bytes]:
        """Check access now, then return the JSON array body as a stream of encoded pages.

        `early` selects the GET form's `(fileCreatedAt DESC, id DESC)` order; otherwise pages
        follow `id ASC`. Every page is read from one snapshot taken after the writers stamped
        at or before `updatedUntil` have committed, so an asset a background job re-stamps
        mid-sync is still in it (delta sync later brings the new version). An `updatedUntil`
        ahead of our clock is read as described at `SETTLE_AHEAD`; the bound used is recorded
        for `session_id` (or `api_key_id`, for the Devices page only).
        """
        owner_id = params.user_id or viewer_id
        await self.db.read(lambda c: require_timeline_access(c, viewer_id, [owner_id]))
        now = utcnow()
        until = _trusted(params.updated_until, None, now)
        await self._settle(until)
        if session_id is not None:
            sid, since = session_id, now - FULL_SYNC_PASS
            await self.db.write(lambda c: session_repo.lower_v1_synced_at(c, sid, until, since))
        elif api_key_id is not None:
            kid, since = api_key_id, now - FULL_SYNC_PASS
            await self.db.write(lambda c: key_repo.lower_v1_synced_at(c, kid, until, since))
        own = owner_id == viewer_id
        visibilities = v1_visibilities(own)

        def read_page(conn: Connection, count: int, cursor: Any) -> tuple[bytes, Any, int]:
            if early:
                rows = repo.by_creation_page(conn, viewer_id, owner_id, visibilities, until, count, cursor)
                last = (rows[-1].file_created_at, asset_id(rows[-1])) if rows else cursor
            else:
                page = repo.by_id_page_text(conn, own, owner_id, visibilities, until, count, cursor)
                if not page.stale:
                    last = uuid.UUID(page.last_id) if page.n else cursor
                    return (page.body or "").encode(), last, int(page.n)
                rows = repo.by_id_page(conn, viewer_id, owner_id, visibilities, until, count, cursor)
                last = asset_id(rows[-1]) if rows else cursor
            stacks = repo.stacks_of(conn, stack_ids(rows))
            return encode_items(conn, rows, stacks), last, len(rows)

        start: Any = params.last_id
        if early:
            start = (
                (params.last_creation_date, params.last_id)
                if params.last_creation_date is not None and params.last_id is not None
                else None
            )

        async def pages() -> AsyncIterator[bytes]:
            """Each page is sent while the next one is read (the snapshot serialises reads)."""
            # Opened inside the body so that it is released however the response ends.
            async with await self.db.snapshot() as snapshot:

                def fetch(remaining: int, cursor: Any) -> asyncio.Future[tuple[bytes, Any, int]] | None:
                    if remaining <= 0:
                        return None
                    count = min(PAGE_SIZE, remaining)
                    return asyncio.ensure_future(
                        snapshot.read(partial(read_page, count=count, cursor=cursor))
                    )

                remaining = params.limit
                pending = fetch(remaining, start)
                try:
                    while pending is not None:
                        chunk, cursor, got = await pending
                        remaining -= got
                        pending = fetch(remaining, cursor) if got == min(PAGE_SIZE, remaining + got) else None
                        yield chunk
                finally:
                    if pending is not None:
                        pending.cancel()

        await self.db.await_snapshot_slot()
        return json_array(pages())

    async def delta_sync(
        self,
        viewer_id: uuid.UUID,
        params: DeltaSyncParams,
        session_id: uuid.UUID | None = None,
        api_key_id: uuid.UUID | None = None,
    ) -> dict[str, Any]:
        """Immich's order of checks, then a read that cannot miss a committed change.

        The expected set is read with the partner rows that grant access, so no separate
        access check can fail afterwards; a share ended meanwhile shows up next time as a
        set mismatch. A watermark later than the session's record (a client clock running
        ahead) is read as the record: the client can only hold what it was sent. The time
        this answer is complete as of becomes the new record. An API key's record is kept only
        to be shown: one key may serve several clients, so it says nothing about a watermark.
        """

        def load(conn: Connection) -> tuple[set[uuid.UUID], datetime | None]:
            known = session_repo.v1_synced_at(conn, session_id) if session_id is not None else None
            return timeline_owners(conn, viewer_id), known

        expected, known = await self.db.read(load)
        now = utcnow()
        after = _trusted(params.updated_after, known, now)
        if now - after > MAX_AGE:
            return full_sync_response()
        if set(params.user_ids) != expected:
            return full_sync_response()
        owner_ids = sorted(expected)
        as_of = await self._settle(after)
        # The clock stamps by the database's time: on another host it may lag ours, and
        # reading from the earlier of the two only re-sends, never skips.
        after = min(after, as_of)
        # One snapshot: the rows judged visible are the rows whose forms are completed.
        async with await self.db.snapshot() as snapshot:
            result = await snapshot.read(lambda c: self._delta(c, viewer_id, owner_ids, after))
        if session_id is not None and not result["needsFullSync"]:
            sid = session_id
            await self.db.write(lambda c: session_repo.set_v1_synced_at(c, sid, as_of))
        elif api_key_id is not None and not result["needsFullSync"]:
            kid = api_key_id
            await self.db.write(lambda c: key_repo.set_v1_synced_at(c, kid, as_of))
        return result

    async def _settle(self, watermark: datetime) -> datetime:
        """Wait for in-flight writers: afterwards every change stamped at or before `watermark`
        is committed and visible, and every later change is stamped after it.

        A `watermark` slightly ahead of our clock (see `_trusted`) is first waited for, by this
        request only. Returns the server time every change stamped at or before which is
        committed: what a read made now is complete as of.
        """
        ahead = (watermark - utcnow()).total_seconds()
        if ahead >= 0:
            await anyio.sleep(ahead + 0.002)
        return await self.db.barrier()

    @staticmethod
    def _delta(
        conn: Connection, viewer_id: uuid.UUID, owner_ids: Sequence[uuid.UUID], after: datetime
    ) -> dict[str, Any]:
        rows = repo.changed_since(conn, viewer_id, owner_ids, after, MAX_CHANGES)
        if len(rows) >= MAX_CHANGES:
            return full_sync_response()
        visible: list[Row[Any]] = []
        deleted = repo.deleted_since(conn, viewer_id, owner_ids, after)
        for row in rows:
            if row.visibility in v1_visibilities(bool(row.own)):
                visible.append(row)
            elif delete_named(bool(row.own), bool(row.ever_timeline)):
                deleted.append(str(asset_id(row)))
        stacks = repo.stacks_of(conn, stack_ids(visible))
        upserted = [orjson.Fragment(dto) for dto in dtos(conn, visible, stacks)]
        return {"needsFullSync": False, "upserted": upserted, "deleted": deleted}

    async def prune_audit(self, now: datetime | None = None) -> int:
        """Daily job: drop tombstones older than `MAX_AGE`; returns how many were removed.

        Clients whose watermark is older than that are sent to full sync anyway, so no
        client can still need a pruned row.
        """
        cutoff = (now or utcnow()) - MAX_AGE
        return await self.db.write(lambda c: repo.prune_audit(c, cutoff))


def _trusted(watermark: datetime, known: datetime | None, now: datetime) -> datetime:
    """The watermark to read with: a client's clock may run ahead of ours, and must never
    make it skip a change.

    Later than `known` (what the session was last answered as of), it is `known`. Without a
    record it is kept when at most `SETTLE_AHEAD` ahead of `now` (`_settle` waits for it), and
    otherwise, if ahead, replaced by `now`.
    """
    if known is not None and watermark > known:
        watermark = known
    return now if watermark > now + SETTLE_AHEAD else watermark
