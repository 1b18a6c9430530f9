"""Image bombs: small files declaring huge images must not blow up the server's memory.

The server runs in its own process so its peak resident size (`VmHWM`) can be read.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.assets.helpers import PHOTOS, form
from tests.assets.server_process import ServerProcess, server_process

MAX_GROWTH_MIB = 300
WARM_UP = PHOTOS / "node-exif" / "test1.jpg"  # has GPS: loads the geocoder before measuring


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 12,000 x 12,000 single-colour PNG: 144 megapixels in about 0.45 MB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.png"
    Image.new("RGB", (12_000, 12_000), (200, 30, 30)).save(path, compress_level=9)
    assert path.stat().st_size < 1024 * 1024
    return path


def _upload(server: ServerProcess, token: str, name: str, content: bytes) -> str:
    with server.client(token) as c:
        resp = c.post("/api/assets", data=form(), files={"assetData": (name, content, "image/png")})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def _wait_for_jobs(server: ServerProcess, token: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    with server.client(token) as c:
        while True:
            body: dict[str, Any] = c.get("/api/jobs").json()
            counts = [q["jobCounts"] for q in body.values()]
            if sum(n["waiting"] + n["active"] + n["delayed"] for n in counts) == 0:
                return body
            assert time.monotonic() < deadline, f"jobs still running: {body}"
            time.sleep(0.2)


def _warm_up(server: ServerProcess, token: str) -> float:
    """Upload an ordinary photo so imports and the geocoder are loaded; the peak after it."""
    _upload(server, token, WARM_UP.name, WARM_UP.read_bytes())
    _wait_for_jobs(server, token)
    return server.peak_rss_mib()


def test_png_bomb_is_refused_without_decoding(database_url: str, tmp_path: Path, bomb: Path) -> None:
    with server_process(database_url, tmp_path / "data") as server:
        token = server.admin()
        before = _warm_up(server, token)
        asset_id = _upload(server, token, "bomb.png", bomb.read_bytes())
        jobs = _wait_for_jobs(server, token)
        growth = server.peak_rss_mib() - before
        assert growth < MAX_GROWTH_MIB, f"peak RSS grew by {growth:.0f} MiB"
        assert server.answers()
        # The asset is kept with its header metadata; only its thumbnails are refused.
        assert jobs["thumbnailGeneration"]["jobCounts"]["failed"] == 1
        assert jobs["metadataExtraction"]["jobCounts"]["failed"] == 0
        with server.client(token) as c:
            asset = c.get(f"/api/assets/{asset_id}").json()
            exif = asset["exifInfo"]
            assert (exif["exifImageWidth"], exif["exifImageHeight"]) == (12_000, 12_000)
            assert asset["thumbhash"] is None
            assert c.get(f"/api/assets/{asset_id}/thumbnail").status_code == 404


def test_concurrent_large_decodes_share_one_budget(database_url: str, tmp_path: Path) -> None:
    """Images just under the pixel limit, decoded by several jobs at once, do not add up."""
    images = []
    for n in range(3):
        path = tmp_path / f"large-{n}.png"
        Image.new("RGBA", (7_000, 7_000), (n, 90, 160, 255)).save(path)
        images.append(path)
    with server_process(database_url, tmp_path / "data", FILMROLL_JOB_CONCURRENCY="6") as server:
        token = server.admin()
        before = _warm_up(server, token)
        with ThreadPoolExecutor(max_workers=3) as pool:
            ids = list(pool.map(lambda p: _upload(server, token, p.name, p.read_bytes()), images))
        jobs = _wait_for_jobs(server, token)
        growth = server.peak_rss_mib() - before
        assert growth < MAX_GROWTH_MIB, f"peak RSS grew by {growth:.0f} MiB"
        assert all(q["jobCounts"]["failed"] == 0 for q in jobs.values()), jobs
        with server.client(token) as c:
            for asset_id in ids:
                assert c.get(f"/api/assets/{asset_id}/thumbnail").status_code == 200
