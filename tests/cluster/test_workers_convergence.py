"""`filmroll serve --workers 2` keeps sync's guarantees across processes, on both databases.

The v1 and v2 convergence tests run unchanged against two API processes sharing one port
(clients' requests land on either), while their writers commit from this test process: three
processes write concurrently, and the change clock and v1 delta sync's wait for in-flight
writers have only the database to go by. A client that missed a change or got a stale row
ends with a replica that differs from a fresh sync.
"""

from __future__ import annotations

from pathlib import Path

from filmroll.db.engine import Database
from tests.cluster.processes import ProcessServer, api_pids, serve
from tests.sync.v1 import test_convergence as v1_convergence
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2 import test_convergence as v2_convergence


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


def _both_served(server: ProcessServer, before: dict[int, float]) -> None:
    """Each API process did real work: requests were spread over both."""
    used = {pid: _cpu_seconds(pid) - start for pid, start in before.items()}
    assert len(used) == 2 and all(seconds > 0.5 for seconds in used.values()), used


def test_v1_delta_sync_converges_over_two_api_processes(database_url: str, tmp_path: Path) -> None:
    with serve(database_url, tmp_path / "data", workers=2) as server:
        before = {pid: _cpu_seconds(pid) for pid in api_pids(server)}
        db = Database(database_url, pool_size=4)
        try:
            v1_convergence.test_delta_sync_replicas_converge(server, db)
        finally:
            db.dispose()
        _both_served(server, before)


def test_v2_stream_converges_over_two_api_processes(database_url: str, tmp_path: Path) -> None:
    with serve(database_url, tmp_path / "data", workers=2) as server:
        before = {pid: _cpu_seconds(pid) for pid in api_pids(server)}
        db = Database(database_url, pool_size=4)
        try:
            v2_convergence.test_replicas_converge_under_concurrent_writes(
                server, db, AssetBuilder(db, seed=1234)
            )
        finally:
            db.dispose()
        _both_served(server, before)
