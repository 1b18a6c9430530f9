"""Keeping stored wire forms current in the background, and rendering stale rows on read.

The renderer follows the change clock like a sync client: per table it keeps a cursor, reads
the rows stamped after it whose forms are stale, renders them outside any write transaction
and then stores the forms, in a short one, where the row still has the stamp it was rendered
from. Writes therefore cost what they cost before
forms existed, and a new format version (or an upgrade from a database without forms) is
rendered in the background, without a blocking rewrite at start-up.

The cursor means "every row stamped up to here has its form", which holds for any number of
renderers (one per server or worker process) sharing it: the clock makes a row written later
take a stamp past every committed one, and a renderer never saves a cursor past a row it had
to skip (see `write_batch`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, NamedTuple, cast

from sqlalchemy.engine import Connection, Row

from filmroll.db import clock
from filmroll.db.engine import Database
from filmroll.periodic import Periodic
from filmroll.sync.forms import queries
from filmroll.sync.forms.queries import ASSETS, EXIF, TABLES, Form, FormTable
from filmroll.sync.forms.render import asset_forms, exif_forms

log = logging.getLogger(__name__)

BATCH = 1000
INTERVAL = 1.0
"""Seconds between checks for new stamps when idle."""

_RENDER: dict[str, Callable[[Mapping[str, Any]], tuple[str, str]]] = {
    ASSETS.name: asset_forms,
    EXIF.name: exif_forms,
}


def forms_of(ft: FormTable, row: Row[Any]) -> tuple[str, str]:
    """(v2, v1) forms of a source row of `ft`."""
    return _RENDER[ft.name](cast("Mapping[str, Any]", row._mapping))


def fill(conn: Connection, ft: FormTable, keys: Sequence[Any], form: Form) -> dict[str, str]:
    """Fresh renderings of one form for rows whose stored form was stale, by key as text."""
    index = 0 if form == "v2" else 1
    key = ft.key.key
    return {str(r._mapping[key]): forms_of(ft, r)[index] for r in queries.rows_by_key(conn, ft, keys)}


class FormRow(NamedTuple):
    """A stream row completed with its freshly rendered form."""

    seq: int
    wire: str


def completed(conn: Connection, ft: FormTable, rows: Sequence[Any]) -> Sequence[Any]:
    """Rows carrying `seq`, `wire` and `key` (`queries.stored`, `queries.stale_key`) with every
    form present: stale ones are rendered from the same connection, so inside a stream's
    snapshot they are exactly the rows the page read. Pages without stale rows, the usual case
    once the background renderer has caught up, are returned as they are.
    """
    stale = [r.key for r in rows if r.wire is None]
    if not stale:
        return rows
    filled = fill(conn, ft, [uuid.UUID(str(k)) for k in stale], "v2")
    out: list[Any] = []
    for row in rows:
        wire = row.wire if row.wire is not None else filled.get(str(row.key))
        if wire is None:
            raise LookupError(f"{ft.name} row {row.key} vanished while its page was read")
        out.append(FormRow(int(row.seq), wire) if row.wire is None else row)
    return out


Forms = list[tuple[uuid.UUID, int, str, str]]


def read_batch(conn: Connection, ft: FormTable, after: int, upper: int, limit: int) -> tuple[Forms, int]:
    """Render one batch of stale rows (no write, no lock held): `(key, seq, v2, v1)` forms and
    the cursor reached."""
    rows = queries.stale_rows(conn, ft, after, upper, limit)
    key = ft.key.key
    forms = [(uuid.UUID(str(r._mapping[key])), int(r.update_seq), *forms_of(ft, r)) for r in rows]
    return forms, upper if len(rows) < limit else int(rows[-1].update_seq)


def write_batch(
    conn: Connection, ft: FormTable, forms: Forms, reached: int, held: int | None = None
) -> int | None:
    """Store a rendered batch and move the cursor, in one short write transaction.

    The saved cursor says every row stamped up to it has its form, so it stops before the
    first row that could not be stored (another transaction held it): rows past it in this
    round are stored all the same, and the next round comes back for it. `held` is where an
    earlier batch of the same round had to stop; returns where the cursor must stay from now
    on (None: nowhere).
    """
    skipped = queries.store(conn, ft, forms)
    if skipped:
        first = min(seq for key, seq, *_ in forms if key in skipped) - 1
        held = first if held is None else min(held, first)
    queries.set_cursor(conn, ft, reached if held is None else held)
    return held


def render_batch(conn: Connection, ft: FormTable, after: int, upper: int, limit: int) -> tuple[int, int]:
    """Render and store one batch on one connection; (rows rendered, position reached)."""
    forms, reached = read_batch(conn, ft, after, upper, limit)
    write_batch(conn, ft, forms, reached)
    return len(forms), reached


class FormRenderer:
    """Brings every table's forms up to the committed clock, batch by batch."""

    def __init__(self, db: Database, *, batch: int = BATCH) -> None:
        self.db = db
        self.batch = batch
        self._periodic: Periodic | None = None

    def start(self, interval: float = INTERVAL) -> None:
        self._periodic = Periodic("wire-forms", self._logged, interval)
        self._periodic.start()

    async def stop(self) -> None:
        if self._periodic is not None:
            await self._periodic.stop()

    async def catch_up(self) -> int:
        """Render everything stamped up to now; returns the number of rows rendered."""
        total = 0
        for ft in TABLES:
            total += await self._catch_up(ft)
        return total

    async def _catch_up(self, ft: FormTable) -> int:
        upper = await self.db.read(clock.current)
        after = await self.db.read(lambda c: queries.cursor(c, ft))
        total, held = 0, None
        while after < upper:
            batch = partial(read_batch, ft=ft, after=after, upper=upper, limit=self.batch)
            forms, after = await self.db.read(batch)
            held = await self.db.write(partial(write_batch, ft=ft, forms=forms, reached=after, held=held))
            total += len(forms)
        return total

    async def _logged(self) -> None:
        if rendered := await self.catch_up():
            log.debug("rendered the wire forms of %d rows", rendered)
