"""Every kind of client mistake gets a 4xx with Immich's error body, never a 500."""

from __future__ import annotations

import pytest

from tests.contract import assert_error_body
from tests.support import LiveServer


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
