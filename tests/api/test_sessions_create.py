"""`POST /api/sessions` keeps the duration and device fields; login timing reveals no accounts."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_child_session_keeps_duration_and_device_fields(server: LiveServer) -> None:
    _id, _email, token = server.new_user()
    with server.client(token) as c:
        resp = c.post(
            "/api/sessions", json={"duration": 3600, "deviceType": "Cast", "deviceOS": "Chromecast"}
        )
        assert resp.status_code == 201, resp.text
        created = resp.json()
        assert_matches("SessionCreateResponseDto", created)
        assert (created["deviceType"], created["deviceOS"], created["current"]) == (
            "Cast",
            "Chromecast",
            False,
        )
        lifetime = _when(created["expiresAt"]) - datetime.now(UTC)
        assert timedelta(minutes=58) < lifetime <= timedelta(hours=1)
        listed = next(s for s in c.get("/api/sessions").json() if s["id"] == created["id"])
        assert (listed["deviceType"], listed["deviceOS"], listed["expiresAt"]) == (
            "Cast",
            "Chromecast",
            created["expiresAt"],
        )
        second = c.post("/api/sessions", json={}).json()
        assert second["id"] != created["id"]
        assert _when(second["expiresAt"]) - datetime.now(UTC) > timedelta(days=300)
    with server.client(created["token"]) as child:
        assert child.get("/api/users/me").status_code == 200
    with server.client(token) as c:
        for bad in ({"duration": 0}, {"duration": "60"}, {"deviceOS": 5}, {"deviceType": "x" * 101}):
            assert_error_body(c.post("/api/sessions", json=bad), 400)


def _median_login_seconds(server: LiveServer, email: str) -> float:
    times = []
    with server.client() as c:
        for _ in range(5):
            start = time.perf_counter()
            resp = c.post("/api/auth/login", json={"email": email, "password": "wrong-password"})
            times.append(time.perf_counter() - start)
            assert resp.status_code == 401
    return statistics.median(times)


def test_login_timing_does_not_reveal_which_emails_exist(server: LiveServer) -> None:
    _id, email, _token = server.new_user()
    _median_login_seconds(server, email)  # warm up
    known = _median_login_seconds(server, email)
    unknown = _median_login_seconds(server, "nobody-at-all@example.com")
    assert max(known, unknown) < 3 * min(known, unknown), (known, unknown)
