"""Real processes for cluster tests: `filmroll serve --workers N`, `filmroll worker`,
`redis-server` and a moto S3 server, each started on a free port and stopped afterwards."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import httpx
import uvicorn

from filmroll.config import Settings
from tests.support import LiveServer, free_port, stop_process

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class ProcessServer(LiveServer):
    """`filmroll serve` in child processes, with `LiveServer`'s helpers (users, clients)."""

    def __init__(self, settings: Settings, url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
        super().__init__(
            settings=settings,
            url=url,
            _server=cast(uvicorn.Server, None),
            _thread=cast(threading.Thread, None),
        )
        self.proc = proc
        self.log = log

    def stop(self) -> None:
        stop_process(self.proc, timeout=30)


def _wait(check: Any, proc: subprocess.Popen[bytes], log: Path, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_process(proc)
            raise AssertionError(f"{what} did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/server/ping", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def environment(database_url: str, data_dir: Path, **env: str) -> dict[str, str]:
    """The child's environment: `FILMROLL_*` settings on top of ours."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "FILMROLL_DATA_DIR": str(data_dir),
        "FILMROLL_DATABASE_URL": database_url,
        "FILMROLL_LOG_LEVEL": "warning",
        **env,
    }


@contextmanager
def serve(database_url: str, data_dir: Path, *, workers: int = 2, **env: str) -> Iterator[ProcessServer]:
    """`python -m filmroll serve --workers N` until the block exits."""
    port = free_port()
    environ = environment(database_url, data_dir, FILMROLL_PORT=str(port), **env)
    log = data_dir.parent / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "filmroll", "serve", "--workers", str(workers)],
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    _wait(lambda: _answers(url), proc, log, "filmroll serve")
    settings = Settings(database_url=database_url, data_dir=data_dir, port=port)
    server = ProcessServer(settings, url, proc, log)
    try:
        yield server
    finally:
        server.stop()


def api_pids(server: ProcessServer) -> list[int]:
    """The API processes uvicorn's supervisor runs (its spawned children, not the resource
    tracker that multiprocessing also starts)."""
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


@contextmanager
def worker(database_url: str, data_dir: Path, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m filmroll worker` until the block exits (or the test kills it)."""
    environ = environment(database_url, data_dir, **{"FILMROLL_LOG_LEVEL": "info", **env})
    log = data_dir.parent / f"worker-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "filmroll", "worker"], env=environ, stdout=out, stderr=subprocess.STDOUT
        )
    _wait(lambda: b"running jobs" in log.read_bytes(), proc, log, "filmroll worker")
    try:
        yield proc
    finally:
        stop_process(proc, timeout=30)


def kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL: no chance to clean up, like a crash or the OOM killer."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


@contextmanager
def redis_server(tmp: Path) -> Iterator[str]:
    """A throw-away `redis-server` (no persistence); yields its URL."""
    port = free_port()
    log = tmp / f"redis-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=tmp,
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def ready() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    _wait(ready, proc, log, "redis-server")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_process(proc, timeout=10)


S3_BUCKET, S3_KEYS = "filmroll-cluster", ("testing", "testing")


@contextmanager
def s3_server(tmp: Path) -> Iterator[str]:
    """moto's S3-compatible server (the one the storage tests use) with the bucket made."""
    import boto3

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / f"moto-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def ready() -> bool:
        try:
            return httpx.get(url + "/", timeout=2).status_code < 500
        except httpx.HTTPError:
            return False

    _wait(ready, proc, log, "moto S3 server")
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=S3_KEYS[0],
        aws_secret_access_key=S3_KEYS[1],
    )
    client.create_bucket(Bucket=S3_BUCKET)
    try:
        yield url
    finally:
        stop_process(proc, timeout=10)


def s3_environment(endpoint: str) -> dict[str, str]:
    return {
        "FILMROLL_STORAGE": "s3",
        "FILMROLL_S3_BUCKET": S3_BUCKET,
        "FILMROLL_S3_ENDPOINT_URL": endpoint,
        "FILMROLL_S3_REGION": "us-east-1",
        "FILMROLL_S3_ACCESS_KEY_ID": S3_KEYS[0],
        "FILMROLL_S3_SECRET_ACCESS_KEY": S3_KEYS[1],
    }


class Spread(ProcessServer):
    """Several API processes behind `LiveServer`'s face: each read of `url` names the next
    one, so the clients and users a test creates are spread over all of them."""

    def __init__(self, servers: list[ProcessServer]) -> None:
        self._urls = [s.url for s in servers]
        self._next = 0
        first = servers[0]
        super().__init__(first.settings, first.url, first.proc, first.log)
        self._servers = servers

    @property
    def url(self) -> str:
        url = self._urls[self._next % len(self._urls)]
        self._next += 1
        return url

    @url.setter
    def url(self, _value: str) -> None:
        """Set by the base class's constructor; the URLs are fixed."""

    def stop(self) -> None:
        """The processes belong to their own `serve` blocks."""
