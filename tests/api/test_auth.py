"""Authentication as Immich clients use it: API keys, session tokens and cookies."""

from __future__ import annotations

import httpx

from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer, login


def test_admin_sign_up_only_first_user(fresh_server: LiveServer) -> None:
    with fresh_server.client() as c:
        assert c.get("/api/server/config").json()["isInitialized"] is False
        first = c.post(
            "/api/auth/admin-sign-up", json={"email": "Boss@Example.com", "name": "Boss", "password": "pw"}
        )
        assert first.status_code == 201, first.text
        assert_matches("UserAdminResponseDto", first.json())
        assert first.json()["isAdmin"] is True
        assert first.json()["email"] == "boss@example.com"
        again = c.post(
            "/api/auth/admin-sign-up", json={"email": "x@example.com", "name": "X", "password": "pw"}
        )
        assert_error_body(again, 400)
        assert c.get("/api/server/config").json()["isInitialized"] is True


def test_login_response_and_cookies(server: LiveServer) -> None:
    _id, email, _token = server.new_user("alice")
    with server.client() as c:
        resp = c.post("/api/auth/login", json={"email": email.upper(), "password": "pw-123456"})
        assert resp.status_code == 201
        body = resp.json()
        assert_matches("LoginResponseDto", body)
        assert body["userEmail"] == email
        # 32 random bytes in base64 less its `+`, `/` and `=`: about 42 characters, never near 32
        assert len(body["accessToken"]) >= 32 and body["accessToken"].isalnum()
        assert resp.cookies["immich_access_token"] == body["accessToken"]
        assert resp.cookies["immich_auth_type"] == "password"
        assert resp.cookies["immich_is_authenticated"] == "true"
        assert "httponly" in resp.headers.get_list("set-cookie")[0].lower()


def test_wrong_credentials(server: LiveServer) -> None:
    _id, email, _token = server.new_user()
    with server.client() as c:
        for creds in ({"email": email, "password": "nope"}, {"email": "nobody@example.com", "password": "x"}):
            body = assert_error_body(c.post("/api/auth/login", json=creds), 401)
            assert body["message"] == "Incorrect email or password"


def test_every_token_source_in_order(server: LiveServer) -> None:
    user_id, _email, token = server.new_user()
    with server.client() as c:
        sources: list[dict[str, object]] = [
            {"headers": {"x-immich-user-token": token}},
            {"headers": {"x-immich-session-token": token}},
            {"params": {"sessionKey": token}},
            {"headers": {"Authorization": f"bearer {token}"}},
            {"headers": {"cookie": f"immich_access_token={token}"}},
        ]
        for source in sources:
            c.cookies.clear()
            resp = c.get("/api/users/me", **source)  # type: ignore[arg-type]
            assert resp.status_code == 200, (source, resp.text)
            assert resp.json()["id"] == user_id
        # A session token wins over an API key, so a bad session token fails even with a key present.
        bad = c.get("/api/users/me", headers={"x-immich-user-token": "wrong", "x-api-key": "whatever"})
        assert assert_error_body(bad, 401)["message"] == "Invalid user token"


def test_missing_and_invalid_credentials(server: LiveServer) -> None:
    with server.client() as c:
        assert assert_error_body(c.get("/api/users/me"), 401)["message"] == "Authentication required"
        bad_token = c.get("/api/users/me", headers={"authorization": "Bearer nope"})
        assert assert_error_body(bad_token, 401)["message"] == "Invalid user token"
        bad_key = c.get("/api/users/me", headers={"x-api-key": "nope"})
        assert assert_error_body(bad_key, 401)["message"] == "Invalid API key"
        bad_query_key = c.get("/api/users/me", params={"apiKey": "nope"})
        assert assert_error_body(bad_query_key, 401)["message"] == "Invalid API key"


def test_logout_ends_the_session(server: LiveServer) -> None:
    _id, _email, token = server.new_user()
    with server.client(token) as c:
        assert c.post("/api/auth/validateToken").json() == {"authStatus": True}
        out = c.post("/api/auth/logout")
        assert out.status_code == 200
        assert_matches("LogoutResponseDto", out.json())
        assert assert_error_body(c.post("/api/auth/validateToken"), 401)["message"] == "Invalid user token"


def test_change_password(server: LiveServer) -> None:
    _id, email, token = server.new_user()
    other = login(httpx.Client(base_url=server.url), email, "pw-123456")
    with server.client(token) as c:
        wrong = c.post("/api/auth/change-password", json={"password": "bad", "newPassword": "new-pw"})
        assert_error_body(wrong, 400)
        ok = c.post(
            "/api/auth/change-password",
            json={"password": "pw-123456", "newPassword": "new-pw", "invalidateSessions": True},
        )
        assert ok.status_code == 200, ok.text
        assert c.get("/api/users/me").status_code == 200  # the current session survives
    with server.client(other) as c:
        assert c.get("/api/users/me").status_code == 401  # the other one does not
    with server.client() as c:
        assert c.post("/api/auth/login", json={"email": email, "password": "new-pw"}).status_code == 201


def test_api_keys_and_permissions(server: LiveServer) -> None:
    _id, _email, token = server.new_user()
    with server.client(token) as c:
        created = c.post("/api/api-keys", json={"name": "cli", "permissions": ["asset.read"]})
        assert created.status_code == 201, created.text
        assert_matches("APIKeyCreateResponseDto", created.json())
        secret, key_id = created.json()["secret"], created.json()["apiKey"]["id"]
        listed = c.get("/api/api-keys").json()
        assert [k["id"] for k in listed] == [key_id]
        assert_matches("APIKeyResponseDto", listed[0])
        unknown = c.post("/api/api-keys", json={"name": "x", "permissions": ["nope.nope"]})
        assert_error_body(unknown, 400)
    with server.client(**{"x-api-key": secret}) as k:
        assert k.get("/api/api-keys/me").json()["id"] == key_id
        denied = k.get("/api/users/me")
        assert assert_error_body(denied, 403)["message"] == "Missing required permission: user.read"
    with server.client(token) as c:
        updated = c.put(f"/api/api-keys/{key_id}", json={"permissions": ["all"], "name": "renamed"})
        assert updated.json()["name"] == "renamed"
    with server.client(**{"x-api-key": secret}) as k:
        assert k.get("/api/users/me").status_code == 200
        assert k.get("/api/users/me", params={}).json()["id"] == _id
    with server.client(token) as c:
        assert c.delete(f"/api/api-keys/{key_id}").status_code == 204
        assert_error_body(c.get(f"/api/api-keys/{key_id}"), 400)
    with server.client(**{"x-api-key": secret}) as k:
        assert assert_error_body(k.get("/api/users/me"), 401)["message"] == "Invalid API key"


def test_api_key_cannot_grant_more_than_it_has(server: LiveServer) -> None:
    _id, _email, token = server.new_user()
    with server.client(token) as c:
        secret = c.post("/api/api-keys", json={"name": "k", "permissions": ["apiKey.create"]}).json()[
            "secret"
        ]
    with server.client(**{"x-api-key": secret}) as k:
        assert_error_body(k.post("/api/api-keys", json={"name": "more", "permissions": ["all"]}), 400)
        assert (
            k.post("/api/api-keys", json={"name": "same", "permissions": ["apiKey.create"]}).status_code
            == 201
        )


def test_sessions(server: LiveServer) -> None:
    _id, email, token = server.new_user()
    with server.client() as anon:
        second = login(anon, email, "pw-123456")
    with server.client(token) as c:
        sessions = c.get("/api/sessions").json()
        assert len(sessions) == 2
        for s in sessions:
            assert_matches("SessionResponseDto", s)
        current = next(s for s in sessions if s["current"])
        other = next(s for s in sessions if not s["current"])
        reset = c.put(f"/api/sessions/{current['id']}", json={"isPendingSyncReset": True})
        assert reset.status_code == 200 and reset.json()["isPendingSyncReset"] is True
        assert_error_body(c.put(f"/api/sessions/{current['id']}", json={"isPendingSyncReset": "yes"}), 400)
        assert c.delete(f"/api/sessions/{other['id']}").status_code == 204
    with server.client(second) as c:
        assert c.get("/api/users/me").status_code == 401
    _id2, _e2, stranger = server.new_user()
    with server.client(stranger) as c:
        assert_error_body(c.delete(f"/api/sessions/{current['id']}"), 400)


def test_session_tokens_are_stored_hashed(server: LiveServer) -> None:
    import hashlib

    import sqlalchemy as sa

    from filmroll.db.engine import admin_engine
    from filmroll.db.schema import sessions

    _id, _email, token = server.new_user()
    engine = admin_engine(server.settings.resolved_database_url)
    with engine.connect() as conn:
        stored = {bytes(r.token_hash) for r in conn.execute(sa.select(sessions.c.token_hash))}
    engine.dispose()
    assert hashlib.sha256(token.encode()).digest() in stored
    assert token.encode() not in stored


def test_session_records_the_app_that_logged_in(server: LiveServer) -> None:
    _id, email, _token = server.new_user()
    with server.client(**{"user-agent": "Immich_Android_1.135.3"}) as c:
        token = login(c, email, "pw-123456")
        c.headers["authorization"] = f"Bearer {token}"
        mine = next(s for s in c.get("/api/sessions").json() if s["current"])
        assert (mine["deviceOS"], mine["deviceType"], mine["appVersion"]) == ("Android", "Mobile", "1.135.3")
