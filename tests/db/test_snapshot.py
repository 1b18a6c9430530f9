"""Snapshots: one read transaction per sync run, on connections of their own, always released."""

from __future__ import annotations

import asyncio

import anyio
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db import engine as engine_module
from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.db.schema import sync_clock
from filmroll.errors import ServiceUnavailable
from filmroll.repositories import sessions, users
from filmroll.services.auth import AuthContext
from filmroll.sync.v1.params import FullSyncParams
from filmroll.sync.v1.service import SyncV1Service
from filmroll.sync.v2.service import SyncV2Service


def _seq(conn: Connection) -> int:
    return int(conn.execute(sa.select(sync_clock.c.seq)).scalar_one())


def test_snapshot_keeps_its_view_while_writers_commit(database_url: str) -> None:
    db = Database(database_url, pool_size=2)

    async def scenario() -> tuple[int, list[int], int]:
        before = await db.read(_seq)
        async with await db.snapshot() as snapshot:
            await db.write(lambda c: clock.reserve(c, 5))
            # Concurrent reads, as merged sources prefetch pages, share the one connection.
            seen = await asyncio.gather(*(snapshot.read(_seq) for _ in range(8)))
        return before, seen, await db.read(_seq)

    try:
        before, seen, after = asyncio.run(scenario())
    finally:
        db.dispose()
    assert seen == [before] * 8 and after == before + 5


def test_snapshots_are_limited_and_released(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Streams beyond the limit wait for a slot (then get 503), never a request's connection."""
    db = Database(database_url, pool_size=1, snapshot_slots=1)
    monkeypatch.setattr(engine_module, "SNAPSHOT_WAIT", 0.3)

    async def scenario() -> None:
        first = await db.snapshot()
        with pytest.raises(ServiceUnavailable):
            await db.snapshot()
        assert await db.read(_seq) == 0  # requests still have their own connection
        await first.close()
        await first.close()
        with pytest.raises(RuntimeError):
            await first.read(_seq)
        async with await db.snapshot() as second:
            assert await second.read(_seq) == 0
        with anyio.fail_after(5):
            await (await db.snapshot()).close()

    try:
        asyncio.run(scenario())
    finally:
        db.dispose()


def test_sync_requests_over_the_limit_fail_before_their_response_starts(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """v1 full sync and the v2 stream raise 503 while they are awaited, before a route could
    send its 200 headers, instead of starting a body they cannot finish."""
    db = Database(database_url, pool_size=1, snapshot_slots=1)
    monkeypatch.setattr(engine_module, "SNAPSHOT_WAIT", 0.3)
    owner = db.write_sync(lambda c: users.insert(c, {"email": "s@x.com", "name": "s"})).id
    now = utcnow()
    session = db.write_sync(
        lambda c: sessions.insert(
            c, {"user_id": owner, "token_hash": b"\0" * 32, "created_at": now, "updated_at": now}
        )
    )

    async def scenario() -> None:
        user = db.read_sync(lambda c: users.get(c, owner))
        assert user is not None
        auth = AuthContext(user=user, session_id=session.id)
        held = await db.snapshot()
        with pytest.raises(ServiceUnavailable):
            await SyncV2Service(db).open_stream(auth, ["AssetsV1"], False)
        with pytest.raises(ServiceUnavailable):
            await SyncV1Service(db).full_sync(owner, FullSyncParams(10, utcnow()), early=False)
        await held.close()
        lines = [c async for c in await SyncV2Service(db).open_stream(auth, ["AssetsV1"], False)]
        assert b"SyncCompleteV1" in b"".join(lines)

    try:
        asyncio.run(scenario())
    finally:
        db.dispose()
