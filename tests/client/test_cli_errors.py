"""`filmroll mirror` error paths: one clear line, no traceback, nothing half-written."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from filmroll.cli import app
from filmroll.client.mirror import replica_path
from filmroll.client.replica import Replica
from tests.client.helpers import PASSWORD, SMALL, new_user, upload_photos
from tests.support import LiveServer, free_port


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["mirror", *args])
    return result.exit_code, result.output


def test_bad_credentials(server: LiveServer, tmp_path: Path) -> None:
    user = new_user(server, "badpw")
    code, output = _run(server.url, str(tmp_path), "--email", user.email, "--password", "wrong")
    assert code == 1 and "login failed" in output and "Incorrect email or password" in output
    assert "Traceback" not in output
    code, output = _run(server.url, str(tmp_path), "--api-key", "not-a-key")
    assert code == 1 and "Invalid API key" in output
    with Replica(replica_path(tmp_path)) as replica:
        assert replica.get("mode") is None and replica.count("assets") == 0


def test_unreachable_server(tmp_path: Path) -> None:
    code, output = _run(
        f"http://127.0.0.1:{free_port()}", str(tmp_path), "--email", "a@b.c", "--password", "x"
    )
    assert code == 1 and "cannot reach" in output and "Traceback" not in output


def test_no_credentials_and_bad_url(tmp_path: Path) -> None:
    code, output = _run("http://127.0.0.1:1", str(tmp_path))
    assert code == 1 and "no credentials" in output
    code, output = _run("not-a-url", str(tmp_path), "--api-key", "k")
    assert code == 1 and "not a server URL" in output


def test_run_and_verify_commands(server: LiveServer, tmp_path: Path) -> None:
    user = new_user(server, "cli")
    upload_photos(server, user, SMALL[:1])
    code, output = _run(
        server.url, str(tmp_path), "--email", user.email, "--password", PASSWORD, "--originals"
    )
    assert code == 0, output
    assert "synced with v2 (full" in output and "1 files downloaded" in output
    code, output = _run("verify", server.url, str(tmp_path))
    assert code == 0 and "replica is in sync" in output, output

    other = new_user(server, "other")
    code, output = _run(server.url, str(tmp_path), "--email", other.email, "--password", PASSWORD)
    assert code == 3 and "another user" in output

    with Replica(replica_path(tmp_path)) as replica:
        replica.conn.execute("DELETE FROM assets")
    code, output = _run("verify", server.url, str(tmp_path))
    assert code == 1 and "assets: 1 missing, 0 extra, 0 stale" in output, output


def test_verify_without_mirror(tmp_path: Path) -> None:
    code, output = _run("verify", "http://127.0.0.1:1", str(tmp_path / "none"))
    assert code == 1 and "holds no mirror yet" in output
