"""Repair by difference: a replica that missed N changes and N/2 permanent deletes (N = 1,000
in a full run) is told to reset; `filmroll.client` repairs it from digests instead of
downloading the library again.

Reported: the bytes a full re-download would take (the estimate of a reset stream), the
bytes the repair read (digests and rows, uncompressed), their ratio (target: under 1 % on
a 1,000,000-asset library) and the repair's wall time. The replica must end equal to the
server (a second digest check fetches nothing). The replica's first full sync of every
type is timed too (`first_sync_s`).
"""

from __future__ import annotations

import asyncio
import random
import time

from bench.common import Context, Result
from bench.generate import change_assets
from filmroll.client.connect import Credentials, connect
from filmroll.client.replica import Replica
from filmroll.client.v2 import TYPES, sync_v2
from filmroll.repositories import assets as asset_repo

NAME = "repair-after-reset"
CHANGES = 1_000
"""Changes the replica misses in a full run (half as many deletes): a phone offline for weeks."""


async def _scenario(ctx: Context) -> Result:
    n = ctx.profile.changes if ctx.profile.quick else CHANGES
    owner = ctx.library.owner
    replica = Replica(ctx.work_dir / f"repair-{ctx.library.size}.sqlite")
    try:
        api = await connect(ctx.server.url, replica, Credentials(email=owner.email, password=owner.password))
        try:
            start = time.perf_counter()
            await sync_v2(api, replica)
            first_sync_s = time.perf_counter() - start
            change_assets(ctx.engine, ctx.library.asset_ids, n, seed=23)
            gone = random.Random(29).sample(ctx.library.asset_ids, n // 2)
            with ctx.engine.begin() as conn:
                asset_repo.delete(conn, gone)
            full = await api.estimate(TYPES, reset=True)
            assert full is not None
            sessions = await api.call("GET", "/sessions", "cannot list sessions")
            current = next(s for s in sessions if s["current"])
            await api.call(
                "PUT", f"/sessions/{current['id']}", "reset refused", json={"isPendingSyncReset": True}
            )
            start = time.perf_counter()
            stats = await sync_v2(api, replica)
            seconds = time.perf_counter() - start
            if stats.resets != 1 or len(stats.repairs) != 1:
                raise RuntimeError(f"expected one reset repaired, got {stats.resets} resets")
            done = stats.repairs[0]
            check = await sync_v2(api, replica, check=True)
            if check.repairs[0].fetched or check.repairs[0].deleted:
                raise RuntimeError("the repaired replica still differs from the server")
        finally:
            await api.aclose()
    finally:
        replica.close()
    return {
        "assets": ctx.library.size,
        "changes": n,
        "deletes": n // 2,
        "full_bytes": int(full["bytes"]),
        "repair_bytes": done.bytes,
        "ratio_pct": round(100 * done.bytes / int(full["bytes"]), 3),
        "digest_calls": done.digests,
        "rows_fetched": done.fetched,
        "rows_deleted": done.deleted,
        "repair_s": round(seconds, 2),
        "first_sync_s": round(first_sync_s, 2),
    }


def run(ctx: Context) -> Result:
    return asyncio.run(_scenario(ctx))
