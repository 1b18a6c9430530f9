"""v1 full sync (POST, pages of 10,000 walking `lastId`) against the database's own floor.

The floor reads the same rows and columns straight from the database in the same run:
`COPY (SELECT ...) TO STDOUT` on PostgreSQL, a plain `sqlite3` cursor fetched in batches
on SQLite. The ratio filmroll/floor is the figure the target (at most 3x) is about.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

import orjson
import psycopg

from bench.common import Context, Result, iso, median, timed
from filmroll.sync.clock import utcnow

NAME = "v1-full-sync"
PAGE = 10_000
_TS = "%Y-%m-%d %H:%M:%S.%f"
_SELECT = (
    "SELECT a.*, e.* FROM assets a LEFT JOIN asset_exif e ON e.asset_id = a.id "
    "WHERE a.owner_id = {owner} AND a.visibility IN ('timeline', 'archive') "
    "AND a.updated_at <= {until} ORDER BY a.id"
)


def sync_all(ctx: Context, token: str, until: datetime) -> int:
    """Walk every page like the mobile app does; returns the number of assets received."""
    total, last_id = 0, None
    with ctx.server.client(token) as client:
        while True:
            body = {"limit": PAGE, "updatedUntil": iso(until), "userId": str(ctx.library.owner.id)}
            if last_id:
                body["lastId"] = last_id
            resp = client.post("/api/sync/full-sync", json=body)
            resp.raise_for_status()
            page = orjson.loads(resp.content)
            total += len(page)
            if len(page) < PAGE:
                return total
            last_id = page[-1]["id"]


def floor(ctx: Context, until: datetime) -> int:
    """Read the same rows without filmroll; returns the row count."""
    owner = ctx.library.owner.id
    if ctx.backend == "sqlite":
        path = ctx.database_url.removeprefix("sqlite:///")
        conn = sqlite3.connect(path)
        try:
            cur = conn.execute(_SELECT.format(owner="?", until="?"), (owner.hex, until.strftime(_TS)))
            rows = 0
            while batch := cur.fetchmany(PAGE):
                rows += len(batch)
            return rows
        finally:
            conn.close()
    url = ctx.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as pg, pg.cursor() as pg_cur:
        query = _SELECT.format(owner=f"'{owner}'", until=f"'{until.isoformat(sep=' ')}'")
        lines = 0
        with pg_cur.copy(f"COPY ({query}) TO STDOUT") as copy:
            for block in copy:
                lines += bytes(block).count(b"\n")
        return lines


def run(ctx: Context) -> Result:
    token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
    until = utcnow()
    sync_times, floor_times = [], []
    received = rows = 0
    for _ in range(ctx.profile.runs):
        seconds, received = timed(lambda: sync_all(ctx, token, until))
        sync_times.append(seconds)
        seconds, rows = timed(lambda: floor(ctx, until))
        floor_times.append(seconds)
    if received != rows:
        raise RuntimeError(f"full sync returned {received} assets, the database holds {rows}")
    sync_s, floor_s = median(sync_times), median(floor_times)
    return {
        "assets": received,
        "seconds": round(sync_s, 4),
        "assets_per_s": round(received / sync_s),
        "floor_seconds": round(floor_s, 4),
        "floor_rows_per_s": round(rows / floor_s),
        "ratio_to_floor": round(sync_s / floor_s, 2),
    }
