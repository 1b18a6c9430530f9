"""The admin's onboarding flag over HTTP: Immich's shapes, admin-only access and permissions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer

PATH = "/api/system-metadata/admin-onboarding"


def _read(server: LiveServer, token: str) -> bool:
    with server.client(token) as c:
        resp = c.get(PATH)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert_matches("AdminOnboardingUpdateDto", body)
    return bool(body["isOnboarded"])


def _key(server: LiveServer, *permissions: str) -> str:
    with server.client(server.admin()) as c:
        resp = c.post("/api/api-keys", json={"name": "k", "permissions": list(permissions)})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["secret"])


def test_defaults_to_false(fresh_server: LiveServer) -> None:
    assert _read(fresh_server, fresh_server.admin()) is False


def test_set_round_trips(server: LiveServer) -> None:
    admin = server.admin()
    for value in (True, False, True, False):
        with server.client(admin) as c:
            resp = c.post(PATH, json={"isOnboarded": value})
        assert resp.status_code == 204, resp.text
        assert resp.content == b""
        assert _read(server, admin) is value


def test_non_admin_is_forbidden(server: LiveServer) -> None:
    _id, _email, token = server.new_user()
    with server.client(token) as c:
        assert assert_error_body(c.get(PATH), 403)["message"] == "Forbidden"
        assert assert_error_body(c.post(PATH, json={"isOnboarded": True}), 403)["message"] == "Forbidden"
    with server.client() as anon:
        assert_error_body(anon.get(PATH), 401)
        assert_error_body(anon.post(PATH, json={"isOnboarded": True}), 401)
    assert _read(server, server.admin()) is False


@pytest.mark.parametrize(
    "body",
    [{}, {"isOnboarded": "true"}, {"isOnboarded": 1}, {"isOnboarded": None}, [True], "true"],
)
def test_bad_body_is_400(server: LiveServer, body: Any) -> None:
    with server.client(server.admin()) as c:
        error = assert_error_body(c.post(PATH, json=body), 400)
    assert error["error"] == "Bad Request"


def test_api_key_permissions(server: LiveServer) -> None:
    unrelated = _key(server, "asset.read")
    with server.client(**{"x-api-key": unrelated}) as c:
        denied = assert_error_body(c.get(PATH), 403)
        assert denied["message"] == "Missing required permission: systemMetadata.read"
        denied = assert_error_body(c.post(PATH, json={"isOnboarded": True}), 403)
        assert denied["message"] == "Missing required permission: systemMetadata.update"
    with server.client(**{"x-api-key": _key(server, "systemMetadata.read")}) as c:
        assert c.get(PATH).status_code == 200
        denied = assert_error_body(c.post(PATH, json={"isOnboarded": True}), 403)
        assert denied["message"] == "Missing required permission: systemMetadata.update"
    with server.client(**{"x-api-key": _key(server, "systemMetadata.update")}) as c:
        assert c.post(PATH, json={"isOnboarded": False}).status_code == 204
        assert_error_body(c.get(PATH), 403)
    with server.client(**{"x-api-key": _key(server, "all")}) as c:
        assert c.get(PATH).json() == {"isOnboarded": False}
