"""Timeline latency: one month's bucket with 10,000 assets, and the month list, small vs large.

A dedicated month (June 2035, after everything the generator writes) gets `MONTH_ASSETS` of
the bench user's assets with EXIF rows (quick: 1,000), written like the generator's. The web
app's calls are timed with one reused HTTP client: `GET /api/timeline/bucket` of that month and
`GET /api/timeline/buckets`, both with `visibility=timeline&withStacked=true` as the web timeline
asks. Target: the month under 200 ms on both databases; the `-scaling` line gives the ratio
large/small of each (the month's cost should not grow with the library, the month list does).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import httpx

from bench.common import Context, Result, latency_rounds, scaling, time_rounds
from bench.generate import _asset_row, _exif_row, _new_ids, _write
from filmroll.db import clock, schema

NAME = "timeline-bucket"
MONTH = datetime(2035, 6, 1)
MONTH_ASSETS = 10_000
QUICK_MONTH_ASSETS = 1_000
PARAMS = {"visibility": "timeline", "withStacked": "true"}


def _fill_month(ctx: Context, count: int) -> None:
    """`count` assets of the bench user taken across June 2035, each with an EXIF row."""
    rng = random.Random(2035)
    owner = ctx.library.owner.id
    ids = _new_ids(rng, count)
    step = timedelta(days=29) / count
    with ctx.engine.begin() as conn:
        stamp = clock.reserve(conn, 2 * count)
        rows = []
        for i, asset_id in enumerate(ids):
            row = _asset_row(rng, asset_id, owner, i, stamp, i)
            taken = MONTH + step * i
            local = taken + timedelta(hours=2)
            row.update(
                file_created_at=taken, file_modified_at=taken, local_date_time=local, visibility="timeline"
            )
            rows.append(row)
        _write(conn, schema.assets, rows)
        _write(conn, schema.asset_exif, [_exif_row(rng, rows[i], i, stamp, count + i) for i in range(count)])
    if ctx.backend == "postgres":
        # A steady-state database has statistics for its rows; a fresh bulk load does not yet.
        with ctx.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE assets")
            conn.exec_driver_sql("ANALYZE asset_exif")


def _month(client: httpx.Client) -> int:
    resp = client.get("/api/timeline/bucket", params={**PARAMS, "timeBucket": MONTH.strftime("%Y-%m-%d")})
    resp.raise_for_status()
    return len(resp.json()["id"])


def _months(client: httpx.Client) -> int:
    resp = client.get("/api/timeline/buckets", params=PARAMS)
    resp.raise_for_status()
    return len(resp.json())


def run(ctx: Context) -> Result:
    count = QUICK_MONTH_ASSETS if ctx.profile.quick else MONTH_ASSETS
    _fill_month(ctx, count)
    token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
    with ctx.server.client(token) as client:
        _month(client)  # warm the connection and the caches once
        month, months = time_rounds(
            latency_rounds(ctx.profile), lambda: _month(client), lambda: _months(client), pid=ctx.server.pid
        )
    shown = int(month.last)
    if shown != count:
        raise RuntimeError(f"the month held {shown} assets, expected {count}")
    return {
        "assets": ctx.library.size,
        "month_assets": shown,
        "month_ms": month.median_ms,
        "month_server_cpu_ms": month.cpu_ms,
        "buckets": int(months.last),
        "buckets_ms": months.median_ms,
    }


def summarize(results: list[Result]) -> list[Result]:
    return scaling(
        NAME, results, {"month_ratio_large_small": "month_ms", "buckets_ratio_large_small": "buckets_ms"}
    )
