"""Totals of the next v2 stream, per request type, without sending it or moving a checkpoint.

The estimate runs the stream's own handlers inside one snapshot and counts what they yield,
so it is exact by construction (the same access rule, deletes, backfills and acks) and costs
what the changes cost: a session that is nearly up to date is answered after reading only
its few pending rows. The bulk of a first sync (the owner's asset and exif rows, album links
and album assets) is counted by one SQL count per type instead (`COUNTED`).
The only write a handler makes (a backfill checkpoint for a relation
a client does not sync yet) is dropped, so nothing a later stream sees changes.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from filmroll.db.engine import Snapshot
from filmroll.sync.forms.queries import ASSETS, EXIF
from filmroll.sync.v2 import queries as repo
from filmroll.sync.v2.acks import RESET_ACK, ack
from filmroll.sync.v2.handlers import HANDLERS, Step, album_pass
from filmroll.sync.v2.lines import EMPTY, line
from filmroll.sync.v2.run import Run

T = TypeVar("T")


class DryRun:
    """A snapshot whose writes are dropped: what a handler would store is not stored."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot

    async def read(self, fn: Callable[[Connection], T]) -> T:
        return await self._snapshot.read(fn)

    async def write(self, fn: Callable[[Connection], Any]) -> None:
        del fn

    def on_close(self, fn: Callable[[], None]) -> None:
        self._snapshot.on_close(fn)


@dataclass(frozen=True)
class Totals:
    """Lines and uncompressed bytes of one part of a stream."""

    lines: int
    bytes: int

    def as_dict(self) -> dict[str, int]:
        return {"lines": self.lines, "bytes": self.bytes}


SAMPLE = 200
"""Lines of a counted step actually produced to learn its average line size."""
EXACT_UP_TO = 5_000
"""Below this many rows a counted step is run instead, so its bytes are exact too."""


@dataclass(frozen=True)
class Counted:
    """The last step of a request type, counted in SQL: the bulk of a first sync (every row of
    the owner's assets or exif, every album link or album asset) is then one index scan
    instead of a dry run that encodes every line. Its line count is exact; its bytes are the
    count times the average line of its first `SAMPLE` lines."""

    rows: Callable[[Connection, Run], int]
    """Rows the step would send (one line each), read from the run's snapshot."""
    leading: int = 0
    """Lines the step sends before its rows when it sends any (an album's creates open with
    the update type's ack)."""


def _own(table: str, entity: str) -> Counted:
    return Counted(lambda c, run: repo.own_count(c, table, run.me, run.after(entity), run.upper))


def _album(prefix: str, rows: repo.AlbumRows) -> Counted:
    def count(c: Connection, run: Run) -> int:
        p = album_pass(run, prefix)
        return repo.album_creates_count(c, rows, p, run.after(f"{prefix}CreateV1"), run.upper)

    return Counted(count, leading=1)


COUNTED: dict[str, Counted] = {
    "AssetsV1": _own(ASSETS.name, "AssetV1"),
    "AssetExifsV1": _own(EXIF.name, "AssetExifV1"),
    "AlbumAssetsV1": _album("AlbumAsset", repo.ALBUM_ASSETS),
    "AlbumAssetExifsV1": _album("AlbumAssetExif", repo.ALBUM_EXIF),
    "AlbumToAssetsV1": Counted(
        lambda c, run: repo.album_links_count(c, run.me, run.after("AlbumToAssetV1"), run.upper)
    ),
}
"""Request types whose last step is counted in SQL (`Counted`)."""


async def _sample(lines: AsyncIterator[bytes]) -> tuple[int, int]:
    """(lines, bytes) of the first payloads of a step, at least `SAMPLE` lines when it has them."""
    count = size = 0
    try:
        async for payload in lines:
            count += payload.count(b"\n")
            size += len(payload)
            if count >= SAMPLE:
                break
    finally:
        if isinstance(lines, AsyncGenerator):
            await lines.aclose()
    return count, size


async def _counted(run: Run, counted: Counted, step: Step) -> Totals | None:
    """The step's totals from SQL, or None when it is small enough to run exactly."""
    rows = await run.db.read(lambda c: counted.rows(c, run))
    if rows <= EXACT_UP_TO:
        return None
    lines = rows + counted.leading
    sampled, size = await _sample(step(run))
    return Totals(lines, round(lines * size / max(sampled, 1)))


async def count(run: Run, request_type: str) -> Totals:
    """Lines and bytes the request type's steps would send in `run`."""
    lines = size = 0
    steps = HANDLERS.get(request_type, ())
    counted = COUNTED.get(request_type)
    found = None if counted is None else await _counted(run, counted, steps[-1])
    if found is not None:
        steps = steps[:-1]
        lines, size = found.lines, found.bytes
    for step in steps:
        async for payload in step(run):
            lines += payload.count(b"\n")
            size += len(payload)
    return Totals(lines, size)


def closing(run: Run | None) -> Totals:
    """The line every stream ends with: `SyncCompleteV1`, or a lone `SyncResetV1` when the
    session must start over."""
    if run is None:
        payload = line("SyncResetV1", EMPTY, RESET_ACK)
    else:
        payload = line("SyncCompleteV1", EMPTY, ack("SyncCompleteV1", run.upper, run.now))
    return Totals(1, len(payload))


async def totals(run: Run, types: Sequence[str]) -> dict[str, Totals]:
    """Per request type (in handler order), what `run` would send."""
    return {request_type: await count(run, request_type) for request_type in types}


def dry(run: Run, snapshot: Snapshot) -> Run:
    """`run` reading `snapshot` with its writes dropped."""
    run.db = DryRun(snapshot)  # type: ignore[assignment]
    return run
