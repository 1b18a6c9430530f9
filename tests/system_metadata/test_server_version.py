"""Version history recorded at start-up, and the Android app links for the matching release."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from filmroll import IMMICH_API_VERSION
from filmroll.db.engine import Database
from filmroll.services.system_metadata import SystemMetadataService
from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer, live_server

VERSION = "{}.{}.{}".format(*IMMICH_API_VERSION)


def _history(server: LiveServer) -> list[dict[str, str]]:
    with server.client() as anon:  # public, as in Immich
        resp = anon.get("/api/server/version-history")
    assert resp.status_code == 200, resp.text
    body: list[dict[str, str]] = resp.json()
    assert isinstance(body, list)
    for entry in body:
        assert_matches("ServerVersionHistoryResponseDto", entry)
    return body


def test_the_running_version_is_recorded_once(server: LiveServer, db: Database) -> None:
    with server.client() as c:
        reported = c.get("/api/server/version").json()
    assert "{major}.{minor}.{patch}".format(**reported) == VERSION
    [entry] = _history(server)
    assert entry["version"] == VERSION
    uuid.UUID(entry["id"])
    created = datetime.fromisoformat(entry["createdAt"].replace("Z", "+00:00"))
    assert timedelta(0) <= datetime.now(UTC) - created < timedelta(days=1)

    service = SystemMetadataService(db)  # what every later start-up runs
    assert asyncio.run(service.record_version()) is False
    assert asyncio.run(service.record_version()) is False
    assert _history(server) == [entry]


def test_a_new_version_is_added_newest_first(database_url: str) -> None:
    db = Database(database_url, pool_size=2)
    service = SystemMetadataService(db)

    async def run() -> list[str]:
        assert await service.record_version("2.7.4") is True
        assert await service.record_version("2.7.4") is False
        assert await service.record_version(VERSION) is True
        assert await service.record_version(VERSION) is False
        assert await service.record_version("2.7.4") is True  # a downgrade is history too
        return [e.version for e in await service.version_history()]

    try:
        assert asyncio.run(run()) == ["2.7.4", VERSION, "2.7.4"]
    finally:
        db.dispose()


def test_apk_links(server: LiveServer) -> None:
    _id, _email, token = server.new_user()
    with server.client(token) as c:
        resp = c.get("/api/server/apk-links")
    assert resp.status_code == 200, resp.text
    links = resp.json()
    assert_matches("ServerApkLinksDto", links)
    base = f"https://github.com/immich-app/immich/releases/download/v{VERSION}"
    assert links == {
        "arm64v8a": f"{base}/app-arm64-v8a-release.apk",
        "armeabiv7a": f"{base}/app-armeabi-v7a-release.apk",
        "universal": f"{base}/app-release.apk",
        "x86_64": f"{base}/app-x86_64-release.apk",
    }
    with server.client() as anon:
        assert_error_body(anon.get("/api/server/apk-links"), 401)
    with server.client(token) as c:
        keys = {
            p: c.post("/api/api-keys", json={"name": p, "permissions": [p]}).json()["secret"]
            for p in ("server.about", "server.apkLinks")
        }
    with server.client(**{"x-api-key": keys["server.about"]}) as c:
        denied = assert_error_body(c.get("/api/server/apk-links"), 403)
        assert denied["message"] == "Missing required permission: server.apkLinks"
    with server.client(**{"x-api-key": keys["server.apkLinks"]}) as c:
        assert c.get("/api/server/apk-links").json() == links


def test_restarting_the_server_adds_nothing(database_url: str, tmp_path: Path) -> None:
    for _start in range(2):
        with live_server(database_url, tmp_path / "data") as live:
            history = _history(live)
    assert [e["version"] for e in history] == [VERSION]
