"""Many clients doing v1 delta syncs at once against one library: throughput and p50/p99."""

from __future__ import annotations

import asyncio
import time

import httpx

from bench.common import Context, Result, iso, median
from bench.generate import change_assets

NAME = "concurrent-delta"


async def _client(ctx: Context, token: str, body: dict[str, object], count: int, out: list[float]) -> None:
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=ctx.server.url, headers=headers, timeout=600) as client:
        for _ in range(count):
            start = time.perf_counter()
            resp = await client.post("/api/sync/delta-sync", json=body)
            resp.raise_for_status()
            if resp.json()["needsFullSync"]:
                raise RuntimeError("delta sync answered needsFullSync")
            out.append(time.perf_counter() - start)


async def _round(ctx: Context, token: str, body: dict[str, object]) -> tuple[float, list[float]]:
    latencies: list[float] = []
    start = time.perf_counter()
    await asyncio.gather(
        *(
            _client(ctx, token, body, ctx.profile.requests_per_client, latencies)
            for _ in range(ctx.profile.clients)
        )
    )
    return time.perf_counter() - start, latencies


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(ctx: Context) -> Result:
    token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
    since, _ = change_assets(ctx.engine, ctx.library.asset_ids, ctx.profile.changes, seed=11)
    body: dict[str, object] = {"updatedAfter": iso(since), "userIds": ctx.library.timeline_ids}
    rps, p50, p99 = [], [], []
    for _ in range(ctx.profile.runs):
        wall, latencies = asyncio.run(_round(ctx, token, body))
        rps.append(len(latencies) / wall)
        p50.append(_percentile(latencies, 0.5))
        p99.append(_percentile(latencies, 0.99))
    return {
        "assets": ctx.library.size,
        "clients": ctx.profile.clients,
        "requests": ctx.profile.clients * ctx.profile.requests_per_client,
        "changes": ctx.profile.changes,
        "requests_per_s": round(median(rps), 1),
        "p50_ms": round(median(p50) * 1000, 2),
        "p99_ms": round(median(p99) * 1000, 2),
    }
