"""One run of the v2 stream: fixed bounds, the session's checkpoints, and batched row sources.

A run reads `upper = clock.current()` once; every source pages through `(checkpoint, upper]`
by sequence in batches of `BATCH`, and the caller yields lines between batches so the socket
paces the database. The bound and every batch are read from one database snapshot, so a row
committed before the run began is sent even if a writer re-stamps it (moving its sequence
past `upper`) while the run is under way; the next run sends the new version.
"""

from __future__ import annotations

import asyncio
import heapq
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import Connection, Row

from filmroll.db.engine import Snapshot
from filmroll.sync.v2.acks import Ack
from filmroll.sync.v2.queries import Blob

BATCH = 1000
T = TypeVar("T")
Rows = Sequence[Any]
"""Database rows, or any records with a `seq` attribute (e.g. rows completed with stored forms)."""


class BlobSource(Protocol):
    """`Source`'s batches as lines composed in one piece (`Blob`)."""

    def __call__(self, conn: Connection, after: int, upper: int, limit: int) -> Blob: ...


class Source(Protocol):
    """Rows with a `seq` column in `(after, upper]`, ordered by it, at most `limit`."""

    def __call__(self, conn: Connection, after: int, upper: int, limit: int) -> Rows: ...


@dataclass
class Run:
    db: Snapshot
    me: uuid.UUID
    session_id: uuid.UUID
    upper: int
    now: datetime
    checkpoints: dict[str, Ack]
    batch: int = BATCH
    requested: frozenset[str] = frozenset()
    """The request types of this run; a handler may depend on what else the client syncs."""

    def after(self, entity_type: str) -> int:
        found = self.checkpoints.get(entity_type)
        return found.seq if found is not None else 0

    async def _prefetched(
        self, read: Callable[[int], Awaitable[T]], after: int, following: Callable[[T], int | None]
    ) -> AsyncIterator[T]:
        """Batches read from cursor `after` on, the next one (at `following(batch)`, None when
        done) read while the current one is being sent, so at most two are held at once."""
        pending: asyncio.Future[T] | None = asyncio.ensure_future(read(after))
        try:
            while pending is not None:
                batch = await pending
                cursor = following(batch)
                pending = asyncio.ensure_future(read(cursor)) if cursor is not None else None
                yield batch
        finally:
            if pending is not None and not pending.done():
                pending.cancel()

    async def pages(self, source: Source, after: int, upper: int | None = None) -> AsyncIterator[Rows]:
        """Every row of `source` in `(after, upper]`, one batch per read of the run's snapshot;
        callers encode a whole batch per step to keep the per-row overhead out of the event loop."""
        top = self.upper if upper is None else upper

        def read(start: int) -> Awaitable[Rows]:
            return self.db.read(partial(source, after=start, upper=top, limit=self.batch))

        def following(page: Rows) -> int | None:
            return int(page[-1].seq) if len(page) == self.batch else None

        async for page in self._prefetched(read, after, following):
            if page:
                yield page

    async def blobs(self, source: BlobSource, after: int) -> AsyncGenerator[bytes]:
        """Like `pages`, for sources whose batches arrive as lines already composed."""

        def read(start: int) -> Awaitable[Blob]:
            return self.db.read(partial(source, after=start, upper=self.upper, limit=self.batch))

        def following(blob: Blob) -> int | None:
            return blob.last if blob.count == self.batch else None

        async for blob in self._prefetched(read, after, following):
            if blob.count:
                yield blob.body

    async def rows(self, source: Source, after: int, upper: int | None = None) -> AsyncIterator[Row[Any]]:
        """`pages`, one row at a time."""
        async for page in self.pages(source, after, upper):
            for row in page:
                yield row


async def merge(*streams: AsyncIterator[tuple[int, bytes]]) -> AsyncIterator[bytes]:
    """Merge streams that are each ordered by sequence into one ordered stream."""
    heap: list[tuple[int, int, bytes]] = []
    for index, stream in enumerate(streams):
        first = await anext(stream, None)
        if first is not None:
            heapq.heappush(heap, (first[0], index, first[1]))
    while heap:
        _seq, index, payload = heapq.heappop(heap)
        yield payload
        following = await anext(streams[index], None)
        if following is not None:
            heapq.heappush(heap, (following[0], index, following[1]))
