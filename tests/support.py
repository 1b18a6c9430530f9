"""Test support: fresh databases on SQLite and PostgreSQL, and a real server on a free port."""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn

from filmroll.app import create_app
from filmroll.config import Settings
from filmroll.db.migrate import upgrade

BACKENDS = ("sqlite", "postgres")
POSTGRES_URL = os.environ.get(
    "FILMROLL_TEST_POSTGRES_URL", "postgresql://filmroll:filmroll@127.0.0.1:5432/filmroll_test"
)
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _admin_engine() -> sa.Engine:
    return sa.create_engine(
        POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )


_PREFIX = "filmroll_t_"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop_databases(names: list[str]) -> None:
    admin = _admin_engine()
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _drop_orphans() -> None:
    """Drop the test databases of runs that ended without dropping theirs (killed, crashed):
    each name carries the pid of the run that made it, and a run still alive keeps its own."""
    admin = _admin_engine()
    with admin.connect() as conn:
        names = conn.execute(sa.text("SELECT datname FROM pg_database")).scalars()
        pids = {n: n.removeprefix(_PREFIX).split("_")[0] for n in names if n.startswith(_PREFIX)}
        orphans = [n for n, pid in pids.items() if not (pid.isdigit() and _alive(int(pid)))]
    admin.dispose()
    _drop_databases(orphans)


_CREATED: list[str] = []


def _drop_created() -> None:
    """At exit: a run leaves no databases behind (its servers have stopped by then)."""
    if _CREATED:
        _drop_databases(_CREATED)


def fresh_database(backend: str, tmp_dir: Path) -> str:
    """A new, migrated, empty database; PostgreSQL must be reachable (tests never skip it).
    PostgreSQL databases are dropped when the test run exits."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_dir / f'filmroll-{uuid.uuid4().hex[:8]}.db'}"
    else:
        if not _CREATED:
            _drop_orphans()
            atexit.register(_drop_created)
        name = f"{_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:12]}"
        admin = _admin_engine()
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        _CREATED.append(name)
        url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM so the child can shut down cleanly, SIGKILL if it has not exited within `timeout`."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class LiveServer:
    """A filmroll server running in a background thread, reached over real HTTP."""

    settings: Settings
    url: str
    _server: uvicorn.Server
    _thread: threading.Thread
    admin_token: str | None = None
    _counter: int = field(default=0)

    def client(self, token: str | None = None, **headers: str) -> httpx.Client:
        if token:
            headers["authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)

    def admin(self) -> str:
        """Sign up the admin once and return its session token."""
        if self.admin_token is None:
            with self.client() as c:
                c.post(
                    "/api/auth/admin-sign-up",
                    json={"email": "admin@example.com", "name": "Admin", "password": "admin-pw"},
                )
                self.admin_token = login(c, "admin@example.com", "admin-pw")
        return self.admin_token

    def new_user(self, name: str = "user", password: str = "pw-123456") -> tuple[str, str, str]:
        """Create a user through the admin API; returns (user id, email, session token)."""
        self._counter += 1
        email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
        with self.client(self.admin()) as c:
            resp = c.post("/api/admin/users", json={"email": email, "name": name, "password": password})
            assert resp.status_code == 201, resp.text
            with self.client() as anon:
                return resp.json()["id"], email, login(anon, email, password)


def login(client: httpx.Client, email: str, password: str) -> str:
    resp = client.post("/api/auth/login", json={"email": email, "password": password})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["accessToken"])


@contextmanager
def live_server(database_url: str, data_dir: Path, **overrides: Any) -> Iterator[LiveServer]:
    settings = Settings(database_url=database_url, data_dir=data_dir, port=free_port(), **overrides)
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=settings.port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    live = LiveServer(
        settings=settings, url=f"http://127.0.0.1:{settings.port}", _server=server, _thread=thread
    )
    try:
        yield live
    finally:
        live.stop()
