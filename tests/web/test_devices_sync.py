"""The Devices page shows each session's and API key's sync status from
`GET /api/filmroll/sync-status`."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.sync_api import Page, expect

from filmroll.db.engine import Database
from tests.support import LiveServer, login
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v1.helpers import now_iso


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


def test_devices_page_shows_api_keys_sync_and_revokes_them(
    page: Page, server: LiveServer, shots: Path
) -> None:
    _user_id, _email, token = server.new_user("keys")
    with server.client(token) as c:
        made = {
            name: c.post("/api/api-keys", json={"name": name, "permissions": ["all"]}).json()
            for name in ("nightly backup", "unused key")
        }
        with server.client(**{"x-api-key": made["nightly backup"]["secret"]}) as key:
            resp = key.post("/api/sync/full-sync", json={"limit": 100, "updatedUntil": now_iso()})
            assert resp.status_code == 200, resp.text
    page.context.add_cookies([{"name": "immich_access_token", "value": token, "url": server.url}])

    page.goto(server.url + "/devices")
    keys = page.get_by_role("region", name="API keys")
    synced = keys.get_by_role("row", name=re.compile("nightly backup"))
    expect(synced).to_contain_text("v1")
    expect(synced).to_contain_text("Not tracked")
    expect(synced).not_to_contain_text("Never")
    unused = keys.get_by_role("row", name=re.compile("unused key"))
    expect(unused).to_contain_text("Never")
    page.screenshot(path=shots / "32-devices-keys.png")

    unused.get_by_role("button", name="Revoke unused key").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("API key revoked")).to_be_visible()
    expect(keys.get_by_role("row", name=re.compile("unused key"))).to_have_count(0)
    expect(keys.get_by_role("row", name=re.compile("nightly backup"))).to_have_count(1)
    with server.client(**{"x-api-key": made["unused key"]["secret"]}) as key:
        assert key.get("/api/users/me").status_code == 401
