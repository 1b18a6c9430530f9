"""PIN code and session unlock over real HTTP, replaying what Immich's apps send.

The mobile app (v2.7.5) guards its locked folder with `GET /auth/status`: no PIN yet, it shows
the registration form (`POST /auth/pin-code`); not elevated, it asks for the PIN (or reads it
from secure storage after a biometric check) and calls `POST /auth/session/unlock`; the lock
button calls `POST /auth/session/lock`. The web app adds PIN change and reset in its settings
and the admin's "reset PIN code" (`PUT /admin/users/{id}` with `pinCode: null`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
import pytest

from filmroll.db.clock import utcnow
from filmroll.services.locked import FREE_TRIES, backoff
from filmroll.timefmt import iso
from tests.access.scenario import upload_video
from tests.contract import assert_error_body, assert_matches
from tests.locked.helpers import (
    MOBILE,
    PIN,
    child_session,
    pin_expires_at,
    set_pin_expires_at,
    token_of,
    unlock,
)
from tests.support import LiveServer, login

PASSWORD = "pw-123456"


def _status(client: httpx.Client) -> dict[str, Any]:
    resp = client.get("/api/auth/status")
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    assert_matches("AuthStatusResponseDto", body)
    return body


def _no_content(resp: httpx.Response) -> None:
    assert resp.status_code == 204, resp.text
    assert resp.content == b""


def _message(resp: httpx.Response, status: int = 400) -> Any:
    return assert_error_body(resp, status)["message"]


def _mobile_login(server: LiveServer) -> tuple[str, httpx.Client]:
    user_id, email, _token = server.new_user("mobile")
    with server.client(**MOBILE) as anon:
        token = login(anon, email, PASSWORD)
    return user_id, server.client(token, **MOBILE)


def test_mobile_app_sequence(server: LiveServer) -> None:
    _user_id, app = _mobile_login(server)
    with app:
        locked = upload_video(app, visibility="locked")
        thumbnail = f"/api/assets/{locked}/thumbnail"

        # LockedGuard: no PIN yet, so the registration form, then the verification form.
        status = _status(app)
        assert (status["pinCode"], status["password"], status["isElevated"]) == (False, True, False)
        assert "pinExpiresAt" not in status and status["expiresAt"].endswith("Z")
        _no_content(app.post("/api/auth/pin-code", json={"pinCode": PIN}))
        assert _status(app)["pinCode"] is True
        assert app.get(thumbnail).status_code == 400

        before = utcnow()
        _no_content(app.post("/api/auth/session/unlock", json={"pinCode": PIN}))
        status = _status(app)
        assert status["isElevated"] is True
        assert iso(before + timedelta(minutes=15)) <= status["pinExpiresAt"]
        assert status["pinExpiresAt"] <= iso(utcnow() + timedelta(minutes=15))
        assert app.get(thumbnail).status_code == 200
        assert app.get(f"/api/assets/{locked}").json()["visibility"] == "locked"
        # The locked folder's bottom sheet moves a selection back to the timeline.
        moved = upload_video(app, visibility="locked")
        _no_content(app.put("/api/assets", json={"ids": [moved], "visibility": "timeline"}))

        # Leaving the locked folder, its lock button or the app going to the background.
        _no_content(app.post("/api/auth/session/lock"))
        status = _status(app)
        assert status["isElevated"] is False and "pinExpiresAt" not in status
        assert app.get(thumbnail).status_code == 400
        assert app.get(f"/api/assets/{moved}").json()["visibility"] == "timeline"

        # Biometric path: the PIN kept in secure storage is sent; a changed PIN is an ApiException.
        assert _message(app.post("/api/auth/session/unlock", json={"pinCode": "654321"})) == "Wrong PIN code"
        assert _status(app)["isElevated"] is False
        _no_content(app.post("/api/auth/session/unlock", json={"pinCode": PIN}))
        assert app.get(thumbnail).status_code == 200


def test_web_settings_change_and_reset(server: LiveServer) -> None:
    _user_id, _email, token = server.new_user("web")
    with server.client(token) as web:
        assert _message(web.post("/api/auth/session/unlock", json={"pinCode": PIN})) == (
            "User does not have a PIN code"
        )
        assert _message(web.put("/api/auth/pin-code", json={"pinCode": PIN, "newPinCode": "111111"})) == (
            "User does not have a PIN code"
        )
        _no_content(web.post("/api/auth/pin-code", json={"pinCode": PIN}))
        assert (
            _message(web.post("/api/auth/pin-code", json={"pinCode": "222222"}))
            == "User already has a PIN code"
        )

        change = web.put("/api/auth/pin-code", json={"pinCode": "999999", "newPinCode": "111111"})
        assert _message(change) == "Wrong PIN code"
        assert _message(web.put("/api/auth/pin-code", json={"newPinCode": "111111"})) == (
            "Either password or pinCode is required"
        )
        _no_content(web.put("/api/auth/pin-code", json={"pinCode": PIN, "newPinCode": "111111"}))
        wrong = web.put("/api/auth/pin-code", json={"password": "nope", "newPinCode": "222222"})
        assert _message(wrong) == "Wrong password"
        _no_content(web.put("/api/auth/pin-code", json={"password": PASSWORD, "newPinCode": "222222"}))
        assert _message(web.post("/api/auth/session/unlock", json={"pinCode": "111111"})) == "Wrong PIN code"
        # The password does not unlock a session, only the PIN does (as in Immich).
        assert _message(web.post("/api/auth/session/unlock", json={"password": PASSWORD})) == (
            "Either password or pinCode is required"
        )
        _no_content(web.post("/api/auth/session/unlock", json={"pinCode": "222222"}))

        # A second session unlocked too; resetting the PIN locks both.
        with child_session(web, server) as other:
            _no_content(other.post("/api/auth/session/unlock", json={"pinCode": "222222"}))
            assert (
                _message(web.request("DELETE", "/api/auth/pin-code", json={"password": "x"}))
                == "Wrong password"
            )
            assert _status(other)["isElevated"] is True
            _no_content(web.request("DELETE", "/api/auth/pin-code", json={"password": PASSWORD}))
            for client in (web, other):
                status = _status(client)
                assert (status["pinCode"], status["isElevated"]) == (False, False)
        _no_content(web.post("/api/auth/pin-code", json={"pinCode": PIN}))
        _no_content(web.request("DELETE", "/api/auth/pin-code", json={"pinCode": PIN}))
        assert _status(web)["pinCode"] is False


@pytest.mark.parametrize(
    ("path", "method", "body"),
    [
        ("/api/auth/pin-code", "POST", {"pinCode": "12345"}),
        ("/api/auth/pin-code", "POST", {"pinCode": "1234567"}),
        ("/api/auth/pin-code", "POST", {"pinCode": "12a456"}),
        ("/api/auth/pin-code", "POST", {"pinCode": "١٢٣٤٥٦"}),  # digits, but not ASCII ones
        ("/api/auth/pin-code", "PUT", {"pinCode": PIN, "newPinCode": "1"}),
        ("/api/auth/session/unlock", "POST", {"pinCode": "12345\n"}),
        ("/api/auth/pin-code", "DELETE", {"pinCode": "x"}),
    ],
)
def test_pin_codes_are_six_digits(server: LiveServer, path: str, method: str, body: dict[str, Any]) -> None:
    _user_id, _email, token = server.new_user("digits")
    with server.client(token) as client:
        message = _message(client.request(method, path, json=body))
        assert isinstance(message, list) and len(message) == 1
        assert message[0].endswith("must be a 6-digit numeric string")
        assert message[0].split(" ")[0] in ("pinCode", "newPinCode")


@pytest.mark.parametrize(
    "body", [{}, {"pinCode": None}, {"pinCode": 123456}, {"pinCode": PIN, "password": None}]
)
def test_malformed_pin_bodies_are_400(server: LiveServer, body: dict[str, Any]) -> None:
    _user_id, _email, token = server.new_user("bodies")
    with server.client(token) as client:
        path = "/api/auth/pin-code" if "password" not in body else "/api/auth/session/unlock"
        assert_error_body(client.post(path, json=body), 400)
        assert _status(client)["pinCode"] is False


def test_admin_resets_and_sets_a_users_pin(server: LiveServer) -> None:
    user_id, _email, token = server.new_user("forgetful")
    with server.client(token) as user, server.client(server.admin()) as admin:
        unlock(user)
        resp = admin.put(f"/api/admin/users/{user_id}", json={"pinCode": None})
        assert resp.status_code == 200, resp.text
        assert_matches("UserAdminResponseDto", resp.json())
        status = _status(user)
        assert (status["pinCode"], status["isElevated"]) == (False, False)

        assert _message(admin.put(f"/api/admin/users/{user_id}", json={"pinCode": "12"})) == [
            "pinCode must be a 6-digit numeric string"
        ]
        assert admin.put(f"/api/admin/users/{user_id}", json={"pinCode": "654321"}).status_code == 200
        assert _message(user.post("/api/auth/session/unlock", json={"pinCode": PIN})) == "Wrong PIN code"
        _no_content(user.post("/api/auth/session/unlock", json={"pinCode": "654321"}))
        assert admin.put(f"/api/admin/users/{user_id}", json={"pinCode": ""}).status_code == 200
        assert _status(user) == {**_status(user), "pinCode": False, "isElevated": False}
        # Other fields leave the PIN alone.
        unlock(user)
        assert admin.put(f"/api/admin/users/{user_id}", json={"name": "renamed"}).status_code == 200
        assert _status(user)["isElevated"] is True

        assert _message(user.put(f"/api/admin/users/{user_id}", json={"pinCode": None}), 403) == "Forbidden"


def test_api_keys_cannot_unlock(server: LiveServer) -> None:
    user_id, _email, token = server.new_user("keys")
    with server.client(token) as user:
        locked = upload_video(user, visibility="locked")
        unlock(user)
        keys = {}
        for name, permissions in (
            ("all", ["all"]),
            ("read", ["asset.read", "asset.view"]),
            ("none", ["user.read"]),
        ):
            resp = user.post("/api/api-keys", json={"name": name, "permissions": permissions})
            keys[name] = resp.json()["secret"]
    with server.client(**{"x-api-key": keys["all"]}) as key:
        status = _status(key)
        assert status == {"pinCode": True, "password": True, "isElevated": False}
        for path in ("/api/auth/session/unlock", "/api/auth/session/lock"):
            resp = key.post(path, json={"pinCode": PIN})
            assert _message(resp) == "This endpoint can only be used with a session token"
        assert _message(key.get(f"/api/assets/{locked}")) == "Not found or no asset.read access"
    with server.client(**{"x-api-key": keys["read"]}) as key:
        assert _message(key.get(f"/api/assets/{locked}/thumbnail")) == "Not found or no asset.view access"
    with server.client(**{"x-api-key": keys["none"]}) as key:
        for method, permission in (("POST", "create"), ("PUT", "update"), ("DELETE", "delete")):
            resp = key.request(method, "/api/auth/pin-code", json={"pinCode": PIN, "newPinCode": PIN})
            assert _message(resp, 403) == f"Missing required permission: pinCode.{permission}"
        assert _message(key.get("/api/auth/status"), 403) == "Missing required permission: all"
    del user_id


def test_unlock_expires_and_use_keeps_it_alive(server: LiveServer) -> None:
    _user_id, _email, token = server.new_user("timeout")
    with server.client(token) as client:
        locked = upload_video(client, visibility="locked")
        info = f"/api/assets/{locked}"
        unlock(client)
        stored = pin_expires_at(server, token)
        assert stored is not None and timedelta(minutes=14) < stored - utcnow() <= timedelta(minutes=15)

        # Far from its end, use does not move the expiry.
        assert client.get(info).status_code == 200
        assert pin_expires_at(server, token) == stored

        # Near its end, use keeps the session unlocked five minutes past the request.
        set_pin_expires_at(server, token, utcnow() + timedelta(minutes=2))
        assert client.get(info).status_code == 200
        extended = pin_expires_at(server, token)
        assert extended is not None and timedelta(minutes=4) < extended - utcnow() <= timedelta(minutes=5)

        # Past it, the session is locked again and use does not revive it.
        set_pin_expires_at(server, token, utcnow() - timedelta(seconds=1))
        assert _message(client.get(info)) == "Not found or no asset.read access"
        assert _status(client)["isElevated"] is False
        after = pin_expires_at(server, token)
        assert after is not None and after < utcnow()


def test_sessions_unlock_one_at_a_time(server: LiveServer) -> None:
    _user_id, _email, token = server.new_user("two-phones")
    with server.client(token) as first, child_session(first, server) as second:
        locked = upload_video(first, visibility="locked")
        unlock(first)
        assert first.get(f"/api/assets/{locked}").status_code == 200
        assert second.get(f"/api/assets/{locked}").status_code == 400
        assert _status(second)["isElevated"] is False
        assert token_of(second) != token


def test_wrong_guesses_are_spaced_out(server: LiveServer) -> None:
    """Six digits are a million guesses: after five wrong ones in a row, even sent at once,
    the user's next check waits, whichever session asks, and other users are not affected."""
    _user_id, _email, token = server.new_user("guessed")
    _other_id, _email, other_token = server.new_user("bystander")
    with server.client(token) as victim, server.client(other_token) as bystander:
        unlock(victim)
        unlock(bystander)
        _no_content(victim.post("/api/auth/session/lock"))
        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(
                pool.map(
                    lambda n: victim.post("/api/auth/session/unlock", json={"pinCode": f"{n:06d}"}).json(),
                    range(900000, 900010),
                )
            )
        wrong = [a for a in answers if a["message"] == "Wrong PIN code"]
        waiting = [a for a in answers if a["statusCode"] == 429]
        assert (len(wrong), len(waiting)) == (FREE_TRIES, 10 - FREE_TRIES), answers
        assert waiting[0]["error"] == "Too Many Requests"
        assert waiting[0]["message"].startswith("Too many wrong attempts, try again in ")

        # The right PIN waits too, from any session of the user; the password checks as well.
        with child_session(victim, server) as second:
            resp = second.post("/api/auth/session/unlock", json={"pinCode": PIN})
            assert assert_error_body(resp, 429)["message"].startswith("Too many wrong attempts")
        resp = victim.request("DELETE", "/api/auth/pin-code", json={"password": PASSWORD})
        assert_error_body(resp, 429)
        assert _status(victim) == {**_status(victim), "pinCode": True, "isElevated": False}
        _no_content(bystander.post("/api/auth/session/unlock", json={"pinCode": PIN}))


def test_backoff_doubles_up_to_a_quarter_hour() -> None:
    assert [backoff(n) for n in range(FREE_TRIES)] == [0.0] * FREE_TRIES
    assert [backoff(FREE_TRIES + n) for n in range(6)] == [30.0, 60.0, 120.0, 240.0, 480.0, 900.0]
    assert backoff(1000) == backoff(10**6) == 900.0
