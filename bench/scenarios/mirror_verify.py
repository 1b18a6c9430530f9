"""`filmroll mirror verify` of a clean replica by digests: the replica is synced once (the slow
part), verified once (which builds its digest indexes), then verified `runs` times (at
least three).

Reported: the first verify's time, the median and best wall time of the others (target:
under 5 s at 1,000,000 assets), the bytes a verify read (digest answers plus the small
stream of the request types without digests, uncompressed) beside the bytes a full fresh
copy would read (the estimate of a reset stream of every type), its digest calls, and the
replica's size. Every verify must find the replica clean and open no bucket (one digest call
per kind).
"""

from __future__ import annotations

import asyncio
import time

from bench.common import Context, Result, median
from filmroll.client.connect import Credentials, connect
from filmroll.client.replica import Replica
from filmroll.client.v2 import TYPES, sync_v2
from filmroll.client.verify import verify

NAME = "mirror-verify"


async def _scenario(ctx: Context) -> Result:
    owner = ctx.library.owner
    path = ctx.work_dir / f"mirror-verify-{ctx.library.size}.sqlite"
    replica = Replica(path)
    seconds: list[float] = []
    try:
        api = await connect(ctx.server.url, replica, Credentials(email=owner.email, password=owner.password))
        try:
            start = time.perf_counter()
            await sync_v2(api, replica)
            sync_s = time.perf_counter() - start
            full = await api.estimate(TYPES, reset=True)
            assert full is not None
            start = time.perf_counter()
            await verify(api, replica)  # builds the replica's digest indexes once
            first_s = time.perf_counter() - start
            for _ in range(max(3, ctx.profile.runs)):
                start = time.perf_counter()
                report = await verify(api, replica)
                seconds.append(time.perf_counter() - start)
                checked = report.checked
                if report.method != "digests" or checked is None:
                    raise RuntimeError("the verify did not use digests")
                # one top-level digest per kind checked: a clean replica opens no bucket
                if not report.clean or checked.digests != len(checked.found):
                    raise RuntimeError("the freshly synced replica does not verify clean")
                calls, digest_bytes, streamed = checked.digests, checked.bytes, report.streamed
                lines = report.streamed_lines
        finally:
            await api.aclose()
        assets = replica.count("assets")
    finally:
        replica.close()
    read = digest_bytes + streamed
    return {
        "assets": ctx.library.size,
        "replica_assets": assets,
        "replica_mb": round(path.stat().st_size / 1e6, 1),
        "sync_s": round(sync_s, 1),
        "first_verify_s": round(first_s, 3),
        "verify_s": round(median(seconds), 3),
        "verify_best_s": round(min(seconds), 3),
        "digest_calls": calls,
        "digest_bytes": digest_bytes,
        "stream_bytes": streamed,
        "stream_lines": lines,
        "verify_bytes": read,
        "full_copy_bytes": int(full["bytes"]),
        "ratio_pct": round(100 * read / int(full["bytes"]), 4),
    }


def run(ctx: Context) -> Result:
    return asyncio.run(_scenario(ctx))
