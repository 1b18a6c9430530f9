"""Jobs after upload: metadata for every fixture, thumbnails, and file serving with ranges and 304."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import httpx

from tests.assets.helpers import MANIFEST, PHOTOS, sha1, upload, validate_schema, wait_for_jobs
from tests.support import LiveServer


def _upload_all(server: LiveServer, client: httpx.Client) -> dict[str, str]:
    """Every fixture is created once; sending them all again answers duplicates with the same ids."""
    ids = {}
    for entry in MANIFEST:
        resp = upload(client, PHOTOS / entry["path"])
        assert resp.status_code == 201, (entry["path"], resp.text)
        assert resp.json()["status"] == "created"
        ids[entry["path"]] = resp.json()["id"]
    for entry in MANIFEST:
        resp = upload(client, PHOTOS / entry["path"])
        assert resp.status_code == 200
        assert resp.json() == {"id": ids[entry["path"]], "status": "duplicate"}
    wait_for_jobs(server)
    return ids


def test_every_fixture_uploads_once_and_metadata_matches_manifest(server: LiveServer) -> None:
    _uid, _email, token = server.new_user("meta")
    with server.client(token) as c:
        ids = _upload_all(server, c)
        for entry in MANIFEST:
            asset: dict[str, Any] = c.get(f"/api/assets/{ids[entry['path']]}").json()
            validate_schema(asset, "AssetResponseDto")
            assert base64.b64decode(asset["checksum"]).hex() == entry["sha1"] == sha1(PHOTOS / entry["path"])
            assert asset["originalFileName"] == Path(entry["path"]).name
            exif = asset["exifInfo"]
            assert exif is not None, entry["path"]
            assert exif["make"] == entry["make"] and exif["model"] == entry["model"], entry["path"]
            assert (exif["exifImageWidth"], exif["exifImageHeight"]) == (entry["width"], entry["height"])
            assert {asset["width"], asset["height"]} == {entry["width"], entry["height"]}
            assert exif["fileSizeInByte"] == entry["bytes"]
            wall = entry["dateTimeOriginal"].replace(":", "-", 2).replace(" ", "T")
            assert asset["localDateTime"].startswith(wall), (entry["path"], asset["localDateTime"])
            if entry["gps"]:
                assert abs(exif["latitude"] - entry["gps"][0]) < 1e-4
                assert abs(exif["longitude"] - entry["gps"][1]) < 1e-4
                assert exif["country"]
            else:
                assert exif["latitude"] is None
            assert asset["thumbhash"], entry["path"]
            assert asset["type"] == ("VIDEO" if entry["type"] == "MP4" else "IMAGE")
            if entry["type"] == "MP4":
                assert asset["duration"].startswith("00:00:01")
    with server.client(server.admin()) as admin:
        jobs = admin.get("/api/jobs").json()
        assert set(jobs) == {"metadataExtraction", "thumbnailGeneration"}
        assert all(q["jobCounts"]["failed"] == 0 for q in jobs.values())


def test_thumbnails_and_originals(server: LiveServer) -> None:
    _uid, _email, token = server.new_user("files")
    jpeg = PHOTOS / "node-exif" / "test1.jpg"
    heic = PHOTOS / "pillow-heif" / "arrow.heic"
    video = PHOTOS / "pymediainfo" / "sample.mp4"
    with server.client(token) as c:
        ids = {p.name: upload(c, p).json()["id"] for p in (jpeg, heic, video)}
        wait_for_jobs(server)
        for name, asset_id in ids.items():
            thumb = c.get(f"/api/assets/{asset_id}/thumbnail")
            assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp", name
            assert thumb.content[8:12] == b"WEBP"
            preview = c.get(f"/api/assets/{asset_id}/thumbnail", params={"size": "preview"})
            assert preview.headers["content-type"] == "image/jpeg" and preview.content[:3] == b"\xff\xd8\xff"
            etag = thumb.headers["etag"]
            again = c.get(f"/api/assets/{asset_id}/thumbnail", headers={"if-none-match": etag})
            assert again.status_code == 304 and again.content == b""
        full = c.get(f"/api/assets/{ids['test1.jpg']}/thumbnail", params={"size": "fullsize"})
        assert full.headers["content-type"] == "image/jpeg" and full.content == jpeg.read_bytes()
        heic_full = c.get(f"/api/assets/{ids['arrow.heic']}/thumbnail", params={"size": "fullsize"})
        assert heic_full.headers["content-type"] == "image/jpeg" and heic_full.content[:3] == b"\xff\xd8\xff"

        original = c.get(f"/api/assets/{ids['arrow.heic']}/original")
        assert original.headers["content-type"] == "image/heic"
        assert hashlib.sha1(original.content).hexdigest() == sha1(heic)

        url = f"/api/assets/{ids['sample.mp4']}/video/playback"
        whole = c.get(url)
        assert whole.headers["content-type"] == "video/mp4" and whole.content == video.read_bytes()
        part = c.get(url, headers={"range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == video.read_bytes()[100:200]
        assert part.headers["content-range"] == f"bytes 100-199/{video.stat().st_size}"
        tail = c.get(url, headers={"range": "bytes=-10"})
        assert tail.status_code == 206 and tail.content == video.read_bytes()[-10:]
        bad = c.get(url, headers={"range": f"bytes={video.stat().st_size}-"})
        assert bad.status_code == 416
        assert c.get(f"/api/assets/{ids['test1.jpg']}/video/playback").status_code == 404
        assert c.get(f"/api/assets/{ids['test1.jpg']}/thumbnail", params={"size": "huge"}).status_code == 400
