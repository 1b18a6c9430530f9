"""Interrupted syncs: cancelled, cut by the network or a failing server, or the process killed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from filmroll.cli import app
from filmroll.client.connect import connect
from filmroll.client.errors import StreamInterrupted
from filmroll.client.mirror import open_replica, replica_path
from filmroll.client.replica import Replica
from filmroll.client.v2 import TYPES, sync_v2
from tests.client.helpers import PASSWORD, check, mirror, new_user
from tests.client.proxy import Faults, proxy
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder


class Stop(Exception):
    pass


async def test_cancelled_sync_resumes_and_converges(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    user = new_user(server, "cancel")
    builder.insert_many(uuid.UUID(user.id), 45)
    seen: list[str] = []

    def stop_after_two(entity_type: str, _count: int) -> None:
        seen.append(entity_type)
        if seen.count("AssetV1") == 2:
            raise Stop

    replica = open_replica(tmp_path)
    api = await connect(server.url, replica, user.creds)
    try:
        with pytest.raises(Stop):
            await sync_v2(api, replica, batch_lines=10, on_batch=stop_after_two)
        assert replica.count("assets") == 20
        acked = {a["type"]: a["ack"] for a in await api.get_acks()}
        assert "AssetV1" in acked
    finally:
        await api.aclose()
        replica.close()

    report, replica = await mirror(server, tmp_path, user.creds, batch_lines=10)
    try:
        assert report.stats is not None and not report.stats.full
        assert report.stats.applied["AssetV1"] == 25
        assert replica.count("assets") == 45
    finally:
        replica.close()
    assert (await check(server, tmp_path, user.creds)).clean


async def test_stream_cut_mid_way_keeps_replica_consistent(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    user = new_user(server, "cut")
    builder.insert_many(uuid.UUID(user.id), 45)
    # Cut half way through the asset lines, wherever the lines before them (every user of the
    # shared server comes first) end: the same stream, read once without the proxy, says where.
    with server.client(user.token) as http:
        body = http.post(
            "/api/sync/stream", json={"types": list(TYPES)}, headers={"accept-encoding": "identity"}
        )
    first, last = body.content.index(b'{"type":"AssetV1"'), body.content.rindex(b'{"type":"AssetV1"')
    with proxy(int(server.settings.port), Faults(cut_after=(first + last) // 2)) as url:
        replica = open_replica(tmp_path)
        api = await connect(url, replica, user.creds)
        try:
            with pytest.raises(StreamInterrupted):
                await sync_v2(api, replica, batch_lines=10)
            count = replica.count("assets")
            assert 0 < count < 45 and count % 10 == 0
            assert replica.count("auth_user") == 1
        finally:
            await api.aclose()
            replica.close()
    report, replica = await mirror(server, tmp_path, user.creds)
    try:
        assert report.stats is not None and not report.stats.full
        assert report.stats.applied["AssetV1"] == 45 - count
        assert replica.count("assets") == 45
    finally:
        replica.close()
    assert (await check(server, tmp_path, user.creds)).clean


def test_server_error_gives_a_clear_message(server: LiveServer, tmp_path: Path) -> None:
    user = new_user(server, "fail")
    with proxy(int(server.settings.port), Faults(fail=True)) as url:
        result = CliRunner().invoke(
            app, ["mirror", url, str(tmp_path), "--email", user.email, "--password", PASSWORD]
        )
    assert result.exit_code == 1
    assert "Internal server error" in result.output and "Traceback" not in result.output
    with Replica(replica_path(tmp_path)) as replica:
        assert replica.count("assets") == 0 and replica.get("mode") is None


def test_server_error_mid_stream_is_not_acked(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    user = new_user(server, "midfail")
    builder.insert_many(uuid.UUID(user.id), 30)
    with proxy(int(server.settings.port), Faults(cut_after=9_000)) as url:
        result = CliRunner().invoke(
            app,
            ["mirror", "run", url, str(tmp_path), "--email", user.email, "--password", PASSWORD,
             "--batch-lines", "5"],
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "interrupted" in result.output and "Traceback" not in result.output
    with Replica(replica_path(tmp_path)) as replica:
        applied = replica.count("assets")
        token = replica.get("token")
    assert applied % 5 == 0 and applied < 30
    with server.client(token) as http:
        checkpoint = {a["type"] for a in http.get("/api/sync/ack").json()}
    assert ("AssetV1" in checkpoint) == (applied > 0)
    report, replica = asyncio.run(mirror(server, tmp_path, user.creds))
    replica.close()
    assert report.stats is not None and report.stats.applied["AssetV1"] == 30 - applied


def test_killed_process_resumes(server: LiveServer, builder: AssetBuilder, tmp_path: Path) -> None:
    user = new_user(server, "killed")
    builder.insert_many(uuid.UUID(user.id), 150)
    args = [sys.executable, "-m", "filmroll", "mirror", "run"]
    creds = ["--email", user.email, "--password", PASSWORD, "--batch-lines", "10"]
    with proxy(int(server.settings.port), Faults(rate=20_000)) as url:
        proc = subprocess.Popen(
            [*args, url, str(tmp_path), *creds], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline
                if replica_path(tmp_path).exists():
                    with Replica(replica_path(tmp_path)) as peek:
                        if peek.count("assets") > 0:
                            break
                time.sleep(0.05)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(30)
            assert proc.stdout is not None and proc.stderr is not None
            proc.stdout.close()
            proc.stderr.close()
    with Replica(replica_path(tmp_path)) as replica:
        partial = replica.count("assets")
        assert 0 < partial < 150
        assert replica.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    done = subprocess.run(
        [*args, server.url, str(tmp_path), *creds], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    verified = subprocess.run(
        [sys.executable, "-m", "filmroll", "mirror", "verify", server.url, str(tmp_path), *creds[:4]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "replica is in sync" in verified.stdout
