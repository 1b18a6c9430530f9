"""The change clock: commit-ordered, gap-free sequence numbers on both databases."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db.engine import Database


def test_uuid_round_trip() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, 678000)
    value = clock.seq_to_uuid(123456789, at)
    assert clock.uuid_to_seq(value) == 123456789
    assert clock.uuid_time(value) == at
    assert value[14] == "7"  # a UUIDv7, as Immich clients expect
    with pytest.raises(ValueError):
        clock.uuid_to_seq("0197a5c1-0000-4000-8000-000000000000")
    with pytest.raises(ValueError):
        clock.uuid_to_seq("not-a-uuid")


def test_reserve_gives_consecutive_increasing_stamps(database_url: str) -> None:
    db = Database(database_url)
    try:
        first = db.write_sync(lambda c: clock.reserve(c, 3))
        second = db.write_sync(lambda c: clock.reserve(c))
        assert [first.seq_at(i) for i in range(3)] == [1, 2, 3]
        assert second.seq == 4
        assert first.at < first.at_at(1) < first.last_at < second.at
        assert db.read_sync(clock.current) == 4
    finally:
        db.dispose()


def test_a_visible_sequence_implies_all_lower_ones_committed(database_url: str) -> None:
    """A slow writer that took seq N holds later writers back, so N+1 never becomes visible first."""
    db = Database(database_url)
    seen: list[int] = []
    try:
        started = threading.Event()

        def slow(conn: Connection) -> None:
            clock.reserve(conn)
            started.set()
            time.sleep(0.5)

        slow_thread = threading.Thread(target=db.write_sync, args=(slow,))
        slow_thread.start()
        started.wait()
        fast_thread = threading.Thread(target=db.write_sync, args=(lambda c: clock.reserve(c),))
        fast_thread.start()
        while slow_thread.is_alive():
            seen.append(db.read_sync(clock.current))
            time.sleep(0.02)
        slow_thread.join()
        fast_thread.join()
        assert set(seen) <= {0, 1, 2}
        assert seen[0] == 0  # neither is visible while the slow writer holds the clock
        assert db.read_sync(clock.current) == 2
    finally:
        db.dispose()
