"""Real flows in Chromium against a live server: first run, upload, timeline, viewer, actions."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.assets.helpers import wait_for_jobs
from tests.support import FIXTURES, LiveServer

PHOTOS = FIXTURES / "photos"
STARFISH = PHOTOS / "exif-parser" / "starfish.jpg"  # Nokia Lumia 820, GPS in List, Germany
CANON = PHOTOS / "piexif" / "r_canon.jpg"


def sign_up_and_log_in(page: Page, server: LiveServer, shots: Path) -> None:
    page.goto(server.url + "/")
    expect(page).to_have_url(re.compile(r"/auth/register$"))
    expect(page.get_by_role("heading", name="Welcome to filmroll")).to_be_visible()
    page.get_by_label("Name").fill("Admin")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password", exact=True).fill("admin-pw")
    page.get_by_label("Confirm password").fill("admin-pw")
    page.screenshot(path=shots / "01-sign-up.png")
    page.get_by_role("button", name="Create admin account").click()
    expect(page).to_have_url(re.compile(r"/auth/login\?email="))
    expect(page.get_by_label("Email")).to_have_value("admin@example.com")
    page.get_by_label("Password", exact=True).fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert").first).to_contain_text("Incorrect email or password")
    page.get_by_label("Password", exact=True).fill("admin-pw")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/photos$"))
    expect(page.get_by_role("heading", name="Photos", exact=True)).to_be_visible()


def api(page: Page, server: LiveServer) -> httpx.Client:
    """An API client with the browser's own session cookie: what the page did is what the API sees."""
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    return httpx.Client(base_url=server.url, cookies=cookies, timeout=30)


def test_first_run_upload_timeline_viewer_favourite_trash(
    page: Page, fresh_server: LiveServer, shots: Path
) -> None:
    server = fresh_server
    sign_up_and_log_in(page, server, shots)
    expect(page.get_by_text("No photos yet")).to_be_visible()

    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload", exact=True).click()
    chooser.value.set_files([str(STARFISH), str(CANON)])
    panel = page.get_by_role("region", name="Uploads")
    expect(panel.get_by_text("2 of 2 done")).to_be_visible()
    expect(panel.get_by_text("Uploaded")).to_have_count(2)
    page.screenshot(path=shots / "02-uploaded.png")

    # The same file again is reported as a duplicate, not as an error or a second copy.
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload", exact=True).click()
    chooser.value.set_files([str(STARFISH)])
    expect(panel.get_by_text("Duplicate: already in your library")).to_be_visible()

    wait_for_jobs(server)  # capture dates, places and thumbnails are read in the background
    with api(page, server) as client:
        assert client.get("/api/assets/statistics").json()["total"] == 2

    # Leave the page first: it may still be fetching after the upload events it was sent.
    page.goto("about:blank")
    timeline_answers: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda r: timeline_answers.append((r.url, r.status)) if "/api/timeline/" in r.url else None,
    )
    page.goto(server.url + "/photos")
    tiles = page.locator(".tile-link")
    expect(tiles).to_have_count(2)
    # The starfish was taken on 10 May 2013 in Germany: its month and day head the group.
    expect(page.get_by_role("heading", name="May 2013")).to_be_visible()
    starfish = page.get_by_role("link", name=re.compile(r"Photo taken May 10, 2013"))
    expect(starfish).to_be_visible()
    # The thumbhash placeholder is painted behind every thumbnail while it loads.
    assert "data:image/png" in (starfish.evaluate("el => getComputedStyle(el).backgroundImage") or "")
    expect(starfish.locator("img")).to_have_class(re.compile("loaded"))
    page.screenshot(path=shots / "03-timeline.png")
    # Read through Immich's time-bucket API: one month list, one request per month shown.
    assert sorted(status for _, status in timeline_answers) == [200, 200, 200], timeline_answers
    assert any("/api/timeline/buckets?" in url and "withPartners=true" in url for url, _ in timeline_answers)

    starfish.click()
    viewer = page.get_by_role("dialog", name=re.compile("Viewer"))
    expect(viewer).to_be_visible()
    details = viewer.get_by_role("complementary", name="Details")
    expect(details).to_contain_text("Nokia Lumia 820")
    expect(details).to_contain_text("ƒ/2.2")
    expect(details).to_contain_text("Germany")
    expect(details).to_contain_text("2013")
    expect(viewer.locator("img.viewer-media")).to_have_class(re.compile("loaded"))
    asset_id = page.url.rsplit("/", 1)[1]
    page.screenshot(path=shots / "04-viewer.png")

    # Keyboard: the starfish is the oldest; left goes to the newer photo, right comes back.
    page.keyboard.press("ArrowLeft")
    expect(page).not_to_have_url(re.compile(asset_id))
    expect(details).to_contain_text("Canon")
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(re.compile(f"/photos/{asset_id}$"))
    expect(details).to_contain_text("Nokia Lumia 820")

    viewer.get_by_role("button", name="Add to favourites").click()
    expect(viewer.get_by_role("button", name="Remove from favourites")).to_have_attribute(
        "aria-pressed", "true"
    )
    with api(page, server) as client:
        assert client.get(f"/api/assets/{asset_id}").json()["isFavorite"] is True

    with page.expect_download() as download:
        viewer.get_by_role("link", name="Download original").click()
    assert Path(download.value.path()).read_bytes() == STARFISH.read_bytes()

    viewer.get_by_role("button", name="Move to trash").click()
    expect(page.get_by_text("Moved to trash")).to_be_visible()
    with api(page, server) as client:
        assert client.get(f"/api/assets/{asset_id}").json()["isTrashed"] is True
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/photos$"))
    expect(page.locator(".tile-link")).to_have_count(1)

    # The trash shows it; restoring brings it back to the timeline.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trash").click()
    expect(page.locator(".tile-link")).to_have_count(1)
    page.locator(".tile-link").first.click()
    page.get_by_role("button", name="Restore from trash").click()
    expect(page.get_by_text("Restored")).to_be_visible()
    with api(page, server) as client:
        assert client.get(f"/api/assets/{asset_id}").json()["isTrashed"] is False
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/auth/login"))
    page.goto(server.url + "/photos")
    expect(page).to_have_url(re.compile(r"/auth/login\?continue=%2Fphotos"))
