"""Upload ingest: N distinct JPEGs made from the fixture photos, photos/s until the metadata
and thumbnail jobs are done (polled through `GET /api/jobs`)."""

from __future__ import annotations

import json
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import Context, Result, median
from filmroll.db.clock import utcnow

NAME = "upload-ingest"
UPLOADERS = 4
PHOTOS = Path(
    os.environ.get(
        "FILMROLL_BENCH_PHOTOS", Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "photos"
    )
)


def _sources() -> list[tuple[str, bytes]]:
    manifest = json.loads((PHOTOS / "manifest.json").read_text())
    found = [
        (Path(e["path"]).name, (PHOTOS / e["path"]).read_bytes())
        for e in manifest
        if e["mime"] == "image/jpeg"
    ]
    if not found:
        raise RuntimeError(f"no JPEG fixtures in {PHOTOS}")
    return found


def _variants(count: int, rng: random.Random) -> list[tuple[str, bytes]]:
    """Distinct files: bytes appended after the JPEG end-of-image marker change the checksum only."""
    sources = _sources()
    out = []
    for n in range(count):
        name, data = sources[n % len(sources)]
        out.append((f"{n:05d}-{name}", data + rng.randbytes(32)))
    return out


def _upload(ctx: Context, token: str, name: str, data: bytes) -> None:
    now = utcnow().isoformat() + "Z"
    fields = {
        "deviceAssetId": f"bench-{name}",
        "deviceId": "bench",
        "fileCreatedAt": now,
        "fileModifiedAt": now,
        "filename": name,
    }
    with ctx.server.client(token) as client:
        resp = client.post("/api/assets", data=fields, files={"assetData": (name, data, "image/jpeg")})
        if resp.status_code != 201:
            raise RuntimeError(f"upload answered {resp.status_code}: {resp.text[:200]}")


def _pending(ctx: Context, token: str) -> tuple[int, int]:
    with ctx.server.client(token) as client:
        resp = client.get("/api/jobs")
        resp.raise_for_status()
    queues = resp.json().values()
    pending = sum(q["jobCounts"][k] for q in queues for k in ("active", "waiting", "delayed"))
    return pending, sum(q["jobCounts"]["failed"] for q in queues)


def _wait_for_jobs(ctx: Context, token: str, timeout: float = 1800) -> int:
    deadline = time.monotonic() + timeout
    while True:
        pending, failed = _pending(ctx, token)
        if pending == 0:
            return failed
        if time.monotonic() > deadline:
            raise RuntimeError(f"{pending} jobs still pending after {timeout} s")
        time.sleep(0.05)


def run(ctx: Context) -> Result:
    token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
    rng = random.Random(5)
    rates, upload_rates = [], []
    count = ctx.profile.photos
    for _ in range(ctx.profile.runs):
        files = _variants(count, rng)
        start = time.perf_counter()
        with ThreadPoolExecutor(UPLOADERS) as pool:
            list(pool.map(lambda f: _upload(ctx, token, *f), files))
        uploaded = time.perf_counter() - start
        failed = _wait_for_jobs(ctx, token)
        if failed:
            raise RuntimeError(f"{failed} ingest jobs failed")
        rates.append(count / (time.perf_counter() - start))
        upload_rates.append(count / uploaded)
    return {
        "photos": count,
        "bytes_per_photo": round(sum(len(d) for _, d in _variants(count, rng)) / count),
        "uploaders": UPLOADERS,
        "photos_per_s": round(median(rates), 2),
        "uploads_per_s": round(median(upload_rates), 2),
    }
