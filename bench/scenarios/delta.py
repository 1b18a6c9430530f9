"""v1 delta sync and a v2 incremental stream after N changes, on a small and a large library.

Requests reuse one HTTP client, as apps keep their connection (building a client costs tens
of milliseconds, more than the request). The changes go through the generator's clock path;
the v2 session's checkpoints are set to the clock value just before them, so both protocols
return exactly those changes. The summary line gives the ratio large/small (target: at most 1.3).
"""

from __future__ import annotations

import httpx

from bench.common import Context, Result, iso, latency_rounds, scaling, time_rounds
from bench.generate import change_assets
from bench.scenarios.v2_full import TYPES, stream_lines
from filmroll.db.clock import seq_to_uuid, utcnow

NAME = "delta-after-changes"
ACK_TYPES = ("AssetV1", "AssetDeleteV1", "AssetExifV1")


def delta_once(client: httpx.Client, body: dict[str, object]) -> int:
    resp = client.post("/api/sync/delta-sync", json=body)
    resp.raise_for_status()
    data = resp.json()
    if data["needsFullSync"]:
        raise RuntimeError("delta sync answered needsFullSync")
    return len(data["upserted"]) + len(data["deleted"])


def run(ctx: Context) -> Result:
    n = ctx.profile.changes
    token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
    since, before_seq = change_assets(ctx.engine, ctx.library.asset_ids, n)
    acks = [f"{t}|{seq_to_uuid(before_seq, utcnow())}" for t in ACK_TYPES]
    with ctx.server.client(token) as client:
        client.post("/api/sync/ack", json={"acks": acks}).raise_for_status()
    body: dict[str, object] = {"updatedAfter": iso(since), "userIds": ctx.library.timeline_ids}
    with ctx.server.client(token) as client:
        v1, v2 = time_rounds(
            latency_rounds(ctx.profile), lambda: delta_once(client, body), lambda: stream_lines(client, TYPES)
        )
    changed, lines = int(v1.last), int(v2.last)
    if changed != n:
        raise RuntimeError(f"delta sync returned {changed} changes, expected {n}")
    if not 2 * n <= lines <= 2 * n + 1:
        raise RuntimeError(f"v2 stream sent {lines} lines after {n} changes, expected {2 * n} (+1)")
    return {
        "assets": ctx.library.size,
        "changes": n,
        "v1_delta_ms": v1.median_ms,
        "v2_stream_ms": v2.median_ms,
        "v2_lines": lines,
    }


def summarize(results: list[Result]) -> list[Result]:
    return scaling(
        NAME, results, {"v1_ratio_large_small": "v1_delta_ms", "v2_ratio_large_small": "v2_stream_ms"}
    )
