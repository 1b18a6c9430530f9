"""A fresh database and a real `filmroll serve` process on a free port, for one library."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy as sa

from filmroll.db.engine import admin_engine
from filmroll.db.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "FILMROLL_BENCH_POSTGRES_URL", "postgresql://filmroll:filmroll@127.0.0.1:5432/filmroll_test"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database(backend: str, work_dir: Path) -> Iterator[str]:
    """A new, migrated, empty database, dropped again afterwards."""
    if backend == "sqlite":
        yield_url = f"sqlite:///{work_dir / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        upgrade(yield_url)
        yield yield_url
        return
    name = f"filmroll_bench_{uuid.uuid4().hex[:12]}"
    admin = admin_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
        upgrade(url)
        try:
            yield url
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@dataclass
class Server:
    url: str
    pid: int
    data_dir: Path

    def client(self, token: str | None = None, timeout: float = 600) -> httpx.Client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def login(self, email: str, password: str) -> str:
        """A login session token (v2 streams refuse API keys)."""
        with self.client() as c:
            resp = c.post("/api/auth/login", json={"email": email, "password": password})
            resp.raise_for_status()
            return str(resp.json()["accessToken"])


def _executable() -> list[str]:
    script = Path(sys.executable).with_name("filmroll")
    return [str(script)] if script.exists() else [sys.executable, "-m", "filmroll.cli"]


@contextmanager
def serve(database_url: str, work_dir: Path) -> Iterator[Server]:
    """Run `filmroll serve` as a child process until the block ends."""
    data_dir = Path(tempfile.mkdtemp(prefix="data-", dir=work_dir))
    port = _free_port()
    args = [*_executable(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--database-url", database_url, "--data-dir", str(data_dir), "--log-level", "warning"]
    log = (work_dir / f"server-{port}.log").open("wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}: {_tail(work_dir, port)}")
            try:
                if httpx.get(f"{url}/api/server/ping", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.1)
        yield Server(url=url, pid=proc.pid, data_dir=data_dir)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def _tail(work_dir: Path, port: int) -> str:
    return (work_dir / f"server-{port}.log").read_text(errors="replace")[-2000:]
