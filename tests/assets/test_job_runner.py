"""The job runner over the `jobs` table: retries, final failure, restart recovery, shared claims."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from datetime import timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa

from filmroll.db.engine import Database
from filmroll.db.schema import jobs
from filmroll.jobs import JobRunner
from filmroll.repositories import jobs as jobs_repo


async def _until(predicate: Any, attempts: int = 400) -> None:
    """Poll `predicate` every 50 ms (up to 20 s): the runner's progress is only visible in the table."""
    for _ in range(attempts):
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")


async def test_retry_then_success_and_final_failure(database_url: str) -> None:
    db = Database(database_url)
    calls: dict[str, int] = {"flaky": 0, "broken": 0}

    async def flaky(payload: dict[str, Any]) -> None:
        calls["flaky"] += 1
        if calls["flaky"] < 2:
            raise RuntimeError("first try fails")

    async def broken(payload: dict[str, Any]) -> None:
        calls["broken"] += 1
        raise ValueError(f"bad payload {payload['n']}")

    runner = JobRunner(db, {"flaky": flaky, "broken": broken}, max_attempts=3, backoff_base=0.05)
    await db.write(lambda c: jobs_repo.enqueue(c, "flaky", {}))
    await db.write(lambda c: jobs_repo.enqueue(c, "broken", {"n": 7}))
    await runner.start()
    try:

        async def settled() -> bool:
            counts = await db.read(jobs_repo.counts)
            return "flaky" not in counts and counts.get("broken") == {"failed": 1}

        await _until(settled)
    finally:
        await runner.stop()
        row = await db.read(lambda c: c.execute(sa.select(jobs)).one())
        db.dispose()
    assert calls == {"flaky": 2, "broken": 3}
    assert row.status == "failed" and row.attempts == 3
    assert row.last_error == "ValueError: bad payload 7"


async def test_jobs_left_running_are_recovered(database_url: str) -> None:
    """A job claimed by a process that died is re-queued when a runner starts on that host."""
    db = Database(database_url)
    done: list[int] = []

    async def work(payload: dict[str, Any]) -> None:
        done.append(payload["n"])

    dead = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await dead.wait()
    dead_worker = f"{socket.gethostname()}:{dead.pid}:0000"
    live_worker = f"{socket.gethostname()}:{os.getpid()}:0000"
    for n, worker in ((1, dead_worker), (2, live_worker)):
        await db.write(partial(jobs_repo.enqueue, name="work", payload={"n": n}))
        claimed = await db.write(
            partial(jobs_repo.claim, worker=worker, names=["work"], lease=timedelta(minutes=10))
        )
        assert claimed is not None and claimed.payload == {"n": n}
    assert await db.write(lambda c: jobs_repo.claim(c, "other", ["work"], timedelta(minutes=10))) is None
    runner = JobRunner(db, {"work": work})
    await runner.start()
    try:

        async def recovered() -> bool:
            return done == [1]

        await _until(recovered)
        # The job of a live worker waits for its lease to expire.
        assert await db.read(jobs_repo.counts) == {"work": {"running": 1}}
        expired = await db.write(lambda c: jobs_repo.claim(c, "other", ["work"], timedelta(0)))
        assert expired is not None and expired.payload == {"n": 2}
    finally:
        await runner.stop()
        db.dispose()


async def test_two_runners_share_the_queue(database_url: str) -> None:
    """Like two server processes: separate engines, every job runs exactly once."""
    dbs = [Database(database_url), Database(database_url)]
    seen: list[tuple[int, int]] = []

    def handler(runner_no: int) -> Any:
        async def work(payload: dict[str, Any]) -> None:
            seen.append((runner_no, payload["n"]))
            await asyncio.sleep(0.01)

        return work

    for n in range(30):
        await dbs[0].write(partial(jobs_repo.enqueue, name="work", payload={"n": n}))
    runners = [JobRunner(db, {"work": handler(i)}, concurrency=2) for i, db in enumerate(dbs)]
    for runner in runners:
        await runner.start()
    try:

        async def drained() -> bool:
            return await dbs[0].read(jobs_repo.counts) == {}

        await _until(drained)
    finally:
        for runner in runners:
            await runner.stop()
        for db in dbs:
            db.dispose()
    assert sorted(n for _r, n in seen) == list(range(30))
