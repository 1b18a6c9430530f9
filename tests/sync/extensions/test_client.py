"""`filmroll.client` with the extensions: the stream's size is known before it starts."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.progress import Progress

from filmroll.client.connect import Credentials, connect
from filmroll.client.mirror import Mirror, MirrorOptions, open_replica
from filmroll.client.v2 import sync_v2
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder

PASSWORD = "pw-123456"


def in_thread(work: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine on a loop of its own: the session's browser tests keep an event loop
    running on the main thread."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work).result()


def test_totals_arrive_before_the_stream_and_match_it(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    in_thread(totals_arrive(server, builder, tmp_path))


def test_a_reset_is_repaired_by_difference(server: LiveServer, builder: AssetBuilder, tmp_path: Path) -> None:
    """A replica told to reset fetches only what changed, deletes what is gone, and ends up equal
    to a fresh full download; the stream then resumes from the digests' checkpoints."""
    in_thread(repaired(server, builder, tmp_path))


async def totals_arrive(server: LiveServer, builder: AssetBuilder, tmp_path: Path) -> None:
    user_id, email, _token = server.new_user("progress", PASSWORD)
    builder.insert_many(uuid.UUID(user_id), 40)
    replica = open_replica(tmp_path)
    try:
        api = await connect(server.url, replica, Credentials(email=email, password=PASSWORD))
        try:
            seen: list[tuple[str, int]] = []
            stats = await sync_v2(
                api,
                replica,
                batch_lines=7,
                on_total=lambda n: seen.append(("total", n)),
                on_batch=lambda _t, n: seen.append(("batch", n)),
            )
            assert seen[0][0] == "total" and [k for k, _ in seen[1:]] == ["batch"] * (len(seen) - 1)
            assert seen[0][1] == stats.lines == sum(n for k, n in seen if k == "batch")
            assert stats.applied["AssetV1"] == 40

            # a mirror's bar knows its total while the stream runs
            builder.insert_many(uuid.UUID(user_id), 5)
            progress = Progress(disable=True)
            totals: list[float | None] = []
            mirror = Mirror(api, replica, tmp_path, MirrorOptions(), progress)
            original = progress.advance

            def advance(task: int, count: float = 1) -> None:
                totals.append(progress.tasks[task].total)
                original(task, count)  # type: ignore[arg-type]

            progress.advance = advance  # type: ignore[method-assign,assignment]
            await mirror.sync()
            assert totals and set(totals) == {6.0}  # five assets and SyncCompleteV1
        finally:
            await api.aclose()
    finally:
        replica.close()


async def repaired(server: LiveServer, builder: AssetBuilder, tmp_path: Path) -> None:
    user_id, email, _token = server.new_user("repair", PASSWORD)
    me = uuid.UUID(user_id)
    # one busy day (compared per hour) and a few quiet ones
    busy = [builder.insert(me, exif=True, file_created_at=datetime(2021, 3, 3, i % 24, i)) for i in range(55)]
    ids = busy + [builder.insert(me, exif=True, file_created_at=datetime(2021, 4, i + 1)) for i in range(5)]
    creds = Credentials(email=email, password=PASSWORD)
    replica = open_replica(tmp_path / "old")
    try:
        api = await connect(server.url, replica, creds)
        try:
            first = await sync_v2(api, replica)
            assert first.applied["AssetV1"] == 60
            builder.update(ids[:3], is_favorite=True)
            builder.delete(ids[3:5])
            added = builder.insert(me, exif=True)
            current = next(s for s in (await api.call("GET", "/sessions", "sessions")) if s["current"])
            await api.call("PUT", f"/sessions/{current['id']}", "reset", json={"isPendingSyncReset": True})

            stats = await sync_v2(api, replica)
            assert stats.resets == 1 and not stats.full
            [done] = stats.repairs
            assert done.fetched == 5  # 3 changed assets, the new asset and its exif
            assert done.deleted == 2  # the deleted assets (their exif goes with them)
            assert "AssetV1" not in stats.applied  # nothing re-streamed for own assets
            again = await sync_v2(api, replica, check=True)
            assert again.repairs[0].fetched == 0 and again.lines == 1
        finally:
            await api.aclose()
        fresh = open_replica(tmp_path / "fresh")
        try:
            other = await connect(server.url, fresh, creds)
            try:
                await sync_v2(other, fresh)
            finally:
                await other.aclose()
            assert replica.snapshot() == fresh.snapshot()
            assert str(added) in {a["id"] for a in replica.assets()}
            assert not {str(i) for i in ids[3:5]} & {a["id"] for a in replica.assets()}
        finally:
            fresh.close()
    finally:
        replica.close()
