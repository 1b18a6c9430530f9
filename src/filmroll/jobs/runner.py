"""The in-process job runner over the `jobs` table.

Workers claim one job at a time; a job that raises is retried with exponential backoff
and, after `max_attempts`, kept as `failed` with its last error so nothing is lost
silently. A job that raises `PermanentJobError` is failed at once, since retrying cannot
change the outcome (a file that cannot be decoded stays so). A running job's row is its
lease: if a process dies (even by SIGKILL), the job is claimable again once the lease
expires; sooner, a runner starting on the same host re-queues the jobs of worker processes
that no longer exist. A runner that is stopped puts its unfinished jobs back in the queue.

Any number of processes on any number of hosts may run a `JobRunner` on one database (API
processes and `filmroll worker`s): a claim is atomic, so one job has one holder. The holder
renews its lease every third of it; a runner that finds its lease taken over (it was
stalled past expiry and another process claimed the job) cancels its own run, and finishing,
retrying or failing a job only applies while the lease is still its own, so a job never
runs twice at once past one renewal interval and never has its outcome written twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.repositories import jobs as jobs_repo

log = logging.getLogger("filmroll.jobs")

Handler = Callable[[dict[str, Any]], Awaitable[None]]

LEASE = timedelta(minutes=10)
POLL_SECONDS = 1.0
BACKOFF_BASE_SECONDS = 2.0


class PermanentJobError(Exception):
    """Raised by a handler when retrying is pointless; the job is failed with this message."""


class JobRunner:
    """Runs `handlers[name](payload)` for queued jobs with `concurrency` workers."""

    def __init__(
        self,
        db: Database,
        handlers: Mapping[str, Handler],
        *,
        concurrency: int = 2,
        max_attempts: int = 3,
        backoff_base: float = BACKOFF_BASE_SECONDS,
        lease: timedelta = LEASE,
    ) -> None:
        self.db = db
        self.handlers = dict(handlers)
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.lease = lease
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        workers = await self.db.read(jobs_repo.running_workers)
        dead = [w for w in workers if _is_dead_local_worker(w)]
        if dead:
            requeued = await self.db.write(lambda c: jobs_repo.requeue_running(c, dead))
            log.info("re-queued %d jobs left running by stopped processes", requeued)
        self._tasks = [
            asyncio.create_task(self._work(), name=f"job-worker-{i}") for i in range(self.concurrency)
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def notify(self) -> None:
        """Wake idle workers after this process enqueued work."""
        self._wake.set()

    async def _work(self) -> None:
        names = list(self.handlers)
        while True:
            try:
                job = await self.db.write(lambda c: jobs_repo.claim(c, self.worker_id, names, self.lease))
            except Exception:
                log.exception("claiming a job failed")
                job = None
            if job is None:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
                continue
            await self._run(job.id, job.name, dict(job.payload), int(job.attempts))

    async def _run(self, job_id: int, name: str, payload: dict[str, Any], attempts: int) -> None:
        me = self.worker_id
        handler = self.handlers[name]

        async def call() -> None:
            await handler(payload)

        work = asyncio.create_task(call())
        beat = asyncio.create_task(self._heartbeat(job_id, work))
        try:
            await work
        except asyncio.CancelledError:
            if beat.done():  # the lease was lost: the new holder owns the job's outcome
                log.warning("job %s %s: lease taken over by another runner, stopped", name, job_id)
                return
            work.cancel()
            await asyncio.shield(
                self.db.write(lambda c: jobs_repo.retry(c, job_id, "interrupted", utcnow(), me))
            )
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if attempts >= self.max_attempts or isinstance(exc, PermanentJobError):
                log.error("job %s %s failed for good: %s", name, job_id, error)
                await self.db.write(lambda c: jobs_repo.fail(c, job_id, error, me))
            else:
                delay = timedelta(seconds=self.backoff_base * 2 ** (attempts - 1))
                log.warning("job %s %s failed (attempt %d), retrying: %s", name, job_id, attempts, error)
                await self.db.write(lambda c: jobs_repo.retry(c, job_id, error, utcnow() + delay, me))
            return
        finally:
            beat.cancel()
        await self.db.write(lambda c: jobs_repo.finish(c, job_id, me))

    async def _heartbeat(self, job_id: int, work: asyncio.Task[None]) -> None:
        """Keep renewing the lease so a long job is not taken over by another process; if
        it was taken over all the same, stop the work."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                held = await self.db.write(lambda c: jobs_repo.heartbeat(c, job_id, self.worker_id))
            except Exception:
                log.exception("renewing the lease of job %s failed", job_id)
                continue
            if not held:
                work.cancel()
                return


def _is_dead_local_worker(worker: str) -> bool:
    """Whether `worker` (`host:pid:token`) ran on this host in a process that has exited."""
    host, _sep, rest = worker.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
