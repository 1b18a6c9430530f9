"""The change clock's barrier waits for a writer on another connection (another process, as
far as the database can tell) and answers with a time every later stamp comes after."""

from __future__ import annotations

import asyncio
import threading

from sqlalchemy.engine import Connection

from filmroll.db.clock import Stamp, reserve
from filmroll.db.engine import Database


async def test_barrier_waits_for_another_processs_writer(database_url: str) -> None:
    writer_side, reader_side = Database(database_url), Database(database_url)
    reserved, release = threading.Event(), threading.Event()
    stamps: list[Stamp] = []

    def hold(conn: Connection) -> None:
        stamps.append(reserve(conn))
        reserved.set()
        release.wait(20)

    thread = threading.Thread(target=writer_side.write_sync, args=(hold,))
    thread.start()
    try:
        assert await asyncio.to_thread(reserved.wait, 10)
        barrier = asyncio.create_task(reader_side.barrier())
        await asyncio.sleep(0.5)
        assert not barrier.done(), "the barrier did not wait for the uncommitted stamp"
        release.set()
        as_of = await asyncio.wait_for(barrier, 20)
        assert as_of >= stamps[0].at
        later = await reader_side.write(reserve)
        assert later.at > as_of and later.seq == stamps[0].seq + 1
    finally:
        release.set()
        thread.join()
        writer_side.dispose()
        reader_side.dispose()
