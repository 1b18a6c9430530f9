"""filmroll's sync extensions on a small and a large library: `/sync/estimate` for a whole
library and after N changes, and `/sync/digest` of every asset by month.

Targets: a whole-library estimate under 300 ms, an estimate after N changes that costs the
same on both libraries (ratio large/small at most 1.3, in the summary line) and a month
digest under 1 s. Each number is the median of several calls on one kept-alive client.
"""

from __future__ import annotations

from typing import Any

import httpx

from bench.common import Context, Result, median, scaling, timed
from bench.generate import change_assets
from filmroll.db.clock import seq_to_uuid, utcnow

NAME = "sync-extensions"
TYPES = ["AssetsV1", "AssetExifsV1"]
ACK_TYPES = ("AssetV1", "AssetDeleteV1", "AssetExifV1")


def _post(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    resp = client.post(path, json=body)
    resp.raise_for_status()
    return dict(resp.json())


def run(ctx: Context) -> Result:
    n = ctx.profile.changes
    size = ctx.library.size
    token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
    repeats = max(3, ctx.profile.runs * 3)
    with ctx.server.client(token) as client:
        full_times, digest_times = [], []
        full: dict[str, Any] = {}
        months: dict[str, Any] = {}
        for _ in range(repeats):
            seconds, full = timed(
                lambda: _post(client, "/api/sync/estimate", {"types": TYPES, "reset": True})
            )
            full_times.append(seconds)
            seconds, months = timed(lambda: _post(client, "/api/sync/digest", {"type": "AssetsV1"}))
            digest_times.append(seconds)
        _since, before_seq = change_assets(ctx.engine, ctx.library.asset_ids, n, seed=17)
        acks = [f"{t}|{seq_to_uuid(before_seq, utcnow())}" for t in ACK_TYPES]
        client.post("/api/sync/ack", json={"acks": acks}).raise_for_status()
        change_times = []
        changed: dict[str, Any] = {}
        for _ in range(repeats * 2):
            seconds, changed = timed(lambda: _post(client, "/api/sync/estimate", {"types": TYPES}))
            change_times.append(seconds)
    counted = full["types"]["AssetsV1"]["lines"]
    if counted < size:
        raise RuntimeError(f"estimate counted {counted} asset lines, the library has {size}")
    if changed["lines"] != 2 * n + 1:
        raise RuntimeError(
            f"estimate after {n} changes counted {changed['lines']} lines, expected {2 * n + 1}"
        )
    in_buckets = sum(int(b["count"]) for b in months["buckets"])
    if in_buckets < size:
        raise RuntimeError(f"month digest holds {in_buckets} assets, the library has {size}")
    return {
        "assets": size,
        "changes": n,
        "estimate_full_ms": round(median(full_times) * 1000, 2),
        "estimate_changes_ms": round(median(change_times) * 1000, 2),
        "digest_month_ms": round(median(digest_times) * 1000, 2),
        "months": len(months["buckets"]),
    }


def summarize(results: list[Result]) -> list[Result]:
    return scaling(NAME, results, {"estimate_changes_ratio_large_small": "estimate_changes_ms"})
