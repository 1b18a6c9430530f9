"""v2 full stream of `AssetsV1` + `AssetExifsV1`: lines/s against the database's floor, the
server's memory growth, and the bytes on the wire per asset for each content encoding.

Growth is the server's peak RSS during the stream (VmHWM, reset just before) minus its RSS
before the stream; the client reads the stream incrementally and only counts lines. The floor
reads the same columns of the same rows in the same order straight from the database
(`bench.floor`) in the same run. Each encoding (`identity`, `gzip`, `zstd`) gets a fresh session
and is timed the same way; its bytes are the raw (compressed) body, decoded incrementally to
count the lines.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable

import httpx
import zstandard

from bench.common import MIB, Context, Result, median, peak_rss, reset_peak, rss, timed
from bench.floor import rows as floor_rows
from filmroll.sync.v2.fields import ASSET_FIELDS, EXIF_FIELDS

NAME = "v2-full-stream"
TYPES = ["AssetsV1", "AssetExifsV1"]
ENCODINGS = ("identity", "gzip", "zstd")
_ASSETS = (
    f"SELECT {', '.join(c for _k, c in ASSET_FIELDS)} FROM assets WHERE owner_id = ? ORDER BY update_seq"
)
_EXIF = (
    f"SELECT {', '.join('e.' + c for _k, c in EXIF_FIELDS)} FROM asset_exif e "
    "JOIN assets a ON a.id = e.asset_id WHERE a.owner_id = ? ORDER BY e.update_seq"
)


def _decoder(encoding: str) -> Callable[[bytes], bytes]:
    if encoding == "gzip":
        return zlib.decompressobj(31).decompress
    if encoding == "zstd":
        return zstandard.ZstdDecompressor().decompressobj().decompress
    return lambda chunk: chunk


def stream_lines(client: httpx.Client, types: list[str], encoding: str = "identity") -> int:
    return stream_wire(client, types, encoding)[0]


def stream_wire(client: httpx.Client, types: list[str], encoding: str = "identity") -> tuple[int, int, float]:
    """(lines, bytes on the wire, seconds to the first whole line) of one stream asked for with
    `Accept-Encoding: encoding`."""
    lines = wire = 0
    first = 0.0
    decode = _decoder(encoding)
    headers = {"accept-encoding": encoding}
    start = time.perf_counter()
    with client.stream("POST", "/api/sync/stream", json={"types": types}, headers=headers) as resp:
        resp.raise_for_status()
        if resp.headers.get("content-encoding", "identity") != encoding:
            raise RuntimeError(f"asked for {encoding}, got {resp.headers.get('content-encoding')}")
        for chunk in resp.iter_raw():
            wire += len(chunk)
            lines += decode(chunk).count(b"\n")
            if lines and not first:
                first = time.perf_counter() - start
    return lines, wire, first


def floor(ctx: Context) -> int:
    owner: object = ctx.library.owner.id.hex if ctx.backend == "sqlite" else ctx.library.owner.id
    return sum(floor_rows(ctx.backend, ctx.database_url, q, [owner]) for q in (_ASSETS, _EXIF))


def _one(ctx: Context, encoding: str) -> tuple[float, int, int, int, float]:
    """Seconds, lines, wire bytes, memory growth and first-line seconds of one stream for a
    new session."""
    pid = ctx.server.pid
    token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
    with ctx.server.client(token) as client:
        before = rss(pid)
        reset_peak(pid)
        start = time.perf_counter()
        lines, wire, first = stream_wire(client, TYPES, encoding)
        seconds = time.perf_counter() - start
        return seconds, lines, wire, max(0, peak_rss(pid) - before), first


def run(ctx: Context) -> Result:
    measured: dict[str, list[tuple[float, int, int, int, float]]] = {e: [] for e in ENCODINGS}
    floor_times: list[float] = []
    floor_count = 0
    for _ in range(ctx.profile.runs):
        for encoding in ENCODINGS:
            measured[encoding].append(_one(ctx, encoding))
        seconds, floor_count = timed(lambda: floor(ctx))
        floor_times.append(seconds)
    expected = 2 * ctx.library.size
    plain = measured["identity"]
    lines = plain[-1][1]
    for encoding, runs in measured.items():
        if any(r[1] < expected for r in runs):
            raise RuntimeError(f"{encoding} stream sent {min(r[1] for r in runs)} lines, expected {expected}")
    if floor_count != expected:
        raise RuntimeError(f"floor read {floor_count} rows, expected {expected}")
    seconds, floor_s = median([r[0] for r in plain]), median(floor_times)
    result: Result = {
        "assets": ctx.library.size,
        "lines": lines,
        "seconds": round(seconds, 4),
        "lines_per_s": round(lines / seconds),
        "first_line_ms": round(median([r[4] for r in plain]) * 1000, 1),
        "floor_seconds": round(floor_s, 4),
        "ratio_to_floor": round(seconds / floor_s, 2),
        "memory_growth_mib": round(median([r[3] for r in plain]) / MIB, 1),
        "server_rss_mib": round(rss(ctx.server.pid) / MIB, 1),
    }
    for encoding, runs in measured.items():
        result[f"{encoding}_bytes_per_asset"] = round(median([r[2] for r in runs]) / ctx.library.size)
        if encoding != "identity":
            result[f"{encoding}_time_ratio"] = round(median([r[0] for r in runs]) / seconds, 2)
    return result
