"""Streaming upload memory: the server's peak RSS growth while one huge video is uploaded.

The body is a real MP4 (the fixture video) padded with trailing bytes to `size` (2 GiB in a
full run, 64 MiB with `--quick`), generated while it is sent, so neither side holds it whole.
Flat memory means the growth stays a few MiB whatever the size.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from bench.common import MIB, Context, Result, peak_rss, reset_peak, rss
from filmroll.db.clock import utcnow

NAME = "upload-memory"
FULL_SIZE = 2 * 1024 * MIB
QUICK_SIZE = 64 * MIB
CHUNK = 1 * MIB
VIDEO = (
    Path(
        os.environ.get(
            "FILMROLL_BENCH_PHOTOS", Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "photos"
        )
    )
    / "pymediainfo"
    / "sample.mp4"
)


def _body(boundary: str, size: int) -> Iterator[bytes]:
    now = utcnow().isoformat() + "Z"
    fields = {"deviceAssetId": f"bench-{uuid.uuid4().hex}", "deviceId": "bench", "fileCreatedAt": now,
              "fileModifiedAt": now}  # fmt: skip
    for key, value in fields.items():
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="assetData"; filename="huge.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    video = VIDEO.read_bytes()
    yield video
    rng = random.Random(size)
    remaining = size - len(video)
    while remaining > 0:
        n = min(CHUNK, remaining)
        remaining -= n
        yield rng.randbytes(n)
    yield f"\r\n--{boundary}--\r\n".encode()


def run(ctx: Context) -> Result:
    token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
    size = QUICK_SIZE if ctx.profile.quick else FULL_SIZE
    pid = ctx.server.pid
    boundary = uuid.uuid4().hex
    before = rss(pid)
    reset_peak(pid)
    start = time.perf_counter()
    with ctx.server.client(token, timeout=3600) as client:
        resp = client.post(
            "/api/assets",
            content=_body(boundary, size),
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
    elapsed = time.perf_counter() - start
    if resp.status_code != 201:
        raise RuntimeError(f"upload answered {resp.status_code}: {resp.text[:200]}")
    return {
        "bytes": size,
        "mib_per_s": round(size / MIB / elapsed, 1),
        "rss_growth_mib": round(max(0, peak_rss(pid) - before) / MIB, 1),
    }
