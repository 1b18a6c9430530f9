"""Every kind of client mistake gets a 4xx with Immich's error body, never a 500."""

from __future__ import annotations

import uuid

import pytest

from filmroll.api.dto import MAX_DESCRIPTION, MAX_IDS, MAX_NAME
from tests.assets.helpers import PHOTOS, form, upload
from tests.contract import assert_error_body
from tests.support import LiveServer

JPEG = PHOTOS / "piexif" / "r_canon.jpg"


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        (
            "post",
            "/api/auth/login",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
        ),
        ("post", "/api/auth/login", {"json": {"email": "not-an-email", "password": "x"}}),
        ("post", "/api/auth/login", {"json": {"email": "a@example.com", "password": 5}}),
        ("post", "/api/auth/login", {"json": ["a", "list"]}),
        ("post", "/api/auth/login", {"json": {}}),
    ],
)
def test_malformed_login(server: LiveServer, method: str, path: str, kwargs: dict[str, object]) -> None:
    with server.client() as c:
        body = assert_error_body(getattr(c, method)(path, **kwargs), 400)
        assert isinstance(body["message"], list) and body["message"]
        assert body["error"] == "Bad Request"


def test_authenticated_bad_input(server: LiveServer) -> None:
    _id, _email, token = server.new_user()
    with server.client(token) as c:
        assert_error_body(c.put("/api/users/me", json={"avatarColor": "chartreuse"}), 400)
        assert_error_body(c.get("/api/users/not-a-uuid"), 400)
        assert_error_body(c.put("/api/users/me", json={"name": 12}), 400)
        assert_error_body(c.post("/api/api-keys", json={"permissions": "all"}), 400)
        assert_error_body(c.delete("/api/sessions/123"), 400)
    with server.client(server.admin()) as admin:
        assert_error_body(admin.post("/api/admin/users", json={"email": "x@example.com"}), 400)
        assert_error_body(admin.put("/api/admin/users/zzz", json={}), 400)


def test_unknown_route_and_method(server: LiveServer) -> None:
    with server.client() as c:
        assert_error_body(c.get("/api/no-such-thing"), 404)
        assert_error_body(c.delete("/api/server/ping"), 405)


SURROGATE = b'"\\ud800"'
JSON = {"content-type": "application/json"}
OVERFLOWING = ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00")
NIL = "00000000-0000-4000-8000-000000000000"


def _asset(server: LiveServer, token: str) -> str:
    with server.client(token) as c:
        resp = upload(c, JPEG, content=JPEG.read_bytes() + uuid.uuid4().bytes)
        assert resp.status_code == 201, resp.text
        return str(resp.json()["id"])


def test_lone_surrogates_are_refused_in_every_json_body(server: LiveServer) -> None:
    """Python's json accepts `"\\ud800"`, which no database or response can encode; it is a 400,
    and the connection stays usable."""
    _id, _email, token = server.new_user()
    asset = _asset(server, token)
    requests = [
        ("post", "/api/albums", b'{"albumName": %s}' % SURROGATE),
        ("put", f"/api/assets/{asset}", b'{"description": %s}' % SURROGATE),
        ("put", "/api/users/me", b'{"name": %s}' % SURROGATE),
        ("post", "/api/api-keys", b'{"name": %s, "permissions": ["all"]}' % SURROGATE),
        ("post", "/api/sync/ack", b'{"acks": [%s]}' % SURROGATE),
        ("post", "/api/sync/full-sync", b'{"limit": 1, "updatedUntil": %s}' % SURROGATE),
        ("post", "/api/auth/login", b'{"email": "a@example.com", "password": %s}' % SURROGATE),
    ]
    with server.client(token) as c:
        for method, path, content in requests:
            assert_error_body(c.request(method.upper(), path, content=content, headers=JSON), 400)
            assert c.get("/api/users/me").status_code == 200


@pytest.mark.parametrize("when", OVERFLOWING)
def test_dates_without_a_utc_equivalent_are_refused(server: LiveServer, when: str) -> None:
    _id, _email, token = server.new_user()
    asset = _asset(server, token)
    with server.client(token) as c:
        assert_error_body(upload(c, JPEG, fileCreatedAt=when), 400)
        assert_error_body(upload(c, JPEG, fileModifiedAt=when), 400)
        assert_error_body(c.put(f"/api/assets/{asset}", json={"dateTimeOriginal": when}), 400)
        assert_error_body(c.put("/api/assets", json={"ids": [asset], "dateTimeOriginal": when}), 400)
        for name in ("updatedUntil", "lastCreationDate"):
            params: dict[str, str] = {"limit": "10", "updatedUntil": "2024-01-01T00:00:00Z", name: when}
            body = assert_error_body(c.get("/api/sync/full-sync", params=params), 400)
            assert body["message"] == [f"{name} must be a date string"]
        assert_error_body(c.post("/api/sync/full-sync", json={"limit": 10, "updatedUntil": when}), 400)
        assert_error_body(c.get("/api/sync/delta-sync", params={"updatedAfter": when, "userIds": [_id]}), 400)
        assert_error_body(c.post("/api/sync/delta-sync", json={"updatedAfter": when, "userIds": [_id]}), 400)


def test_malformed_multipart_uploads_are_refused(server: LiveServer) -> None:
    _id, _email, token = server.new_user()
    fields = "".join(
        f'--other\r\ncontent-disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in form().items()
    )
    with server.client(token) as c:
        mismatched = c.post(
            "/api/assets",
            content=(fields + "--other--\r\n").encode(),
            headers={"content-type": "multipart/form-data; boundary=announced"},
        )
        assert_error_body(mismatched, 400)
        long_name = {"assetData": ("x" * 5000 + ".jpg", JPEG.read_bytes(), "image/jpeg")}
        assert_error_body(c.post("/api/assets", data=form(), files=long_name), 400)
        assert_error_body(upload(c, JPEG, filename="y" * 300 + ".jpg"), 400)
        assert_error_body(upload(c, JPEG, deviceAssetId="d" * 401), 400)


def test_bulk_calls_have_an_id_limit(server: LiveServer) -> None:
    _id, _email, token = server.new_user()
    ids = [NIL] * (MAX_IDS + 1)
    with server.client(token) as c:
        album = c.post("/api/albums", json={"albumName": "a"}).json()["id"]
        for method, path, body in [
            ("delete", "/api/assets", {"ids": ids}),
            ("put", "/api/assets", {"ids": ids, "isFavorite": True}),
            ("post", "/api/trash/restore/assets", {"ids": ids}),
            ("put", f"/api/albums/{album}/assets", {"ids": ids}),
            ("delete", f"/api/albums/{album}/assets", {"ids": ids}),
            ("post", "/api/albums", {"albumName": "b", "assetIds": ids}),
            ("post", "/api/stacks", {"assetIds": ids}),
            ("delete", "/api/stacks", {"ids": ids}),
        ]:
            resp = c.request(method.upper(), path, json=body)
            assert resp.status_code == 400, (method, path, resp.text[:300])
            assert f"at most {MAX_IDS} items" in str(resp.json()["message"])
        assert c.put(f"/api/albums/{album}/assets", json={"ids": [NIL] * 1000}).status_code == 200


def test_names_and_descriptions_have_length_limits(server: LiveServer) -> None:
    _id, _email, token = server.new_user()
    asset = _asset(server, token)
    long_name, long_text = "n" * (MAX_NAME + 1), "d" * (MAX_DESCRIPTION + 1)
    with server.client(token) as c:
        assert_error_body(c.post("/api/albums", json={"albumName": long_name}), 400)
        assert_error_body(c.post("/api/albums", json={"albumName": "a", "description": long_text}), 400)
        assert_error_body(c.put("/api/users/me", json={"name": long_name}), 400)
        assert_error_body(c.post("/api/api-keys", json={"name": long_name, "permissions": ["all"]}), 400)
        assert_error_body(c.put(f"/api/assets/{asset}", json={"description": long_text}), 400)
        assert c.put(f"/api/assets/{asset}", json={"description": long_text[:-1]}).status_code == 200
        assert c.post("/api/albums", json={"albumName": long_name[:-1]}).status_code == 201
    with server.client(server.admin()) as admin:
        email = f"{'e' * 320}@example.com"
        assert_error_body(
            admin.post("/api/admin/users", json={"email": email, "name": "x", "password": "p"}), 400
        )


def test_null_for_fields_that_are_not_nullable(server: LiveServer) -> None:
    _id, _email, token = server.new_user()
    until = "2030-01-01T00:00:00.000Z"
    with server.client(token) as c:
        for name in ("userId", "lastId"):
            body = {"limit": 10, "updatedUntil": until, name: None}
            assert assert_error_body(c.post("/api/sync/full-sync", json=body), 400)["message"] == [
                f"{name} must be a UUID"
            ]
        assert_error_body(c.post("/api/sync/stream", json={"types": ["UsersV1"], "reset": None}), 400)
        assert_error_body(c.request("DELETE", "/api/sync/ack", json={"types": None}), 400)
        assert_error_body(c.request("DELETE", "/api/sync/ack"), 400)
        assert c.request("DELETE", "/api/sync/ack", json={}).status_code == 204
        assert_error_body(c.put("/api/users/me", json={"name": None}), 400)
        assert_error_body(c.post("/api/albums", json={"albumName": "a", "description": None}), 400)
        assert_error_body(c.post("/api/sessions", json={"duration": None}), 400)


def test_nul_characters_are_refused(server: LiveServer) -> None:
    """PostgreSQL cannot store NUL in text; every JSON body and upload field refuses it alike."""
    _id, _email, token = server.new_user()
    nul = b'"a\\u0000b"'
    with server.client(token) as c:
        for method, path, content in [
            ("post", "/api/assets/exist", b'{"deviceAssetIds": [%s], "deviceId": "d"}' % nul),
            ("post", "/api/albums", b'{"albumName": %s}' % nul),
            ("put", "/api/users/me", b'{"name": %s}' % nul),
            ("post", "/api/sync/delta-sync", b'{"updatedAfter": %s, "userIds": []}' % nul),
        ]:
            assert_error_body(c.request(method.upper(), path, content=content, headers=JSON), 400)
        assert_error_body(upload(c, JPEG, deviceAssetId="a\x00b"), 400)
        parts = [
            f'--b\r\ncontent-disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in form().items()
        ]
        parts.append(b'--b\r\ncontent-disposition: form-data; name="assetData"; filename="a\x00.jpg"\r\n\r\n')
        raw = b"".join(parts) + JPEG.read_bytes() + b"\r\n--b--\r\n"
        headers = {"content-type": "multipart/form-data; boundary=b"}
        assert_error_body(c.post("/api/assets", content=raw, headers=headers), 400)
        assert c.post("/api/albums", json={"albumName": "a\\u0000b"}).status_code == 201
