"""Streaming download memory: the server's peak RSS growth while one 2 GiB zip archive streams out.

Eight videos of the bench user share the size (2 GiB in a full run, 64 MiB with `--quick`); their
originals are sparse files written straight into the server's local storage (no disk space, no
upload time), so the figure is the archive path alone: database rows, storage reads and the zip
writer. The client reads the body in chunks and throws it away. Flat memory means the growth
stays a few MiB whatever the size (target: under 50 MiB for 2 GiB).
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import datetime

from bench.common import MIB, Context, Result, peak_rss, reset_peak, rss
from bench.generate import _asset_row, _write
from filmroll.db import clock, schema
from filmroll.storage.keys import asset_key

NAME = "download-memory"
FULL_SIZE = 2 * 1024 * MIB
QUICK_SIZE = 64 * MIB
FILES = 8


def _videos(ctx: Context, total: int) -> list[str]:
    """`FILES` assets whose sparse originals add up to `total` bytes; returns their ids."""
    rng = random.Random(total)
    owner = ctx.library.owner.id
    size = total // FILES
    taken = datetime(2036, 1, 1)
    ids = [uuid.uuid4() for _ in range(FILES)]
    with ctx.engine.begin() as conn:
        stamp = clock.reserve(conn, FILES)
        rows = []
        for i, asset_id in enumerate(ids):
            key = asset_key(str(owner), taken, str(asset_id), ".mp4")
            path = ctx.server.data_dir / key
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                fh.truncate(size)
            row = _asset_row(rng, asset_id, owner, i, stamp, i)
            row.update(type="VIDEO", original_path=key, original_file_name=f"big-{i}.mp4", file_size=size)
            rows.append(row)
        _write(conn, schema.assets, rows)
    return [str(i) for i in ids]


def run(ctx: Context) -> Result:
    total = QUICK_SIZE if ctx.profile.quick else FULL_SIZE
    ids = _videos(ctx, total)
    token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
    pid = ctx.server.pid
    received = 0
    with ctx.server.client(token, timeout=3600) as client:
        before = rss(pid)
        reset_peak(pid)
        start = time.perf_counter()
        with client.stream("POST", "/api/download/archive", json={"assetIds": ids}) as resp:
            if resp.status_code != 200:
                raise RuntimeError(f"archive answered {resp.status_code}: {resp.read()[:200]!r}")
            for chunk in resp.iter_raw(MIB):
                received += len(chunk)
        elapsed = time.perf_counter() - start
    if received < total:
        raise RuntimeError(f"the archive had {received} bytes, less than its {total} bytes of files")
    return {
        "bytes": received,
        "mib_per_s": round(received / MIB / elapsed, 1),
        "rss_growth_mib": round(max(0, peak_rss(pid) - before) / MIB, 1),
    }
