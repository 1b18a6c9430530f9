"""Uploads, jobs, file serving and deletes with the S3 backend (a moto server process), both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.assets.helpers import PHOTOS, asset_count, upload, wait_for_jobs
from tests.storage.storage_support import ACCESS_KEY, BUCKET, REGION, SECRET_KEY
from tests.support import LiveServer, fresh_database, live_server

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@pytest.fixture
def s3_server(backend: str, tmp_path: Path, s3_endpoint: str) -> Iterator[LiveServer]:
    settings = {
        "storage": "s3",
        "s3_bucket": BUCKET,
        "s3_endpoint_url": s3_endpoint,
        "s3_region": REGION,
        "s3_access_key_id": ACCESS_KEY,
        "s3_secret_access_key": SECRET_KEY,
        "s3_prefix": f"assets-{uuid.uuid4().hex}",
    }
    with live_server(fresh_database(backend, tmp_path), tmp_path / "data", **settings) as live:
        yield live


def _objects(s3: S3Client, prefix: str) -> list[str]:
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(obj["Key"] for obj in listing.get("Contents", []))


def test_s3_upload_serve_delete(s3_server: LiveServer, s3_client: S3Client) -> None:
    prefix = s3_server.settings.s3_prefix
    uid, _e, token = s3_server.new_user("s3")
    jpeg = PHOTOS / "node-exif" / "test2.jpg"
    video = PHOTOS / "pymediainfo" / "sample.mp4"
    with s3_server.client(token) as c:
        photo_id = upload(c, jpeg).json()["id"]
        video_id = upload(c, video).json()["id"]
        wait_for_jobs(s3_server)
        assert len(_objects(s3_client, prefix)) == 6
        asset = c.get(f"/api/assets/{photo_id}").json()
        assert asset["exifInfo"]["model"] == "iPhone 4S" and asset["thumbhash"]
        thumb = c.get(f"/api/assets/{photo_id}/thumbnail")
        assert thumb.headers["content-type"] == "image/webp"
        assert (
            c.get(
                f"/api/assets/{photo_id}/thumbnail", headers={"if-none-match": thumb.headers["etag"]}
            ).status_code
            == 304
        )
        part = c.get(f"/api/assets/{video_id}/video/playback", headers={"range": "bytes=10-19"})
        assert part.status_code == 206 and part.content == video.read_bytes()[10:20]

        damaged = upload(c, jpeg, jpeg.read_bytes()[:1500])
        assert damaged.status_code == 400
        assert len(_objects(s3_client, prefix)) == 6

        assert (
            c.request("DELETE", "/api/assets", json={"ids": [photo_id, video_id], "force": True}).status_code
            == 204
        )
    assert _objects(s3_client, prefix) == []
    assert asset_count(s3_server, uid) == 0
