"""Live updates in the web app: changes made through the API with another session of the same user
reach an open page over socket.io, without a reload; another user's changes never do."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.assets.helpers import upload, wait_for_jobs
from tests.support import FIXTURES, LiveServer, login

PHOTOS = FIXTURES / "photos"
STARFISH = PHOTOS / "exif-parser" / "starfish.jpg"
CANON = PHOTOS / "piexif" / "r_canon.jpg"
SOON = 10_000
"""Milliseconds a live change may take to show: the upload event waits for the thumbnail jobs."""


def open_signed_in(page: Page, server: LiveServer, token: str, path: str) -> list[str]:
    """Open `path` signed in and wait for the live connection; returns the console errors seen,
    as they come (a refused websocket or a failing handler would show up there)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.context.add_cookies([{"name": "immich_access_token", "value": token, "url": server.url}])
    page.goto(server.url + path)
    expect(page.locator("html[data-live=connected]")).to_have_count(1)
    return errors


def uploaded(client: httpx.Client, path: Path) -> str:
    resp = upload(client, path)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def test_timeline_and_viewer_follow_another_device(page: Page, server: LiveServer, shots: Path) -> None:
    _user_id, email, token = server.new_user("live")
    _, _, stranger_token = server.new_user("stranger")
    with server.client() as anon:
        phone_token = login(anon, email, "pw-123456")
    console = open_signed_in(page, server, token, "/photos")
    expect(page.get_by_text("No photos yet")).to_be_visible()
    timeline_requests: list[str] = []
    page.on("request", lambda r: timeline_requests.append(r.url) if "/api/timeline/" in r.url else None)
    tiles = page.locator(".tile-link")

    with server.client(phone_token) as phone, server.client(stranger_token) as stranger:
        asset_id = uploaded(phone, STARFISH)
        expect(page.locator(f'.tile-link[data-id="{asset_id}"]')).to_be_visible(timeout=SOON)
        expect(page.get_by_role("heading", name="May 2013")).to_be_visible()
        page.screenshot(path=shots / "60-live-upload.png")

        # Another user's upload sends this page nothing: no timeline request at all.
        wait_for_jobs(server)
        time.sleep(0.5)
        timeline_requests.clear()
        uploaded(stranger, CANON)
        wait_for_jobs(server)
        time.sleep(1.5)
        assert timeline_requests == []
        expect(tiles).to_have_count(1)

        # The viewer shows edits made elsewhere, and the trash.
        tiles.first.click()
        viewer = page.get_by_role("dialog", name=re.compile("Viewer"))
        expect(viewer.get_by_role("button", name="Add to favourites")).to_be_visible()
        assert phone.put(f"/api/assets/{asset_id}", json={"isFavorite": True}).status_code == 200
        expect(viewer.get_by_role("button", name="Remove from favourites")).to_be_visible(timeout=SOON)
        assert phone.request("DELETE", "/api/assets", json={"ids": [asset_id]}).status_code == 204
        expect(viewer.get_by_role("button", name="Restore from trash")).to_be_visible(timeout=SOON)
        page.keyboard.press("Escape")
        expect(tiles).to_have_count(0, timeout=SOON)
        expect(page.get_by_text("No photos yet")).to_be_visible()
        page.screenshot(path=shots / "61-live-trashed.png")

        # Restored elsewhere: back; deleted for good elsewhere: gone again.
        assert phone.post("/api/trash/restore/assets", json={"ids": [asset_id]}).status_code == 200
        expect(page.locator(f'.tile-link[data-id="{asset_id}"]')).to_be_visible(timeout=SOON)
        resp = phone.request("DELETE", "/api/assets", json={"ids": [asset_id], "force": True})
        assert resp.status_code == 204
        expect(tiles).to_have_count(0, timeout=SOON)
    assert console == []


def test_album_page_follows_trash_and_only_its_month_reloads(page: Page, server: LiveServer) -> None:
    _user_id, email, token = server.new_user("albums")
    with server.client() as anon:
        phone_token = login(anon, email, "pw-123456")
    with server.client(phone_token) as phone:
        starfish, canon = uploaded(phone, STARFISH), uploaded(phone, CANON)
        album = phone.post("/api/albums", json={"albumName": "Trip", "assetIds": [starfish, canon]}).json()
        wait_for_jobs(server)
        console = open_signed_in(page, server, token, f"/albums/{album['id']}")
        tiles = page.locator(".tile-link")
        expect(tiles).to_have_count(2)
        months: list[str] = []
        page.on("request", lambda r: months.append(r.url) if "/api/timeline/bucket?" in r.url else None)
        assert phone.request("DELETE", "/api/assets", json={"ids": [starfish]}).status_code == 204
        expect(tiles).to_have_count(1, timeout=SOON)
        expect(page.locator(f'.tile-link[data-id="{canon}"]')).to_be_visible()
    # The starfish's month went away; the other month was not fetched again.
    assert months == [], months
    assert console == []


def test_session_deleted_elsewhere_goes_to_the_login_page(page: Page, server: LiveServer) -> None:
    _user_id, email, token = server.new_user("gone")
    with server.client() as anon:
        phone_token = login(anon, email, "pw-123456")
    console = open_signed_in(page, server, token, "/photos")
    with server.client(phone_token) as phone:
        [browser] = [s for s in phone.get("/api/sessions").json() if not s["current"]]
        assert phone.delete(f"/api/sessions/{browser['id']}").status_code == 204
    expect(page).to_have_url(re.compile(r"/auth/login"), timeout=SOON)
    expect(page.get_by_text("This device was logged out")).to_be_visible()
    assert console == []
