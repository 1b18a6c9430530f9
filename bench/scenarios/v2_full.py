"""v2 full stream of `AssetsV1` + `AssetExifsV1`: lines/s and the server's memory growth.

Growth is the server's peak RSS during the stream (VmHWM, reset just before) minus its RSS
before the stream; the client reads the stream incrementally and only counts lines.
"""

from __future__ import annotations

import time

import httpx

from bench.common import MIB, Context, Result, median, peak_rss, reset_peak, rss

NAME = "v2-full-stream"
TYPES = ["AssetsV1", "AssetExifsV1"]


def stream_lines(client: httpx.Client, types: list[str]) -> int:
    lines = 0
    with client.stream("POST", "/api/sync/stream", json={"types": types}) as resp:
        resp.raise_for_status()
        for chunk in resp.iter_bytes():
            lines += chunk.count(b"\n")
    return lines


def run(ctx: Context) -> Result:
    pid = ctx.server.pid
    times, growth = [], []
    lines = 0
    for _ in range(ctx.profile.runs):
        token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
        with ctx.server.client(token) as client:
            before = rss(pid)
            reset_peak(pid)
            start = time.perf_counter()
            lines = stream_lines(client, TYPES)
            times.append(time.perf_counter() - start)
            growth.append(max(0, peak_rss(pid) - before))
    expected = 2 * ctx.library.size
    if lines < expected:
        raise RuntimeError(f"stream sent {lines} lines, expected at least {expected}")
    seconds = median(times)
    return {
        "assets": ctx.library.size,
        "lines": lines,
        "seconds": round(seconds, 4),
        "lines_per_s": round(lines / seconds),
        "memory_growth_mib": round(median(growth) / MIB, 1),
        "server_rss_mib": round(rss(pid) / MIB, 1),
    }
