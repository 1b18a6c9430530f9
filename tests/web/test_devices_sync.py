"""The Devices page shows each session's sync status from `GET /api/filmroll/sync-status`."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from filmroll.db.engine import Database
from tests.support import LiveServer, login
from tests.sync.v1.builders import AssetBuilder


def test_devices_page_shows_protocol_and_pending_lines(page: Page, server: LiveServer, db: Database) -> None:
    user_id, email, token = server.new_user("phone")
    builder = AssetBuilder(db, seed=17)
    builder.insert(uuid.UUID(user_id))
    with server.client() as anon:
        phone = login(anon, email, "pw-123456")
    with server.client(phone) as c:
        lines = c.post("/api/sync/stream", json={"types": ["AssetsV1"]}).text.splitlines()
        acks = [line.split('"ack":"')[1].split('"')[0] for line in lines]
        assert c.post("/api/sync/ack", json={"acks": acks}).status_code == 204
    builder.insert_many(uuid.UUID(user_id), 2)
    page.context.add_cookies([{"name": "immich_access_token", "value": token, "url": server.url}])

    page.goto(server.url + "/devices")
    sessions = page.get_by_role("table").first
    synced = sessions.get_by_role("row").filter(has_not_text="This browser").nth(1)
    expect(synced).to_contain_text("v2")
    expect(synced).to_contain_text("AssetsV1: 2")
    expect(sessions.get_by_role("row").filter(has_text="This browser")).to_contain_text("Never")
