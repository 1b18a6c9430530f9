"""The operator commands, run as a user would run them, on both databases."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support import free_port, live_server


def run(
    *args: str, database_url: str, data_dir: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FILMROLL_DATABASE_URL": database_url, "FILMROLL_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "filmroll", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_user_commands(database_url: str, tmp_path: Path) -> None:
    created = run("user", "create", "Ops@Example.com", "--name", "Ops", "--password", "s3cret", "--admin",
                  database_url=database_url, data_dir=tmp_path)  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "ops@example.com" in created.stdout
    again = run("user", "create", "ops@example.com", "--name", "x", "--password", "y",
                database_url=database_url, data_dir=tmp_path)  # fmt: skip
    assert again.returncode == 1
    listed = run("user", "list", database_url=database_url, data_dir=tmp_path)
    assert "ops@example.com" in listed.stdout
    changed = run("user", "set-password", "ops@example.com", database_url=database_url, data_dir=tmp_path,
                  stdin="n3w-pass\nn3w-pass\n")  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    with live_server(database_url, tmp_path / "data") as server, server.client() as c:
        assert (
            c.post("/api/auth/login", json={"email": "ops@example.com", "password": "n3w-pass"}).status_code
            == 201
        )
        assert (
            c.post("/api/auth/login", json={"email": "ops@example.com", "password": "s3cret"}).status_code
            == 401
        )
    deleted = run("user", "delete", "ops@example.com", database_url=database_url, data_dir=tmp_path)
    assert deleted.returncode == 0, deleted.stderr
    missing = run("user", "delete", "nobody@example.com", database_url=database_url, data_dir=tmp_path)
    assert missing.returncode == 1


def test_serve_creates_and_migrates_sqlite(tmp_path: Path) -> None:
    """`filmroll serve` on a fresh data directory starts on SQLite and answers."""
    port = free_port()
    env = {**os.environ, "FILMROLL_DATA_DIR": str(tmp_path / "fresh"), "FILMROLL_PORT": str(port)}
    env.pop("FILMROLL_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "filmroll", "serve"], env=env, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/server/ping", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.1)
        assert (tmp_path / "fresh" / "filmroll.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
