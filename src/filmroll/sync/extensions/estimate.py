"""Totals of the next v2 stream, per request type, without sending it or moving a checkpoint.

The estimate runs the stream's own handlers inside one snapshot and counts what they yield,
so it is exact by construction (the same access rule, deletes, backfills and acks) and costs
what the changes cost: a session that is nearly up to date is answered after reading only
its few pending rows. The owner's asset and exif rows, the bulk of a first sync, are counted
by one SQL count instead (`COUNTED`).
The only write a handler makes (a backfill checkpoint for a relation
a client does not sync yet) is dropped, so nothing a later stream sees changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db.engine import Snapshot
from filmroll.sync.forms.queries import ASSETS, EXIF, FormTable, stale_key, stored
from filmroll.sync.forms.renderer import completed
from filmroll.sync.sql import wired
from filmroll.sync.v2.acks import RESET_ACK, ack
from filmroll.sync.v2.handlers import HANDLERS
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


@dataclass(frozen=True)
class Totals:
    """Lines and uncompressed bytes of one part of a stream."""

    lines: int
    bytes: int

    def as_dict(self) -> dict[str, int]:
        return {"lines": self.lines, "bytes": self.bytes}


SAMPLE = 200
"""Rows whose stored forms give the average line size of a counted step."""
EXACT_UP_TO = 5_000
"""Below this many rows a counted step is run instead, so its bytes are exact too."""

COUNTED: dict[str, tuple[str, FormTable]] = {
    "AssetsV1": ("AssetV1", ASSETS),
    "AssetExifsV1": ("AssetExifV1", EXIF),
}
"""Request types whose last step sends every row of the owner's table changed since the
checkpoint (`handlers.composed`): that step is counted in SQL instead of being run, so a
whole library is counted in one index scan. Its line count is exact; its bytes are the
count times the average line of a sample of those rows (when over `EXACT_UP_TO`)."""


def _counted(conn: Connection, ft: FormTable, me: uuid.UUID, after: int, upper: int) -> tuple[int, float]:
    """(rows, average form length in bytes) of the owner's rows stamped in `(after, upper]`;
    the average is taken over the latest `SAMPLE` rows, stale ones rendered as a stream would."""
    seq = ft.table.c.update_seq
    where = (ft.table.c.owner_id == me, seq > after, seq <= upper)
    rows = int(conn.execute(sa.select(sa.func.count()).select_from(ft.table).where(*where)).scalar_one())
    if rows <= EXACT_UP_TO:
        return rows, 0.0
    query = sa.select(stale_key(ft), stored(ft.table, "v2"), seq.label("seq")).where(*where)
    sample = conn.execute(wired(conn.dialect.name, query.order_by(seq.desc()).limit(SAMPLE))).all()
    forms = [len(str(r.wire).encode()) for r in completed(conn, ft, sample)]
    return rows, sum(forms) / len(forms)


async def _count_rows(run: Run, entity: str, ft: FormTable) -> Totals | None:
    """The step's totals from SQL, or None when it is small enough to run exactly."""
    after = run.after(entity)
    rows, average = await run.db.read(partial(_counted, ft=ft, me=run.me, after=after, upper=run.upper))
    if rows <= EXACT_UP_TO:
        return None
    envelope = len(line(entity, orjson.Fragment(b"{}"), ack(entity, run.upper))) - 2
    return Totals(rows, round(rows * (envelope + average)))


async def count(run: Run, request_type: str) -> Totals:
    """Lines and bytes the request type's steps would send in `run`."""
    lines = size = 0
    steps = HANDLERS.get(request_type, ())
    counted = COUNTED.get(request_type)
    found = None if counted is None else await _count_rows(run, *counted)
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
