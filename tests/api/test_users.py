"""Users: self-service and administration with Immich's shapes."""

from __future__ import annotations

from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer


def test_me_and_update(server: LiveServer) -> None:
    user_id, email, token = server.new_user("bob")
    with server.client(token) as c:
        me = c.get("/api/users/me").json()
        assert_matches("UserAdminResponseDto", me)
        assert (me["id"], me["email"], me["isAdmin"], me["status"]) == (user_id, email, False, "active")
        changed = c.put("/api/users/me", json={"name": "Bobby", "avatarColor": "green"})
        assert changed.status_code == 200, changed.text
        assert (changed.json()["name"], changed.json()["avatarColor"]) == ("Bobby", "green")
        assert c.get("/api/users/me").json()["name"] == "Bobby"
        # a regular user cannot promote itself: isAdmin is not part of UserUpdateMeDto
        c.put("/api/users/me", json={"isAdmin": True})
        assert c.get("/api/users/me").json()["isAdmin"] is False


def test_list_and_get(server: LiveServer) -> None:
    user_id, _email, token = server.new_user()
    with server.client(token) as c:
        listed = c.get("/api/users").json()
        assert user_id in {u["id"] for u in listed}
        for u in listed:
            assert_matches("UserResponseDto", u)
        one = c.get(f"/api/users/{user_id}")
        assert_matches("UserResponseDto", one.json())
        assert_error_body(c.get("/api/users/5f7c7a6e-2d5e-4b6b-9d1e-000000000000"), 400)


def test_admin_routes_need_admin(server: LiveServer) -> None:
    _id, _email, token = server.new_user()
    with server.client(token) as c:
        assert_error_body(c.get("/api/admin/users"), 403)
        payload = {"email": "x@example.com", "name": "x", "password": "p"}
        assert_error_body(c.post("/api/admin/users", json=payload), 403)


def test_admin_crud_soft_delete_and_restore(server: LiveServer) -> None:
    user_id, email, token = server.new_user("carol")
    with server.client(server.admin()) as admin:
        got = admin.get(f"/api/admin/users/{user_id}")
        assert_matches("UserAdminResponseDto", got.json())
        updated = admin.put(f"/api/admin/users/{user_id}", json={"name": "Carol", "quotaSizeInBytes": 1000})
        assert (updated.json()["name"], updated.json()["quotaSizeInBytes"]) == ("Carol", 1000)
        dup = admin.post("/api/admin/users", json={"email": email, "name": "again", "password": "p"})
        assert_error_body(dup, 400)
        deleted = admin.delete(f"/api/admin/users/{user_id}")
        assert deleted.status_code == 200, deleted.text
        assert deleted.json()["deletedAt"] is not None and deleted.json()["status"] == "deleted"
        assert user_id not in {u["id"] for u in admin.get("/api/admin/users").json()}
        with_deleted = admin.get("/api/admin/users", params={"withDeleted": "true"}).json()
        assert user_id in {u["id"] for u in with_deleted}
    with server.client(token) as c:  # sessions of a deleted user stop working
        assert c.get("/api/users/me").status_code == 401
    with server.client() as anon:
        assert anon.post("/api/auth/login", json={"email": email, "password": "pw-123456"}).status_code == 401
    with server.client(server.admin()) as admin:
        restored = admin.post(f"/api/admin/users/{user_id}/restore")
        assert restored.json()["deletedAt"] is None
    with server.client() as anon:
        assert anon.post("/api/auth/login", json={"email": email, "password": "pw-123456"}).status_code == 201


def test_admin_force_delete_removes_user(server: LiveServer) -> None:
    user_id, _email, _token = server.new_user()
    with server.client(server.admin()) as admin:
        resp = admin.request("DELETE", f"/api/admin/users/{user_id}", json={"force": True})
        assert resp.status_code == 200
        assert_error_body(admin.get(f"/api/admin/users/{user_id}"), 400)
        me = admin.get("/api/users/me").json()["id"]
        assert_error_body(admin.delete(f"/api/admin/users/{me}"), 403)
