"""Profile images: upload, fetch, replace and delete over HTTP, with Immich's status codes and bodies."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import httpx
from PIL import Image

from tests.assets.helpers import PHOTOS
from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer
from tests.sync.v2.helpers import of_type
from tests.users.helpers import new_client


def upload(client: httpx.Client, content: bytes, name: str = "avatar.jpg") -> httpx.Response:
    return client.post(
        "/api/users/profile-image", files={"file": (name, content, "application/octet-stream")}
    )


def stored(server: LiveServer, user_id: str) -> list[Path]:
    """Profile image files the server holds for the user."""
    folder = server.settings.data_dir / "profile" / user_id
    return sorted(p for p in folder.glob("*") if p.is_file()) if folder.exists() else []


def png(width: int, height: int, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 200, 30, 128) if mode == "RGBA" else (10, 200, 30)).save(out, "PNG")
    return out.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares `width` x `height` pixels (the data does not follow)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))


def test_upload_fetch_replace_delete(server: LiveServer) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    before = alice.http.get("/api/users/me").json()
    assert before["profileImagePath"] == ""

    resp = upload(alice.http, (PHOTOS / "exif-parser/starfish.jpg").read_bytes())
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert_matches("CreateProfileImageResponseDto", body)
    assert body["userId"] == alice.user_id and body["profileImagePath"]
    assert body["profileChangedAt"] > before["profileChangedAt"]
    me = alice.http.get("/api/users/me").json()
    assert (me["profileImagePath"], me["profileChangedAt"]) == (
        body["profileImagePath"],
        body["profileChangedAt"],
    )

    image = bob.http.get(f"/api/users/{alice.user_id}/profile-image")
    assert image.status_code == 200, image.text
    assert image.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(image.content)) as decoded:
        assert decoded.format == "JPEG" and decoded.size == (1278, 720)
        assert not decoded.getexif(), "the camera's EXIF (GPS position included) is not passed on"
    first = stored(server, alice.user_id)
    assert len(first) == 1

    assert upload(alice.http, (PHOTOS / "node-exif/sony-alpha-6000.jpg").read_bytes()).status_code == 201
    with Image.open(io.BytesIO(bob.http.get(f"/api/users/{alice.user_id}/profile-image").content)) as decoded:
        assert decoded.size == (1440, 960), "resized to a longest side of 1440"
    second = stored(server, alice.user_id)
    assert len(second) == 1 and second != first, "the replaced file is removed"

    assert alice.http.delete("/api/users/profile-image").status_code == 204
    assert stored(server, alice.user_id) == []
    assert alice.http.get("/api/users/me").json()["profileImagePath"] == ""
    assert_error_body(bob.http.get(f"/api/users/{alice.user_id}/profile-image"), 404)
    assert_error_body(alice.http.delete("/api/users/profile-image"), 400)


def test_every_accepted_format(server: LiveServer) -> None:
    alice = new_client(server, "alice")
    webp = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 0, 255)).save(webp, "WEBP")
    for name, content in (
        ("a.png", png(64, 48)),
        ("a.webp", webp.getvalue()),
        ("a.heic", (PHOTOS / "pillow-heif/empty_icc.heic").read_bytes()),
        ("a.jpg", (PHOTOS / "piexif/02.jpg").read_bytes()),
    ):
        assert upload(alice.http, content, name).status_code == 201, name
        got = alice.http.get(f"/api/users/{alice.user_id}/profile-image")
        with Image.open(io.BytesIO(got.content)) as decoded:
            assert decoded.format == "JPEG" and decoded.mode == "RGB", name
    assert len(stored(server, alice.user_id)) == 1


def test_bad_files_get_400_and_leave_nothing(server: LiveServer) -> None:
    alice = new_client(server, "alice")
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    jpeg = (PHOTOS / "piexif/02.jpg").read_bytes()
    for name, content in (
        ("notes.jpg", b"hello, not an image"),
        ("empty.png", b""),
        ("cut.jpg", jpeg[: len(jpeg) // 3]),
        ("anim.gif", gif.getvalue()),
        ("bomb.png", png_bomb(30_000, 30_000)),
    ):
        body = assert_error_body(upload(alice.http, content, name), 400)
        assert body["error"] == "Bad Request", name
    assert stored(server, alice.user_id) == []
    assert alice.http.get("/api/users/me").json()["profileImagePath"] == ""

    assert_error_body(alice.http.post("/api/users/profile-image", files={"other": ("a.jpg", jpeg)}), 400)
    assert_error_body(alice.http.post("/api/users/profile-image", data={"file": "text"}), 400)
    assert_error_body(alice.http.post("/api/users/profile-image", json={"file": "x"}), 400)
    broken = alice.http.post(
        "/api/users/profile-image",
        content=b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\nabc',
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert_error_body(broken, 400)
    assert stored(server, alice.user_id) == []


def test_profile_change_is_synced(server: LiveServer) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    bob.sync(["UsersV1"])
    alice.sync(["AuthUsersV1"])
    body = upload(alice.http, png(32, 32)).json()
    [user] = of_type(bob.sync(["UsersV1"]), "UserV1")
    assert (user["id"], user["hasProfileImage"]) == (alice.user_id, True)
    [auth_user] = of_type(alice.sync(["AuthUsersV1"]), "AuthUserV1")
    assert auth_user["hasProfileImage"] is True
    assert auth_user["profileChangedAt"] == user["profileChangedAt"]
    assert user["profileChangedAt"][:19] == body["profileChangedAt"][:19]

    assert alice.http.delete("/api/users/profile-image").status_code == 204
    [user] = of_type(bob.sync(["UsersV1"]), "UserV1")
    assert user["hasProfileImage"] is False and user["profileChangedAt"] > auth_user["profileChangedAt"]


def test_permissions_and_unknown_users(server: LiveServer) -> None:
    alice = new_client(server, "alice")
    key = alice.http.post("/api/api-keys", json={"name": "ro", "permissions": ["user.read"]})
    assert key.status_code == 201, key.text
    with server.client(**{"x-api-key": key.json()["secret"]}) as limited:
        assert_error_body(upload(limited, png(8, 8)), 403)
        assert_error_body(limited.delete("/api/users/profile-image"), 403)
        assert_error_body(limited.get(f"/api/users/{alice.user_id}/profile-image"), 403)
    with server.client() as anonymous:
        assert_error_body(upload(anonymous, png(8, 8)), 401)
    assert_error_body(alice.http.get("/api/users/00000000-0000-4000-8000-000000000000/profile-image"), 400)
    assert_error_body(alice.http.get("/api/users/not-a-uuid/profile-image"), 400)
