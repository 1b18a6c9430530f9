"""v1 full sync (POST, pages of 10,000 walking `lastId`) against the database's own floor.

The floor reads the same rows and columns straight from the database in the same run
(`bench.floor`). The ratio filmroll/floor is the figure the target (at most 2x) is about. The
timed walk reads each page's bytes and finds its count and last id without decoding it, as the
floor decodes nothing on the client either; one more walk decodes every page as JSON, checks it
and is reported as `seconds_with_client_decode`.
"""

from __future__ import annotations

from datetime import datetime

import orjson

from bench.common import Context, Result, iso, median, timed
from bench.floor import rows as floor_rows
from filmroll.db.clock import utcnow
from filmroll.db.schema import asset_exif, assets

NAME = "v1-full-sync"
ENCODINGS = ("identity", "gzip", "zstd")
PAGE = 10_000
_TS = "%Y-%m-%d %H:%M:%S.%f"
_DATA = ", ".join(
    [f"a.{c.name}" for c in assets.c if not c.name.startswith("wire_")]
    + [f"e.{c.name}" for c in asset_exif.c if not c.name.startswith("wire_") and c.name != "owner_id"]
)
"""The data columns of both tables, as before stored wire forms existed: the floor is the cost of
reading the library's own columns, not of reading filmroll's stored encodings."""
_SELECT = (
    "SELECT " + _DATA + " FROM assets a LEFT JOIN asset_exif e ON e.asset_id = a.id "
    "WHERE a.owner_id = {owner} AND a.visibility IN ('timeline', 'archive') "
    "AND a.updated_at <= {until} ORDER BY a.id"
)


_ELEMENT = b',{"id":"'
"""How every array element but the first begins: an `AssetResponseDto` opens with its id, and no
other object in one follows a comma (a JSON string never holds an unescaped quote)."""


def _scan(body: bytes) -> tuple[int, str | None]:
    """(elements, last element's id) of a full-sync page without decoding it: the floor does no
    client-side decoding either, so neither does the timed sync (`verify` decodes it once)."""
    if not body.startswith(b'[{"id":"'):
        return 0, None
    last = body.rfind(_ELEMENT)
    start = (last if last >= 0 else 0) + len(_ELEMENT)
    return body.count(_ELEMENT) + 1, body[start : start + 36].decode()


def _decoded(body: bytes) -> tuple[int, str | None]:
    page = orjson.loads(body)
    if len({a["id"] for a in page}) != len(page) or any("exifInfo" not in a for a in page[:10]):
        raise RuntimeError("full sync page with repeated ids or without exifInfo")
    return len(page), page[-1]["id"] if page else None


def sync_all(
    ctx: Context, token: str, until: datetime, encoding: str = "identity", decode: bool = False
) -> tuple[int, int]:
    """Walk every page like the mobile app does, asking for `encoding`; returns the number of
    assets received and the bytes on the wire. Pages are decoded as JSON only with `decode`."""
    total, wire, last_id = 0, 0, None
    with ctx.server.client(token) as client:
        while True:
            body = {"limit": PAGE, "updatedUntil": iso(until), "userId": str(ctx.library.owner.id)}
            if last_id:
                body["lastId"] = last_id
            resp = client.post("/api/sync/full-sync", json=body, headers={"accept-encoding": encoding})
            resp.raise_for_status()
            if resp.headers.get("content-encoding", "identity") != encoding:
                raise RuntimeError(f"asked for {encoding}, got {resp.headers.get('content-encoding')}")
            wire += resp.num_bytes_downloaded
            count, last_id = (_decoded if decode else _scan)(resp.content)
            total += count
            if count < PAGE:
                return total, wire


def floor(ctx: Context, until: datetime) -> int:
    """Read the same rows without filmroll; returns the row count."""
    owner = ctx.library.owner.id
    if ctx.backend == "sqlite":
        params: list[object] = [owner.hex, until.strftime(_TS)]
    else:
        params = [owner, until.isoformat(sep=" ")]
    return floor_rows(ctx.backend, ctx.database_url, _SELECT.format(owner="?", until="?"), params)


def run(ctx: Context) -> Result:
    token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
    until = utcnow()
    sync_times, floor_times = [], []
    received = rows = 0
    wire: dict[str, list[int]] = {e: [] for e in ENCODINGS}
    for _ in range(ctx.profile.runs):
        seconds, (received, plain) = timed(lambda: sync_all(ctx, token, until))
        sync_times.append(seconds)
        wire["identity"].append(plain)
        seconds, rows = timed(lambda: floor(ctx, until))
        floor_times.append(seconds)
    decode_s, (decoded, _size) = timed(lambda: sync_all(ctx, token, until, decode=True))
    if decoded != received:
        raise RuntimeError(f"decoded full sync returned {decoded} assets, scanned {received}")
    for encoding in ENCODINGS[1:]:
        got, size = sync_all(ctx, token, until, encoding)
        if got != received:
            raise RuntimeError(f"{encoding} full sync returned {got} assets, plain {received}")
        wire[encoding].append(size)
    if received != rows:
        raise RuntimeError(f"full sync returned {received} assets, the database holds {rows}")
    sync_s, floor_s = median(sync_times), median(floor_times)
    per_asset = {f"{e}_bytes_per_asset": round(median(sizes) / max(1, received)) for e, sizes in wire.items()}
    return {
        **per_asset,
        "assets": received,
        "seconds": round(sync_s, 4),
        "assets_per_s": round(received / sync_s),
        "floor_seconds": round(floor_s, 4),
        "floor_rows_per_s": round(rows / floor_s),
        "ratio_to_floor": round(sync_s / floor_s, 2),
        "seconds_with_client_decode": round(decode_s, 4),
    }
