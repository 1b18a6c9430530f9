"""Snapshots: one read transaction per sync run, on connections of their own, always released."""

from __future__ import annotations

import asyncio

import anyio
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db import engine as engine_module
from filmroll.db.engine import Database
from filmroll.db.schema import sync_clock
from filmroll.errors import ServiceUnavailable


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
