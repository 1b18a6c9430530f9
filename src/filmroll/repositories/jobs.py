"""SQL for the durable job queue in the `jobs` table.

A job is `queued` until a worker claims it (`running`, `locked_by` = the worker); a
finished job is deleted, a job out of retries stays as `failed` with its last error.
Claims are atomic: on PostgreSQL `FOR UPDATE SKIP LOCKED` lets several server processes
share the queue; on SQLite the single writer (one across processes) serialises them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.clock import utcnow
from filmroll.db.schema import jobs


def enqueue(
    conn: Connection, name: str, payload: dict[str, Any], *, run_after: datetime | None = None
) -> int:
    now = utcnow()
    result = conn.execute(
        sa.insert(jobs)
        .values(
            name=name,
            payload=payload,
            status="queued",
            attempts=0,
            run_after=run_after or now,
            created_at=now,
            updated_at=now,
        )
        .returning(jobs.c.id)
    )
    return int(result.scalar_one())


def enqueue_many(conn: Connection, name: str, payloads: Sequence[dict[str, Any]]) -> None:
    """One job per payload, in one batched statement (a request may ask for thousands)."""
    if not payloads:
        return
    now = utcnow()
    common = {"name": name, "status": "queued", "attempts": 0, "run_after": now, "created_at": now}
    conn.execute(sa.insert(jobs), [{**common, "updated_at": now, "payload": p} for p in payloads])


def claim(conn: Connection, worker: str, names: Sequence[str], lease: timedelta) -> Row[Any] | None:
    """Take the oldest due job (or one whose runner's lease expired) and mark it running."""
    now = utcnow()
    due = sa.or_(
        sa.and_(jobs.c.status == "queued", jobs.c.run_after <= now),
        sa.and_(jobs.c.status == "running", jobs.c.updated_at < now - lease),
    )
    query = sa.select(jobs.c.id).where(due, jobs.c.name.in_(list(names))).order_by(jobs.c.id).limit(1)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job_id = conn.execute(query).scalar()
    if job_id is None:
        return None
    conn.execute(
        sa.update(jobs)
        .where(jobs.c.id == job_id)
        .values(status="running", locked_by=worker, attempts=jobs.c.attempts + 1, updated_at=now)
    )
    return conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).one()


def _held(job_id: int, worker: str | None) -> sa.ColumnElement[bool]:
    """The job, if `worker` (when given) still holds its lease: a runner whose lease was
    taken over must not finish, retry or fail the new holder's run."""
    if worker is None:
        return jobs.c.id == job_id
    return sa.and_(jobs.c.id == job_id, jobs.c.locked_by == worker, jobs.c.status == "running")


def heartbeat(conn: Connection, job_id: int, worker: str) -> bool:
    """Renew the lease of a job this worker is still running; False if it lost the lease."""
    result = conn.execute(sa.update(jobs).where(_held(job_id, worker)).values(updated_at=utcnow()))
    return bool(result.rowcount)


def finish(conn: Connection, job_id: int, worker: str | None = None) -> None:
    conn.execute(sa.delete(jobs).where(_held(job_id, worker)))


def retry(conn: Connection, job_id: int, error: str, run_after: datetime, worker: str | None = None) -> None:
    conn.execute(
        sa.update(jobs)
        .where(_held(job_id, worker))
        .values(status="queued", locked_by=None, last_error=error, run_after=run_after, updated_at=utcnow())
    )


def fail(conn: Connection, job_id: int, error: str, worker: str | None = None) -> None:
    conn.execute(
        sa.update(jobs)
        .where(_held(job_id, worker))
        .values(status="failed", locked_by=None, last_error=error, updated_at=utcnow())
    )


def running_workers(conn: Connection) -> list[str]:
    """The distinct `locked_by` values of running jobs."""
    query = sa.select(jobs.c.locked_by).where(jobs.c.status == "running").distinct()
    return [str(row.locked_by) for row in conn.execute(query) if row.locked_by]


def requeue_running(conn: Connection, workers: Sequence[str] | None = None) -> int:
    """Put `running` jobs back in the queue: those of `workers`, or all of them."""
    query = sa.update(jobs).where(jobs.c.status == "running")
    if workers is not None:
        query = query.where(jobs.c.locked_by.in_(list(workers)))
    result = conn.execute(query.values(status="queued", locked_by=None, updated_at=utcnow()))
    return int(result.rowcount or 0)


def counts(conn: Connection) -> dict[str, dict[str, int]]:
    """{job name: {status: count}}, with `delayed` for queued jobs not yet due."""
    now = utcnow()
    state = sa.case(
        (sa.and_(jobs.c.status == "queued", jobs.c.run_after > now), "delayed"), else_=jobs.c.status
    )
    query = sa.select(jobs.c.name, state.label("state"), sa.func.count()).group_by(jobs.c.name, state)
    found: dict[str, dict[str, int]] = {}
    for name, status, count in conn.execute(query):
        found.setdefault(str(name), {})[str(status)] = int(count)
    return found
