"""`filmroll worker` processes share the job queue: a worker killed with SIGKILL loses no job,
a lease taken over stops the stalled holder, and daily maintenance runs once per cluster."""

from __future__ import annotations

import asyncio
import io
import socket
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from PIL import Image

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.db.schema import cluster_tasks, jobs
from filmroll.jobs import JobRunner
from filmroll.jobs.assets import METADATA, THUMBNAILS
from filmroll.jobs.daily import DailyMaintenance
from filmroll.repositories import jobs as jobs_repo
from filmroll.storage import LocalStorage
from filmroll.sync.v1.service import SyncV1Service
from filmroll.sync.v2.service import SyncV2Service
from tests.assets.helpers import upload
from tests.cluster.processes import kill, worker
from tests.support import live_server

LEASE_SECONDS = 3


def _photo(seed: int) -> bytes:
    """A PNG large enough that making its thumbnails takes a noticeable while."""
    image = Image.linear_gradient("L").resize((3000, 2000)).convert("RGB")
    image.putpixel((seed % 3000, 0), (seed % 256, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def _rows(db: Database) -> list[Any]:
    query = sa.select(jobs.c.id, jobs.c.name, jobs.c.status, jobs.c.locked_by)
    return db.read_sync(lambda c: list(c.execute(query)))


def _until(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(what)
        time.sleep(0.02)


def test_worker_killed_mid_job_loses_no_job(database_url: str, tmp_path: Path) -> None:
    """API with jobs off, two workers; one is killed holding a job, the other finishes it
    once the lease expires, and every upload ends with its thumbnails."""
    data = tmp_path / "data"
    env = {"FILMROLL_JOB_LEASE_SECONDS": str(LEASE_SECONDS), "FILMROLL_JOB_CONCURRENCY": "1"}
    db = Database(database_url, pool_size=2)
    try:
        with live_server(database_url, data, jobs_enabled=False) as server:
            _, _, token = server.new_user("workers")
            with worker(database_url, data, **env) as doomed, worker(database_url, data, **env):
                prefix = f"{socket.gethostname()}:{doomed.pid}:"
                ids = []
                with server.client(token) as client:
                    for n in range(6):
                        resp = upload(client, Path(f"photo-{n}.png"), content=_photo(n))
                        assert resp.status_code == 201, resp.text
                        ids.append(resp.json()["id"])

                def held(names: tuple[str, ...] = (THUMBNAILS, METADATA)) -> list[Any]:
                    rows = _rows(db)
                    return [
                        r
                        for r in rows
                        if r.status == "running" and str(r.locked_by).startswith(prefix) and r.name in names
                    ]

                # Thumbnails of these PNGs take far longer than the moment between look and kill.
                _until(lambda: held((THUMBNAILS,)), 60, "the first worker never made thumbnails")
                kill(doomed)
                orphans = held()
                assert orphans, "the killed worker held no job (it finished just before the kill)"
                killed_at = time.monotonic()
                _until(lambda: not _rows(db), 120, f"jobs left: {_rows(db)}")
                # The surviving worker could only take the orphan over once its lease expired.
                assert time.monotonic() - killed_at >= LEASE_SECONDS - 1.5
            with server.client(token) as client:
                for asset_id in ids:
                    resp = client.get(f"/api/assets/{asset_id}/thumbnail", params={"size": "preview"})
                    assert resp.status_code == 200, (asset_id, resp.status_code)
                    assert client.get(f"/api/assets/{asset_id}").json()["thumbhash"]
    finally:
        db.dispose()


async def test_lost_lease_stops_the_stalled_holder(database_url: str) -> None:
    """A runner whose lease was taken over (it stalled past expiry) cancels its run and
    writes no outcome: the job belongs to its new holder, so it never runs twice at once."""
    db = Database(database_url)
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def slow(_payload: dict[str, Any]) -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    runner = JobRunner(db, {"slow": slow}, lease=timedelta(seconds=0.3))
    await db.write(lambda c: jobs_repo.enqueue(c, "slow", {}))
    await runner.start()
    try:
        await asyncio.wait_for(started.wait(), 20)
        taken = await db.write(lambda c: jobs_repo.claim(c, "other:1:x", ["slow"], timedelta(0)))
        assert taken is not None
        await asyncio.wait_for(cancelled.wait(), 10)
        await asyncio.sleep(0.3)
        rows = await db.read(lambda c: list(c.execute(sa.select(jobs.c.status, jobs.c.locked_by))))
        assert [(r.status, r.locked_by) for r in rows] == [("running", "other:1:x")]
    finally:
        await runner.stop()
        db.dispose()


async def test_daily_maintenance_runs_once_per_cluster(database_url: str, tmp_path: Path) -> None:
    """Processes asking at once: one runs, the rest skip; none runs again within a day."""
    dbs = [Database(database_url) for _ in range(3)]
    try:
        daily = [
            DailyMaintenance(db, SyncV1Service(db), SyncV2Service(db), LocalStorage(tmp_path)) for db in dbs
        ]
        for n, each in enumerate(daily):
            each.runner_id = f"process-{n}"
        first = await asyncio.gather(*(d.run_if_due() for d in daily))
        assert sum(r is not None for r in first) == 1, first
        assert await asyncio.gather(*(d.run_if_due() for d in daily)) == [None, None, None]

        a_day_ago = utcnow() - timedelta(days=1, seconds=1)
        await dbs[0].write(lambda c: c.execute(sa.update(cluster_tasks).values(last_run_at=a_day_ago)))
        again = await asyncio.gather(*(d.run_if_due() for d in daily))
        assert sum(r is not None for r in again) == 1, again
        rows = await dbs[0].read(lambda c: list(c.execute(sa.select(cluster_tasks))))
        assert len(rows) == 1 and rows[0].last_run_at > a_day_ago
    finally:
        for db in dbs:
            db.dispose()


def test_worker_stops_cleanly_on_sigterm(database_url: str, tmp_path: Path) -> None:
    """SIGTERM ends a worker with status 0, as service managers expect."""
    with worker(database_url, tmp_path / "data") as proc:
        time.sleep(3)
        assert proc.poll() is None
        proc.terminate()
        assert proc.wait(timeout=30) == 0
