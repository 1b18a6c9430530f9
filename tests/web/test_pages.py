"""Albums, devices and sync, account and administration pages, driven in Chromium."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.assets.helpers import upload, wait_for_jobs
from tests.support import FIXTURES, LiveServer, login

PHOTOS = FIXTURES / "photos"


def sign_in(page: Page, server: LiveServer, token: str) -> None:
    page.context.add_cookies([{"name": "immich_access_token", "value": token, "url": server.url}])


def test_albums_add_rename_share_remove(page: Page, server: LiveServer, shots: Path) -> None:
    owner_id, _, token = server.new_user("owner")
    friend_id, friend_email, friend_token = server.new_user("friend")
    with server.client(token) as c:
        for path in (PHOTOS / "exif-parser" / "starfish.jpg", PHOTOS / "piexif" / "r_canon.jpg"):
            assert upload(c, path).status_code == 201
    wait_for_jobs(server)
    sign_in(page, server, token)

    page.goto(server.url + "/albums")
    expect(page.get_by_text("No albums yet")).to_be_visible()
    page.get_by_role("button", name="New album").click()
    page.get_by_role("dialog").get_by_label("Album name").fill("Holiday")
    page.get_by_role("dialog").get_by_role("button", name="Create").click()
    expect(page.get_by_text("This album is empty")).to_be_visible()
    album_id = page.url.rsplit("/", 1)[1]

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Photos").click()
    expect(page.locator(".tile-link")).to_have_count(2)
    for button in page.get_by_role("button", name=re.compile("^Select: Photo taken")).all():
        button.click()
    bar = page.get_by_role("toolbar", name="Selected items")
    expect(bar).to_contain_text("2 selected")
    bar.get_by_role("button", name="Add to album").click()
    page.get_by_role("dialog").get_by_role("button", name=re.compile("Holiday")).click()
    expect(page.get_by_text("Added 2 to “Holiday”")).to_be_visible()
    expect(bar).to_be_hidden()

    page.goto(server.url + f"/albums/{album_id}")
    expect(page.locator(".tile-link")).to_have_count(2)
    title = page.get_by_label("Album name")
    title.fill("Summer holiday")
    title.press("Enter")
    expect(page.get_by_text("Album renamed")).to_be_visible()

    page.get_by_role("button", name="Share").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Person").select_option(friend_id)
    dialog.get_by_label("Role").select_option("viewer")
    dialog.get_by_role("button", name="Share").click()
    expect(page.get_by_text(re.compile(r"shared with friend \(viewer\)"))).to_be_visible()
    page.screenshot(path=shots / "20-album.png")

    page.get_by_role("button", name=re.compile("^Select: Photo taken")).first.click()
    page.get_by_role("toolbar", name="Selected items").get_by_role("button", name="Remove from album").click()
    expect(page.locator(".tile-link")).to_have_count(1)

    with server.client(token) as c:
        album = c.get(f"/api/albums/{album_id}").json()
    assert album["albumName"] == "Summer holiday"
    assert album["assetCount"] == 1
    assert [(m["user"]["email"], m["role"]) for m in album["albumUsers"]] == [(friend_email, "viewer")]
    assert album["ownerId"] == owner_id

    # The friend sees the album as a viewer and can leave it.
    page.context.clear_cookies()
    sign_in(page, server, friend_token)
    page.goto(server.url + "/albums")
    page.get_by_role("link", name=re.compile("Summer holiday")).click()
    expect(page.get_by_label("Album name")).to_be_disabled()
    page.get_by_role("button", name="Leave album").click()
    page.get_by_role("dialog").get_by_role("button", name="Leave").click()
    expect(page).to_have_url(re.compile(r"/albums$"))
    expect(page.get_by_text("Summer holiday")).to_have_count(0)
    with server.client(token) as c:
        assert c.get(f"/api/albums/{album_id}").json()["albumUsers"] == []


def test_favourites_and_archive_pages(page: Page, server: LiveServer) -> None:
    _, _, token = server.new_user("curator")
    with server.client(token) as c:
        asset_id = upload(c, PHOTOS / "piexif" / "r_canon.jpg").json()["id"]
    wait_for_jobs(server)
    sign_in(page, server, token)
    page.goto(server.url + "/photos")
    select = page.get_by_role("button", name=re.compile("^Select: Photo taken"))
    bar = page.get_by_role("toolbar", name="Selected items")
    select.click()
    bar.get_by_role("button", name="Favourite").click()
    expect(page.get_by_text("Added 1 to favourites")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Favourites").click()
    expect(page.get_by_role("link", name=re.compile("Photo taken .*favourite"))).to_have_count(1)
    nav.get_by_role("link", name="Photos").click()
    select.click()
    bar.get_by_role("button", name="Archive").click()
    expect(page.get_by_text("No photos yet")).to_be_visible()
    nav.get_by_role("link", name="Archive").click()
    expect(page.locator(".tile-link")).to_have_count(1)
    with server.client(token) as c:
        body = c.get(f"/api/assets/{asset_id}").json()
    assert (body["isFavorite"], body["visibility"]) == (True, "archive")


def test_devices_account_and_admin(page: Page, server: LiveServer, shots: Path) -> None:
    user_id, email, token = server.new_user("devices")
    with server.client() as anon:
        other = login(anon, email, "pw-123456")
    sign_in(page, server, token)

    page.goto(server.url + "/devices")
    sessions = page.get_by_role("table").first
    expect(sessions.get_by_role("row")).to_have_count(3)  # header + this browser + the other login
    expect(sessions).to_contain_text("This browser")
    page.screenshot(path=shots / "30-devices.png")
    sessions.get_by_role("button", name=re.compile("^Log out")).click()
    page.get_by_role("dialog").get_by_role("button", name="Log out").click()
    expect(page.get_by_text("Device logged out")).to_be_visible()
    expect(sessions.get_by_role("row")).to_have_count(2)
    with server.client(other) as c:
        assert c.get("/api/users/me").status_code == 401

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    page.get_by_role("button", name="New API key").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("backup script")
    dialog.get_by_label("all", exact=True).uncheck()
    dialog.get_by_label("asset.read", exact=True).check()
    dialog.get_by_label("asset.upload", exact=True).check()
    dialog.get_by_role("button", name="Create").click()
    secret = dialog.get_by_label("API key secret").inner_text()
    dialog.get_by_role("button", name="Done").click()
    with server.client(**{"x-api-key": secret}) as c:
        assert c.get("/api/api-keys/me").json()["permissions"] == ["asset.read", "asset.upload"]
    row = page.get_by_role("row", name=re.compile("backup script"))
    expect(row).to_contain_text("asset.read, asset.upload")
    row.get_by_role("button", name="Revoke backup script").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("No API keys yet.")).to_be_visible()

    page.get_by_label("Current password").fill("not-my-password")
    page.get_by_label("New password", exact=True).fill("new-pw-123")
    page.get_by_label("Confirm new password").fill("new-pw-123")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert").filter(has_text="Wrong password")).to_be_visible()
    page.get_by_label("Current password").fill("pw-123456")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Password changed")).to_be_visible()
    with server.client() as anon:
        assert (
            anon.post("/api/auth/login", json={"email": email, "password": "new-pw-123"}).status_code == 201
        )
    page.screenshot(path=shots / "31-account.png")
    assert user_id


def test_admin_users(page: Page, server: LiveServer, shots: Path) -> None:
    sign_in(page, server, server.admin())
    page.goto(server.url + "/admin/users")
    new_email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_role("button", name="New user").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Email").fill(new_email)
    dialog.get_by_label("Name").fill("Newcomer")
    dialog.get_by_label("Password").fill("pw-654321")
    dialog.get_by_label(re.compile("Quota")).fill("1.5")
    dialog.get_by_role("button", name="Create user").click()
    row = page.get_by_role("row", name=re.compile(new_email))
    expect(row).to_contain_text("1.5 GiB")

    row.get_by_role("button", name=f"Set quota for {new_email}").click()
    page.get_by_role("dialog").get_by_label(re.compile("Quota")).fill("")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(row).to_contain_text("No limit")

    row.get_by_role("button", name=f"Delete {new_email}").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(row).to_contain_text("Deleted")
    page.screenshot(path=shots / "40-admin.png")
    row.get_by_role("button", name=f"Restore {new_email}").click()
    expect(row.get_by_role("button", name=f"Delete {new_email}")).to_be_visible()
    with server.client(server.admin()) as c:
        user = next(u for u in c.get("/api/admin/users").json() if u["email"] == new_email)
    assert user["quotaSizeInBytes"] is None
    assert user["deletedAt"] is None


def test_shared_link_page_for_people_without_an_account(
    page: Page, browser: Browser, server: LiveServer, shots: Path
) -> None:
    _, _, token = server.new_user("sharer")
    with server.client(token) as c:
        ids = [upload(c, PHOTOS / "exif-parser" / "starfish.jpg").json()["id"]]
        album_id = c.post("/api/albums", json={"albumName": "Beach", "assetIds": ids}).json()["id"]
    wait_for_jobs(server)
    sign_in(page, server, token)
    page.goto(server.url + f"/albums/{album_id}")
    page.get_by_role("button", name="Share").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Create link").click()
    url = dialog.locator(".link-out .secret").inner_text()
    assert re.fullmatch(re.escape(server.url) + r"/share/[A-Za-z0-9_-]+", url), url

    stranger = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        visitor = stranger.new_page()
        visitor.goto(url)
        expect(visitor.get_by_role("heading", name="Beach")).to_be_visible()
        tile = visitor.locator(".tile-link")
        expect(tile).to_have_count(1)
        expect(tile.locator("img")).to_have_class(re.compile("loaded"))
        visitor.screenshot(path=shots / "50-shared-link.png")
        tile.click()
        viewer = visitor.get_by_role("dialog", name=re.compile("Viewer"))
        expect(viewer.get_by_role("complementary", name="Details")).to_contain_text("Nokia Lumia 820")
        expect(viewer.get_by_role("button", name="Move to trash")).to_have_count(0)
        visitor.goto(server.url + "/share/not-a-real-key")
        expect(visitor.get_by_role("heading", name="This link does not work")).to_be_visible()
    finally:
        stranger.close()


def test_partner_shown_in_timeline_and_search(page: Page, server: LiveServer) -> None:
    partner_id, _, partner_token = server.new_user("partner")
    viewer_id, _, token = server.new_user("viewer")
    with server.client(partner_token) as c:
        assert upload(c, PHOTOS / "exif-parser" / "starfish.jpg").status_code == 201
        assert c.post("/api/partners", json={"sharedWithId": viewer_id}).status_code == 201
    with server.client(token) as c:
        assert upload(c, PHOTOS / "piexif" / "r_canon.jpg").status_code == 201
    wait_for_jobs(server)
    sign_in(page, server, token)

    page.goto(server.url + "/photos")
    expect(page.locator(".tile-link")).to_have_count(1)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sharing").click()
    page.get_by_label("Show in my timeline").check()
    expect(page.get_by_text("Shown in your timeline")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Photos").click()
    expect(page.locator(".tile-link")).to_have_count(2)

    page.get_by_role("search").get_by_label("Search").fill("r_canon")
    page.get_by_role("search").get_by_label("Search").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=r_canon"))
    expect(page.get_by_role("status").filter(has_text="found")).to_have_text("1 found")
    expect(page.get_by_role("link", name="r_canon.jpg")).to_be_visible()
    assert partner_id


def test_upload_reports_unsupported_files_plainly(page: Page, server: LiveServer, tmp_path: Path) -> None:
    _, _, token = server.new_user("uploader")
    sign_in(page, server, token)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    page.goto(server.url + "/photos")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload", exact=True).click()
    chooser.value.set_files([str(notes), str(broken)])
    panel = page.get_by_role("region", name="Uploads")
    expect(panel.get_by_text("2 of 2 done · 2 failed")).to_be_visible()
    expect(panel.get_by_text("Failed: this file type (.txt) is not supported")).to_be_visible()
    expect(panel.get_by_role("alert").filter(has_text="broken")).to_have_count(0)
    expect(panel.locator(".upload-item.error")).to_have_count(2)


def test_video_plays_and_seeks_with_ranges(page: Page, server: LiveServer) -> None:
    _, _, token = server.new_user("filmer")
    with server.client(token) as c:
        video_id = upload(c, PHOTOS / "pymediainfo" / "sample.mp4").json()["id"]
    wait_for_jobs(server)
    sign_in(page, server, token)
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/video/playback" in r.url else None)
    page.goto(server.url + f"/photos/{video_id}")
    video = page.get_by_role("dialog", name=re.compile("Viewer")).locator("video")
    expect(video).to_be_visible()
    duration = video.evaluate(
        """v => new Promise((ok, fail) => {
            if (v.readyState >= 1) return ok(v.duration);
            v.addEventListener('loadedmetadata', () => ok(v.duration), { once: true });
            const failed = () => fail(new Error('video error ' + (v.error && v.error.code)));
            v.addEventListener('error', failed, { once: true });
        })"""
    )
    assert duration > 1
    seeked = video.evaluate(
        """v => new Promise((ok) => {
            v.pause();
            v.addEventListener('seeked', () => ok(v.currentTime), { once: true });
            v.currentTime = v.duration / 2;
        })"""
    )
    assert abs(seeked - duration / 2) < 1
    assert 206 in statuses, statuses  # the browser asked for byte ranges and got them
