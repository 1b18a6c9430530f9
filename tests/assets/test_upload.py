"""POST /api/assets and the upload checks, over real HTTP on both databases."""

from __future__ import annotations

import base64
import hashlib
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.assets.helpers import (
    PHOTOS,
    asset_count,
    form,
    owner_files,
    upload,
    validate_schema,
    wait_for_jobs,
)
from tests.support import LiveServer

JPEG = PHOTOS / "node-exif" / "test1.jpg"


def test_checksum_header_answers_duplicate_before_body(server: LiveServer) -> None:
    _uid, _email, token = server.new_user("header")
    with server.client(token) as c:
        first = upload(c, JPEG).json()["id"]
        digest = hashlib.sha1(JPEG.read_bytes()).digest()
        for header in (digest.hex(), base64.b64encode(digest).decode()):
            resp = c.post(
                "/api/assets",
                headers={"x-immich-checksum": header},
                data=form(),
                files={"assetData": ("x.jpg", b"")},
            )
            assert resp.status_code == 200
            assert resp.json() == {"id": first, "status": "duplicate"}


def test_bulk_upload_check_and_exist(server: LiveServer) -> None:
    _uid, _email, token = server.new_user("check")
    with server.client(token) as c:
        asset_id = upload(c, JPEG, deviceAssetId="dev-1", deviceId="phone").json()["id"]
        digest = hashlib.sha1(JPEG.read_bytes()).digest()
        other = hashlib.sha1(b"other").hexdigest()
        resp = c.post(
            "/api/assets/bulk-upload-check",
            json={
                "assets": [
                    {"id": "a", "checksum": base64.b64encode(digest).decode()},
                    {"id": "b", "checksum": other},
                ]
            },
        )
        assert resp.status_code == 200
        assert resp.json() == {
            "results": [
                {
                    "id": "a",
                    "action": "reject",
                    "reason": "duplicate",
                    "assetId": asset_id,
                    "isTrashed": False,
                },
                {"id": "b", "action": "accept"},
            ]
        }
        validate_schema(resp.json(), "AssetBulkUploadCheckResponseDto")
        resp = c.post("/api/assets/exist", json={"deviceAssetIds": ["dev-1", "dev-2"], "deviceId": "phone"})
        assert resp.json() == {"existingIds": ["dev-1"]}


@pytest.mark.parametrize(
    ("fields", "content", "message"),
    [
        ({"fileCreatedAt": "yesterday"}, None, "fileCreatedAt"),
        ({"fileModifiedAt": ""}, None, "fileModifiedAt"),
        ({"visibility": "secret"}, None, "visibility"),
        ({"livePhotoVideoId": "not-a-uuid"}, None, "livePhotoVideoId"),
        ({"livePhotoVideoId": str(uuid.uuid4())}, None, "livePhotoVideoId"),
        ({}, b"plain text, not a photo", "Unsupported"),
        ({}, JPEG.read_bytes()[:2000], "damaged"),
    ],
)
def test_bad_uploads_leave_nothing(
    server: LiveServer, fields: dict[str, str], content: bytes | None, message: str
) -> None:
    uid, _email, token = server.new_user("bad")
    with server.client(token) as c:
        resp = upload(c, JPEG, content, **fields)
        assert resp.status_code == 400, resp.text
        body = resp.json()
        assert body["statusCode"] == 400 and body["error"] == "Bad Request"
        assert message in str(body["message"])
    assert asset_count(server, uid) == 0
    assert owner_files(server, uid) == []


def test_missing_asset_data(server: LiveServer) -> None:
    uid, _email, token = server.new_user("missing")
    with server.client(token) as c:
        resp = c.post("/api/assets", data=form(), files={"sidecarData": ("a.xmp", b"<x/>")})
        assert resp.status_code == 400
        assert resp.json()["message"] == ["assetData should not be empty"]
        resp = c.post("/api/assets", json={"deviceAssetId": "x"})
        assert resp.status_code == 400
    assert asset_count(server, uid) == 0


def test_disconnect_mid_upload_leaves_nothing(server: LiveServer) -> None:
    uid, _email, token = server.new_user("disconnect")
    boundary = "filmrollboundary"
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in form().items()
    )
    head += f'--{boundary}\r\nContent-Disposition: form-data; name="assetData"; filename="big.jpg"\r\n'
    head += "Content-Type: image/jpeg\r\n\r\n"
    payload = JPEG.read_bytes()
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        request = (
            f"POST /api/assets HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {10_000_000}\r\n\r\n"
        )
        sock.sendall(request.encode() + head.encode() + payload)
        deadline = time.monotonic() + 10
        while not owner_files(server, uid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert owner_files(server, uid), "the upload should have started writing"
    deadline = time.monotonic() + 10
    while owner_files(server, uid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert owner_files(server, uid) == []
    assert asset_count(server, uid) == 0


def test_storage_failure_answers_error_and_leaves_nothing(server: LiveServer) -> None:
    uid, _email, token = server.new_user("diskfull")
    blocker = server.settings.data_dir / "library" / uid
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_bytes(b"not a directory")
    try:
        with server.client(token) as c:
            resp = upload(c, JPEG)
            assert resp.status_code == 503, resp.text
            assert resp.json()["message"].startswith("Could not store the file")
        assert asset_count(server, uid) == 0
    finally:
        blocker.unlink()
    assert owner_files(server, uid) == []


def test_concurrent_identical_uploads_store_one(server: LiveServer) -> None:
    uid, _email, token = server.new_user("race")
    content = (PHOTOS / "piexif" / "large.jpg").read_bytes()

    def send(_n: int) -> httpx.Response:
        with server.client(token) as c:
            return upload(c, PHOTOS / "piexif" / "large.jpg", content)

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(send, range(4)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1
    assert len({r.json()["id"] for r in responses}) == 1
    assert asset_count(server, uid) == 1
    assert len([p for p in owner_files(server, uid) if "library" in p.parts]) == 1


def test_sidecar_is_stored_and_deleted_with_the_asset(server: LiveServer) -> None:
    uid, _email, token = server.new_user("sidecar")
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"/>'
    with server.client(token) as c:
        files = {"assetData": (JPEG.name, JPEG.read_bytes()), "sidecarData": ("test1.jpg.xmp", xmp)}
        resp = c.post("/api/assets", data=form(), files=files)
        assert resp.status_code == 201, resp.text
        sidecars = [p for p in owner_files(server, uid) if p.name.endswith(".xmp")]
        assert len(sidecars) == 1 and sidecars[0].read_bytes() == xmp
        too_big = {
            "assetData": (JPEG.name, JPEG.read_bytes()),
            "sidecarData": ("big.xmp", b"x" * (1024 * 1024 + 1)),
        }
        assert c.post("/api/assets", data=form(), files=too_big).status_code == 400
        asset_id = resp.json()["id"]
        assert c.request("DELETE", "/api/assets", json={"ids": [asset_id], "force": True}).status_code == 204
    assert [p for p in owner_files(server, uid) if "library" in p.parts] == []


OTHER = PHOTOS / "node-exif" / "test2.jpg"


def test_quota_usage_follows_uploads_and_deletes(server: LiveServer) -> None:
    size = JPEG.stat().st_size
    uid, _email, token = server.new_user("quota")
    with server.client(server.admin()) as admin:
        resp = admin.put(f"/api/admin/users/{uid}", json={"quotaSizeInBytes": size + 10})
        assert resp.status_code == 200, resp.text
    with server.client(token) as c:
        first = upload(c, JPEG)
        assert first.status_code == 201, first.text
        assert c.get("/api/users/me").json()["quotaUsageInBytes"] == size
        wait_for_jobs(server)
        files = owner_files(server, uid)
        refused = upload(c, OTHER)
        assert refused.status_code == 400
        assert refused.json()["message"] == "Quota has been exceeded!"
        assert asset_count(server, uid) == 1 and owner_files(server, uid) == files
        deleted = c.request("DELETE", "/api/assets", json={"ids": [first.json()["id"]], "force": True})
        assert deleted.status_code == 204, deleted.text
        assert c.get("/api/users/me").json()["quotaUsageInBytes"] == 0
        assert upload(c, OTHER).status_code == 201
