"""A job whose handler says retrying is pointless fails at once, keeping its reason."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa

from filmroll.db.engine import Database
from filmroll.db.schema import jobs
from filmroll.jobs import JobRunner, PermanentJobError
from filmroll.repositories import jobs as jobs_repo


async def test_permanent_failure_is_not_retried(database_url: str) -> None:
    db = Database(database_url)
    calls: list[int] = []

    async def undecodable(payload: dict[str, Any]) -> None:
        calls.append(1)
        raise PermanentJobError("image of 12000x12000 pixels is above the decoding limit")

    runner = JobRunner(db, {"thumbs": undecodable}, max_attempts=3, backoff_base=0.05)
    await db.write(lambda c: jobs_repo.enqueue(c, "thumbs", {}))
    await runner.start()
    try:
        for _ in range(400):
            if (await db.read(jobs_repo.counts)).get("thumbs") == {"failed": 1}:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # room for a retry that must not happen
    finally:
        await runner.stop()
        row = await db.read(lambda c: c.execute(sa.select(jobs)).one())
        db.dispose()
    assert calls == [1]
    assert row.status == "failed" and row.attempts == 1
    assert row.last_error == "PermanentJobError: image of 12000x12000 pixels is above the decoding limit"
