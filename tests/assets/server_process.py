"""A filmroll server in its own process, for tests that measure its memory or kill it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support import free_port, login, stop_process


@dataclass
class ServerProcess:
    """`filmroll serve` as a child process, reached over real HTTP."""

    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)

    def admin(self) -> str:
        """Sign up the admin (once per database) and log in."""
        with self.client() as c:
            c.post(
                "/api/auth/admin-sign-up",
                json={"email": "admin@example.com", "name": "Admin", "password": "admin-pw"},
            )
            return login(c, "admin@example.com", "admin-pw")

    def peak_rss_mib(self) -> float:
        """The process's high-water resident set size (`VmHWM`), in MiB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("VmHWM missing from /proc status")

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/api/server/ping", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up, like a crash or the OOM killer."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)


@contextmanager
def server_process(database_url: str, data_dir: Path, **env: str) -> Iterator[ServerProcess]:
    """Run `python -m filmroll serve` until the block exits; `env` adds `FILMROLL_*` settings."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"server-{port}.log"
    environ = {
        **os.environ,
        "FILMROLL_DATA_DIR": str(data_dir),
        "FILMROLL_DATABASE_URL": database_url,
        "FILMROLL_PORT": str(port),
        "FILMROLL_LOG_LEVEL": "warning",
        **env,
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "filmroll", "serve"], env=environ, stdout=out, stderr=subprocess.STDOUT
        )
    server = ServerProcess(proc, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 60
        while not server.answers():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        yield server
    finally:
        stop_process(proc, timeout=30)
