"""SQLite shared by several processes: a write transaction held long in one process delays
the others' writes but fails none ("database is locked" never reaches a client), and reads
stay concurrent with it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy.engine import Connection

from filmroll.db.clock import reserve
from filmroll.db.engine import Database
from tests.cluster.processes import serve
from tests.events.test_live_events import add_upload
from tests.support import fresh_database

HOLD_SECONDS = 12.0
"""Longer than the busy timeout SQLite setups commonly use (and filmroll used): 10 s."""


def test_a_long_writer_delays_but_never_fails_requests(tmp_path: Path) -> None:
    url = fresh_database("sqlite", tmp_path)
    with serve(url, tmp_path / "data", workers=2) as server:
        _, _, token = server.new_user("patient")
        with server.client(token) as http:
            asset_id = add_upload(http, "patient")
        other = Database(url, pool_size=1)
        holding = threading.Event()

        def hold(conn: Connection) -> None:
            reserve(conn)
            holding.set()
            time.sleep(HOLD_SECONDS)

        holder = threading.Thread(target=other.write_sync, args=(hold,))
        holder.start()
        try:
            assert holding.wait(10)
            started = time.monotonic()

            def read(_n: int) -> float:
                with server.client(token) as http:
                    resp = http.get(f"/api/assets/{asset_id}")
                    assert resp.status_code == 200, resp.text
                return time.monotonic() - started

            def write(n: int) -> int:
                with server.client(token) as http:
                    body = {"isFavorite": n % 2 == 0}
                    return http.put(f"/api/assets/{asset_id}", json=body).status_code

            with ThreadPoolExecutor(8) as writers, ThreadPoolExecutor(8) as readers:
                writes = [writers.submit(write, n) for n in range(8)]
                reads = list(readers.map(read, range(8)))
                statuses = [w.result() for w in writes]
            waited = time.monotonic() - started
        finally:
            holder.join()
            other.dispose()
        assert max(reads) < HOLD_SECONDS / 2, reads  # reads did not wait for the writer
        assert statuses == [200] * 8, statuses
        assert waited >= HOLD_SECONDS - 1  # the writes did wait for it
