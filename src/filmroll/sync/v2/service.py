"""Sync v2 rules: session-only access, checkpoints, reset and staleness, and the stream itself."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db.engine import Database, Snapshot
from filmroll.errors import BadRequest, Forbidden
from filmroll.repositories import sessions
from filmroll.services.auth import AuthContext
from filmroll.sync.v2 import checkpoints
from filmroll.sync.v2 import queries as repo
from filmroll.sync.v2.acks import RESET_ACK, Ack, InvalidAck, ack, parse
from filmroll.sync.v2.handlers import HANDLERS
from filmroll.sync.v2.lines import EMPTY, line
from filmroll.sync.v2.run import BATCH, Run
from filmroll.sync.v2.types import ordered

MAX_ACKS = 1000
CHUNK = 64 * 1024
STALE_AFTER = timedelta(days=30)
AUDIT_RETENTION = timedelta(days=31)


def session_of(auth: AuthContext) -> uuid.UUID:
    if auth.session_id is None:
        raise Forbidden("Sync endpoints cannot be used with API keys")
    return auth.session_id


def parse_acks(values: Sequence[str]) -> list[Ack]:
    if len(values) > MAX_ACKS:
        raise BadRequest(["acks must contain no more than 1000 elements"])
    try:
        return [parse(value) for value in values]
    except InvalidAck as exc:
        raise BadRequest(str(exc)) from exc


class SyncV2Service:
    def __init__(self, db: Database, *, batch: int = BATCH) -> None:
        self.db = db
        self.batch = batch

    async def get_acks(self, auth: AuthContext) -> list[dict[str, str]]:
        session_id = session_of(auth)
        rows = await self.db.read(lambda c: checkpoints.list_for_session(c, session_id))
        return [{"type": r.type, "ack": r.ack} for r in rows]

    async def set_acks(self, auth: AuthContext, values: Sequence[str]) -> None:
        """Store the last ack per type; a `SyncResetV1` ack resets progress and ends the request."""
        session_id = session_of(auth)
        latest: dict[str, str] = {}
        for value, parsed in zip(values, parse_acks(values), strict=True):
            if parsed.type == "SyncResetV1":
                await self.db.write(lambda c: sessions.reset_sync_progress(c, session_id))
                return
            latest[parsed.type] = value
        await self.db.write(lambda c: checkpoints.upsert(c, session_id, latest))

    async def delete_acks(self, auth: AuthContext, types: Sequence[str] | None) -> None:
        session_id = session_of(auth)
        await self.db.write(lambda c: checkpoints.delete(c, session_id, types))

    async def open_stream(self, auth: AuthContext, types: Sequence[str], reset: bool) -> AsyncIterator[bytes]:
        """Check access and apply a reset before the response starts; returns the line stream.

        The run itself (its bound, checkpoints and every page) is read from one snapshot taken
        once the response is being sent, so it holds every row committed before the request;
        the snapshot is opened inside the stream so that it is always released with it, on
        completion, error or client disconnect.
        """
        session_id = session_of(auth)
        if reset:
            await self.db.write(lambda c: sessions.reset_sync_progress(c, session_id))
        await self.db.await_snapshot_slot()
        return self._stream(auth.user_id, session_id, ordered(list(types)))

    async def _stream(self, me: uuid.UUID, session_id: uuid.UUID, wanted: list[str]) -> AsyncIterator[bytes]:
        async with await self.db.snapshot() as snapshot:
            run = await snapshot.read(lambda c: self._start(c, snapshot, me, session_id, wanted))
            if run is None:
                yield line("SyncResetV1", EMPTY, RESET_ACK)
                return
            async for chunk in self._lines(run, wanted):
                yield chunk

    def _start(
        self, conn: Connection, snapshot: Snapshot, me: uuid.UUID, session_id: uuid.UUID, wanted: list[str]
    ) -> Run | None:
        session = sessions.get(conn, session_id)
        if session is None or session.is_pending_sync_reset:
            return None
        stored = {r.type: parse(r.ack) for r in checkpoints.list_for_session(conn, session_id)}
        now = clock.utcnow()
        complete = stored.get("SyncCompleteV1")
        if complete is not None and self._complete_time(conn, session_id) < now - STALE_AFTER:
            return None
        upper = clock.current(conn)
        requested = frozenset(wanted)
        return Run(snapshot, me, session_id, upper, now, stored, batch=self.batch, requested=requested)

    @staticmethod
    def _complete_time(conn: Connection, session_id: uuid.UUID) -> Any:
        row = next(r for r in checkpoints.list_for_session(conn, session_id) if r.type == "SyncCompleteV1")
        return clock.uuid_time(row.ack.split("|")[1])

    async def _lines(self, run: Run, types: list[str]) -> AsyncIterator[bytes]:
        """Lines grouped into chunks of about `CHUNK` bytes: few socket writes, bounded memory."""
        buffer = bytearray()
        for step in (step for request_type in types for step in HANDLERS.get(request_type, ())):
            async for payload in step(run):
                if not buffer and len(payload) >= CHUNK:
                    yield payload  # a whole batch of lines: sent as it is, never copied
                    continue
                buffer += payload
                if len(buffer) >= CHUNK:
                    yield bytes(buffer)
                    buffer.clear()
        buffer += line("SyncCompleteV1", EMPTY, ack("SyncCompleteV1", run.upper, run.now))
        yield bytes(buffer)

    async def prune_audit(self) -> int:
        """Daily job: drop v2-only tombstones past 31 days; a client idle for 30 days is reset anyway.

        Asset and partner tombstones are left to the v1 job, whose window is longer.
        """
        before = clock.utcnow() - AUDIT_RETENTION
        return await self.db.write(lambda c: repo.prune_audit(c, before))
