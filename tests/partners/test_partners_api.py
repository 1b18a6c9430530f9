"""Partners API: Immich's shapes and errors, and the clock-stamped rows sync relies on."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from filmroll.db.engine import Database
from filmroll.db.schema import partner_audit, partners
from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer


def test_share_list_update_and_remove(server: LiveServer, db: Database) -> None:
    alice, alice_email, alice_token = server.new_user("alice")
    bob, bob_email, bob_token = server.new_user("bob")
    with server.client(alice_token) as client:
        resp = client.post("/api/partners", json={"sharedWithId": bob})
        assert resp.status_code == 201, resp.text
        created = resp.json()
        assert_matches("PartnerResponseDto", created)
        assert (created["id"], created["email"], created["inTimeline"]) == (bob, bob_email, False)
        by_me = client.get("/api/partners", params={"direction": "shared-by"}).json()
        assert [p["id"] for p in by_me] == [bob]
        assert client.get("/api/partners", params={"direction": "shared-with"}).json() == []
    with server.client(bob_token) as client:
        with_me = client.get("/api/partners", params={"direction": "shared-with"}).json()
        assert [(p["id"], p["email"]) for p in with_me] == [(alice, alice_email)]
        resp = client.put(f"/api/partners/{alice}", json={"inTimeline": True})
        assert resp.status_code == 200, resp.text
        assert_matches("PartnerResponseDto", resp.json())
        assert resp.json()["inTimeline"] is True and resp.json()["id"] == alice

    row = db.read_sync(
        lambda c: c.execute(sa.select(partners).where(partners.c.shared_by_id == uuid.UUID(alice))).one()
    )
    assert row.in_timeline is True and row.update_seq > row.create_seq

    with server.client(alice_token) as client:
        assert client.delete(f"/api/partners/{bob}").status_code == 204
        assert client.get("/api/partners", params={"direction": "shared-by"}).json() == []
        assert_error_body(client.delete(f"/api/partners/{bob}"), 400)
    audit = db.read_sync(
        lambda c: c.execute(
            sa.select(partner_audit).where(partner_audit.c.shared_by_id == uuid.UUID(alice))
        ).all()
    )
    assert [(a.shared_with_id, a.seq > row.update_seq) for a in audit] == [(uuid.UUID(bob), True)]


def test_deprecated_create_route(server: LiveServer) -> None:
    _, _, token = server.new_user("carol")
    dave, _, _ = server.new_user("dave")
    with server.client(token) as client:
        resp = client.post(f"/api/partners/{dave}")
        assert resp.status_code == 201, resp.text
        assert resp.json()["id"] == dave


def test_bad_requests(server: LiveServer) -> None:
    me, _, token = server.new_user("erin")
    other, _, _ = server.new_user("frank")
    with server.client(token) as client:
        assert client.post("/api/partners", json={"sharedWithId": other}).status_code == 201
        cases = [
            (client.post("/api/partners", json={"sharedWithId": other}), "Partner already exists"),
            (client.post("/api/partners", json={"sharedWithId": me}), "Cannot share with yourself"),
            (client.post("/api/partners", json={"sharedWithId": str(uuid.uuid4())}), "User not found"),
            (
                client.put(f"/api/partners/{other}", json={"inTimeline": True}),
                "Not found or no partner.update access",
            ),
            (client.delete(f"/api/partners/{uuid.uuid4()}"), "Partner not found"),
        ]
        for resp, message in cases:
            assert assert_error_body(resp, 400)["message"] == message
        for resp in (
            client.post("/api/partners", json={"sharedWithId": "nope"}),
            client.post("/api/partners", json={}),
            client.get("/api/partners", params={"direction": "sideways"}),
            client.get("/api/partners"),
            client.put(f"/api/partners/{other}", json={"inTimeline": "maybe"}),
            client.delete("/api/partners/not-a-uuid"),
        ):
            assert isinstance(assert_error_body(resp, 400)["message"], list)
    with server.client() as anon:
        assert_error_body(anon.get("/api/partners", params={"direction": "shared-by"}), 401)


def test_deleted_users_drop_out_of_lists(server: LiveServer) -> None:
    _, _, gina_token = server.new_user("gina")
    hank, _, _ = server.new_user("hank")
    with server.client(gina_token) as client:
        assert client.post("/api/partners", json={"sharedWithId": hank}).status_code == 201
    with server.client(server.admin()) as admin:
        assert admin.delete(f"/api/admin/users/{hank}").status_code == 200
    with server.client(gina_token) as client:
        assert client.get("/api/partners", params={"direction": "shared-by"}).json() == []
