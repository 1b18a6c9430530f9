"""The whole cluster: two API processes and two workers on PostgreSQL, S3 and Redis.

Everything is started here: `redis-server`, moto's S3 server, two `filmroll serve` processes
on their own ports (as on two hosts, jobs off, each with its own empty data directory) and two
`filmroll worker`s. The v1 and v2 convergence tests run with their clients spread over both
API processes while their writers commit concurrently; then `@immich/cli` uploads through
both API processes at once while one worker is killed holding a job. Every replica must equal
a fresh sync, every job must finish (none lost, none failed) and every original and thumbnail,
wherever it was written, must be served by both API processes.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image

from filmroll.db.engine import Database
from filmroll.db.schema import assets, jobs
from filmroll.jobs.assets import THUMBNAILS
from tests.assets.helpers import MANIFEST, PHOTOS
from tests.cluster.processes import (
    ProcessServer,
    Spread,
    kill,
    redis_server,
    s3_environment,
    s3_server,
    serve,
    worker,
)
from tests.support import fresh_database
from tests.sync.v1 import test_convergence as v1_convergence
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2 import test_convergence as v2_convergence

_LOCAL_CLI = Path(__file__).resolve().parents[2] / ".tools" / "node_modules" / ".bin" / "immich"
LEASE_SECONDS = 3
GENERATED = 6


def _cli() -> Path:
    configured = os.environ.get("FILMROLL_IMMICH_CLI")
    if configured:
        assert Path(configured).is_file(), f"FILMROLL_IMMICH_CLI={configured} does not exist"
        return Path(configured)
    if not _LOCAL_CLI.is_file():
        pytest.skip("@immich/cli not installed (run scripts/install-tools.sh)")
    return _LOCAL_CLI


@dataclass
class Cluster:
    database_url: str
    apis: list[ProcessServer]
    workers: list[subprocess.Popen[bytes]]
    data_dirs: list[Path]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    database_url = fresh_database("postgres", tmp_path)
    dirs = [tmp_path / name for name in ("api-1", "api-2", "worker-1", "worker-2")]
    with redis_server(tmp_path) as redis_url, s3_server(tmp_path) as s3_url:
        shared = {"FILMROLL_REDIS_URL": redis_url, **s3_environment(s3_url)}
        api_env = {**shared, "FILMROLL_JOBS_ENABLED": "false"}
        work_env = {
            **shared,
            "FILMROLL_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            "FILMROLL_JOB_CONCURRENCY": "1",
        }
        with (
            serve(database_url, dirs[0], workers=1, **api_env) as one,
            serve(database_url, dirs[1], workers=1, **api_env) as two,
            worker(database_url, dirs[2], **work_env) as w1,
            worker(database_url, dirs[3], **work_env) as w2,
        ):
            yield Cluster(database_url, [one, two], [w1, w2], dirs)


def _photos(folder: Path) -> Path:
    """PNGs big enough that their thumbnails take a while, so a worker is caught mid-job."""
    folder.mkdir()
    base = Image.linear_gradient("L").resize((3000, 2000)).convert("RGB")
    for n in range(GENERATED):
        image = base.copy()
        image.putpixel((n, 0), (255, n, 0))
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=1)
        (folder / f"generated-{n}.png").write_bytes(out.getvalue())
    return folder


def _immich(cli: Path, config: Path, *args: str) -> None:
    env = {**os.environ, "PATH": f"{cli.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(
        [str(cli), "--config-directory", str(config), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _job_rows(db: Database) -> list[Any]:
    query = sa.select(jobs.c.id, jobs.c.name, jobs.c.status, jobs.c.locked_by, jobs.c.payload)
    return db.read_sync(lambda c: list(c.execute(query)))


def _slow(db: Database, prefix: str) -> bool:
    """Whether the worker `prefix` is making thumbnails of a generated PNG: a job long enough
    that it is still running when the kill lands."""
    query = sa.select(assets.c.id).where(assets.c.original_file_name.like("generated-%"))
    generated = {str(i) for i in db.read_sync(lambda c: list(c.execute(query).scalars()))}
    return any(
        r.status == "running"
        and r.name == THUMBNAILS
        and str(r.locked_by).startswith(prefix)
        and r.payload.get("assetId") in generated
        for r in _job_rows(db)
    )


def _local_files(dirs: list[Path]) -> list[Path]:
    return [p for d in dirs for root in ("library", "thumbs") for p in (d / root).rglob("*") if p.is_file()]


def test_cluster_converges_and_loses_no_job(cluster: Cluster, tmp_path: Path) -> None:
    cli = _cli()
    spread = Spread(cluster.apis)
    db = Database(cluster.database_url, pool_size=4)
    try:
        # Sync under concurrent writers, each user's client on the next API process.
        v1_convergence.test_delta_sync_replicas_converge(spread, db)
        v2_convergence.test_replicas_converge_under_concurrent_writes(spread, db, AssetBuilder(db, seed=99))

        one, two = cluster.apis
        _uid, _email, token = one.new_user("cluster-cli")
        with one.client(token) as http:
            resp = http.post("/api/api-keys", json={"name": "cli", "permissions": ["all"]})
            assert resp.status_code == 201, resp.text
            secret = resp.json()["secret"]
        generated = _photos(tmp_path / "generated")
        uploads = [(one, PHOTOS, tmp_path / "cli-1"), (two, generated, tmp_path / "cli-2")]
        errors: list[BaseException] = []

        def upload(server: ProcessServer, folder: Path, config: Path) -> None:
            try:
                _immich(cli, config, "login", f"{server.url}/api", secret)
                _immich(cli, config, "upload", str(folder), "--recursive")
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=upload, args=args) for args in uploads]
        for thread in threads:
            thread.start()

        doomed = cluster.workers[0]
        prefix = f"{socket.gethostname()}:{doomed.pid}:"
        deadline = time.monotonic() + 120
        while not _slow(db, prefix):
            assert time.monotonic() < deadline, "the first worker never made a generated photo's thumbnails"
            time.sleep(0.02)
        kill(doomed)
        orphans = [r.id for r in _job_rows(db) if str(r.locked_by).startswith(prefix)]
        assert orphans, "the killed worker held no job (it finished just before the kill)"
        for thread in threads:
            thread.join()
        assert not errors, errors

        deadline = time.monotonic() + 120
        while rows := _job_rows(db):
            assert time.monotonic() < deadline, f"jobs left: {rows}"
            time.sleep(0.1)

        with one.client(token) as first, two.client(token) as second:
            assets = first.post("/api/search/metadata", json={"size": 1000}).json()["assets"]["items"]
            assert len(assets) == len(MANIFEST) + GENERATED
            for asset in assets:
                for http in (first, second):
                    thumb = http.get(f"/api/assets/{asset['id']}/thumbnail", params={"size": "thumbnail"})
                    assert thumb.status_code == 200, (asset["originalFileName"], thumb.status_code)
                    info = http.get(f"/api/assets/{asset['id']}").json()
                    assert info["thumbhash"], asset["originalFileName"]
                original = second.get(f"/api/assets/{asset['id']}/original")
                assert original.status_code == 200 and original.content
        assert _local_files(cluster.data_dirs) == []  # everything lives in the bucket
    finally:
        db.dispose()
