"""filmroll's sync extensions: the next stream's totals, rows by id and digests (the Devices
page's sync status is in `extensions.status`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.errors import BadRequest
from filmroll.services.auth import AuthContext
from filmroll.sync.extensions import digests
from filmroll.sync.extensions import rows as by_id
from filmroll.sync.extensions.estimate import Totals, closing, dry, totals
from filmroll.sync.v2.run import Run
from filmroll.sync.v2.service import SyncV2Service, session_of
from filmroll.sync.v2.types import ordered


def _answer(found: dict[str, Totals], end: Totals, reset: bool) -> dict[str, Any]:
    lines = sum(t.lines for t in found.values()) + end.lines
    size = sum(t.bytes for t in found.values()) + end.bytes
    return {
        "reset": reset,
        "lines": lines,
        "bytes": size,
        "types": {request_type: t.as_dict() for request_type, t in found.items()},
    }


class SyncExtensions:
    """Answers built on the v2 stream's own runs and queries (`SyncV2Service`)."""

    def __init__(self, v2: SyncV2Service) -> None:
        self.v2 = v2
        self.db = v2.db

    def _run(
        self,
        conn: Connection,
        snapshot: Any,
        me: uuid.UUID,
        session_id: uuid.UUID,
        wanted: list[str],
        reset: bool,
    ) -> Run | None:
        """The run the next stream would make (None: it would only send `SyncResetV1`); with
        `reset`, the run of a stream asked to start over."""
        if not reset:
            return self.v2._start(conn, snapshot, me, session_id, wanted)
        now = clock.utcnow()
        upper = clock.current(conn)
        return Run(snapshot, me, session_id, upper, now, {}, batch=self.v2.batch, requested=frozenset(wanted))

    async def estimate(self, auth: AuthContext, types: Sequence[str], reset: bool) -> dict[str, Any]:
        """What `POST /sync/stream` with the same body would send now, per request type."""
        session_id = session_of(auth)
        wanted = ordered(list(types))
        async with await self.db.snapshot() as snapshot:
            run = await snapshot.read(
                lambda c: self._run(c, snapshot, auth.user_id, session_id, wanted, reset)
            )
            if run is None:
                return _answer({t: Totals(0, 0) for t in wanted}, closing(None), True)
            found = await totals(dry(run, snapshot), wanted)
        return _answer(found, closing(run), False)

    async def rows(self, auth: AuthContext, request_type: str, ids: Sequence[str]) -> bytes:
        """Current lines of `ids` (row keys: ids, or `albumId:otherId` for album links) for
        `request_type` (see `extensions.rows`)."""
        session_of(auth)
        kind = by_id.KINDS.get(request_type)
        if kind is None:
            names = ", ".join(by_id.KINDS)
            raise BadRequest([f"type must be one of the following values: {names}"])
        me = auth.user_id
        return await self.db.read(lambda c: by_id.lines(c, kind, me, ids, clock.current(c)))

    async def digest(
        self, auth: AuthContext, request_type: str, bucket: str | None, split: bool = False
    ) -> dict[str, Any]:
        """Counts and hashes of what the caller's stream of `request_type` keeps (`extensions.digests`).

        Read from one snapshot: a digest sums the rows with a stored hash, then hashes the rest
        in a second query, and a row the background renderer stores in between would
        otherwise be counted by neither (PostgreSQL reads each statement afresh)."""
        session_of(auth)
        me = auth.user_id
        async with await self.db.snapshot() as snapshot:
            return await snapshot.read(lambda c: digests.digest(c, request_type, me, bucket, split))
