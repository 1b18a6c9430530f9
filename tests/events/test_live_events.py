"""Live events over a real socket.io connection, against a live server on both databases.

Every test connects the way Immich's mobile app does (websocket transport at `/api/socket.io`,
its credentials in headers) and checks who hears what, how fast, and in which shape.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

from tests.assets.helpers import PHOTOS, upload
from tests.contract import assert_matches
from tests.events.helpers import MOBILE_AGENT, QUIET, Listener, cookie_headers
from tests.support import LiveServer, login

JPEG = PHOTOS / "node-exif" / "test1.jpg"
PASSWORD = "pw-123456"
ASSET_EVENTS = (
    "on_upload_success",
    "AssetUploadReadyV1",
    "on_asset_update",
    "on_asset_trash",
    "on_asset_restore",
    "on_asset_delete",
    "on_asset_hidden",
    "on_asset_stack_update",
)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "User-Agent": MOBILE_AGENT}


def second_session(server: LiveServer, email: str) -> str:
    """Another device of the same user: a second login."""
    with server.client() as anon:
        return login(anon, email, PASSWORD)


def add_upload(client: httpx.Client, tag: str, path: Path = JPEG) -> str:
    """Upload the photo with `tag` appended, so each upload is a new file."""
    resp = upload(client, path, path.read_bytes() + tag.encode())
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def ready_at(client: httpx.Client, asset_id: str, timeout: float = 60) -> float:
    """When the asset's metadata and thumbnails were both seen stored (polled)."""
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/api/assets/{asset_id}").json()
        if body.get("thumbhash") and (body.get("exifInfo") or {}).get("fileSizeInByte") is not None:
            return time.monotonic()
        assert time.monotonic() < deadline, f"asset {asset_id} never got metadata and thumbnails"
        time.sleep(0.02)


def first_arg_is(value: Any) -> Any:
    return lambda args: len(args) == 1 and args[0] == value


def by_id(asset_id: str) -> Any:
    return lambda args: len(args) == 1 and args[0]["id"] == asset_id


def assert_heard_nothing(*listeners: Listener) -> None:
    time.sleep(QUIET)
    for listener in listeners:
        heard = [name for name in listener.names() if name in ASSET_EVENTS]
        assert heard == [], heard


def test_the_apps_handshake_connects_and_gets_the_server_version(server: LiveServer) -> None:
    _user, _email, token = server.new_user("phone")
    # Newer apps: the shared native HTTP client sends the auth cookies on the websocket.
    with Listener(server, cookie_headers(token)) as phone:
        (version,), _at = phone.wait("on_server_version")
        assert version == {"major": 2, "minor": 7, "patch": 5}
        assert_matches("ServerVersionResponseDto", version)
    # Older apps: the API client's headers, `x-immich-user-token` among them.
    with Listener(server, {"x-immich-user-token": token, "User-Agent": MOBILE_AGENT}) as phone:
        phone.wait("on_server_version")


def test_polling_is_refused_as_immich_does(server: LiveServer) -> None:
    _user, _email, token = server.new_user("poller")
    with server.client(token) as client:
        resp = client.get("/api/socket.io/", params={"EIO": "4", "transport": "polling"})
    assert resp.status_code == 400


def test_every_rest_credential_opens_a_connection(server: LiveServer) -> None:
    _user, email, token = server.new_user("creds")
    with server.client(token) as client:
        resp = client.post("/api/api-keys", json={"name": "events", "permissions": ["asset.read"]})
        assert resp.status_code == 201, resp.text
        key = resp.json()["secret"]
        asset_id = add_upload(client, "creds")
        ready_at(client, asset_id)
        variants = [
            cookie_headers(second_session(server, email)),
            bearer(second_session(server, email)),
            {"x-immich-user-token": second_session(server, email)},
            {"x-api-key": key},  # any permission will do, as in Immich
        ]
        listeners = [Listener(server, headers).__enter__() for headers in variants]
        try:
            for listener in listeners:
                listener.wait("on_server_version")
            assert client.request("DELETE", "/api/assets", json={"ids": [asset_id]}).status_code == 204
            for listener in listeners:
                listener.wait("on_asset_trash", first_arg_is([asset_id]), timeout=5)
        finally:
            for listener in listeners:
                listener.__exit__()


def test_bad_credentials_get_unauthorized_and_are_closed(server: LiveServer) -> None:
    for headers in (
        {},
        {"x-immich-user-token": "not-a-token"},
        bearer("not-a-token"),
        {"x-api-key": "not-a-key"},
        cookie_headers("not-a-token"),
    ):
        with Listener(server, headers) as stranger:
            (message,), _at = stranger.wait("error")
            assert message == "unauthorized"
            assert stranger.disconnected.wait(5)
            assert stranger.of("on_server_version") == []


def test_an_upload_reaches_the_owners_other_devices_within_a_second_and_nobody_else(
    server: LiveServer,
) -> None:
    owner, email, phone_token = server.new_user("owner")
    partner, _e, partner_token = server.new_user("partner")
    _stranger, _e, stranger_token = server.new_user("stranger")
    with server.client(phone_token) as phone:
        assert phone.post("/api/partners", json={"sharedWithId": partner}).status_code == 201
    tablet_token = second_session(server, email)
    with (
        Listener(server, cookie_headers(tablet_token)) as tablet,
        Listener(server, cookie_headers(partner_token)) as partner_app,
        Listener(server, bearer(stranger_token)) as stranger_app,
        server.client(phone_token) as phone,
        server.client(tablet_token) as tablet_http,
    ):
        asset_id = add_upload(phone, "upload")
        done = ready_at(tablet_http, asset_id)
        (dto,), heard = tablet.wait("on_upload_success", by_id(asset_id), timeout=60)
        assert heard <= done + 1.0
        assert_matches("AssetResponseDto", dto)
        assert dto["ownerId"] == owner
        assert dto["thumbhash"] and dto["exifInfo"]["fileSizeInByte"]

        (ready,), heard = tablet.wait("AssetUploadReadyV1", lambda a: a[0]["asset"]["id"] == asset_id)
        assert heard <= done + 1.0
        assert_matches("SyncAssetV1", ready["asset"])
        assert_matches("SyncAssetExifV1", ready["exif"])
        # exactly what the sync stream sends for the same asset
        resp = tablet_http.post("/api/sync/stream", json={"types": ["AssetsV1", "AssetExifsV1"]})
        lines = [json.loads(raw) for raw in resp.text.splitlines()]
        assert [x["data"] for x in lines if x["type"] == "AssetV1"] == [ready["asset"]]
        assert [x["data"] for x in lines if x["type"] == "AssetExifV1"] == [ready["exif"]]

        assert_heard_nothing(partner_app, stranger_app)
        # announced once, although two jobs finished
        assert len(tablet.of("on_upload_success")) == len(tablet.of("AssetUploadReadyV1")) == 1


def test_asset_changes_reach_the_owner_within_a_second(server: LiveServer) -> None:
    _owner, email, phone_token = server.new_user("editor")
    partner, _e, partner_token = server.new_user("partner")
    _stranger, _e, stranger_token = server.new_user("stranger")
    tablet_token = second_session(server, email)
    with (
        Listener(server, cookie_headers(tablet_token)) as tablet,
        Listener(server, cookie_headers(partner_token)) as partner_app,
        Listener(server, cookie_headers(stranger_token)) as stranger_app,
        server.client(phone_token) as phone,
    ):
        assert phone.post("/api/partners", json={"sharedWithId": partner}).status_code == 201
        first, second = add_upload(phone, "one"), add_upload(phone, "two")
        for asset_id in (first, second):
            tablet.wait("on_upload_success", by_id(asset_id), timeout=60)

        def within_a_second(name: str, match: Any, request: Any) -> tuple[Any, ...]:
            """The event reaches the other device at most a second after the write is answered
            (measured from the answer, so a loaded machine's slow request does not count)."""
            resp = request()
            answered = time.monotonic()
            assert resp.status_code in (200, 201, 204), resp.text
            args, heard = tablet.wait(name, match, timeout=5)
            assert heard - answered < 1.0, f"{name} came {heard - answered:.2f}s after the answer"
            return args

        (dto,) = within_a_second(
            "on_asset_update",
            lambda a: a[0]["id"] == first and a[0]["exifInfo"]["description"] == "hello",
            lambda: phone.put(f"/api/assets/{first}", json={"description": "hello", "isFavorite": True}),
        )
        assert_matches("AssetResponseDto", dto)
        assert dto["isFavorite"] is True

        within_a_second(
            "on_asset_trash",
            first_arg_is([first]),
            lambda: phone.request("DELETE", "/api/assets", json={"ids": [first]}),
        )
        within_a_second(
            "on_asset_restore",
            first_arg_is([first]),
            lambda: phone.post("/api/trash/restore/assets", json={"ids": [first]}),
        )
        args = within_a_second(
            "on_asset_stack_update",
            lambda _a: True,
            lambda: phone.post("/api/stacks", json={"assetIds": [first, second]}),
        )
        assert args == ()  # Immich sends it without arguments
        within_a_second(
            "on_asset_delete",
            first_arg_is(second),
            lambda: phone.request("DELETE", "/api/assets", json={"ids": [second], "force": True}),
        )
        assert_heard_nothing(partner_app, stranger_app)


def test_a_refused_write_sends_nothing(server: LiveServer) -> None:
    _owner, _email, owner_token = server.new_user("owner")
    _other, _e, other_token = server.new_user("other")
    with (
        server.client(owner_token) as owner,
        server.client(other_token) as other,
        Listener(server, cookie_headers(owner_token)) as owner_app,
    ):
        asset_id = add_upload(owner, "mine")
        owner_app.wait("on_upload_success", by_id(asset_id), timeout=60)
        assert other.request("DELETE", "/api/assets", json={"ids": [asset_id]}).status_code == 400
        assert other.put(f"/api/assets/{asset_id}", json={"description": "x"}).status_code == 400
        assert owner.put(f"/api/assets/{asset_id}", json={"rating": 99}).status_code == 400
        time.sleep(QUIET)
        assert owner_app.of("on_asset_trash") == owner_app.of("on_asset_update") == []


def test_a_live_photos_video_part_is_announced_hidden(server: LiveServer) -> None:
    _owner, _email, token = server.new_user("live")
    video = PHOTOS / "pymediainfo" / "sample.mp4"
    with server.client(token) as client, Listener(server, cookie_headers(token)) as app:
        video_id = add_upload(client, "motion", video)
        resp = upload(client, JPEG, JPEG.read_bytes() + b"still", livePhotoVideoId=video_id)
        assert resp.status_code == 201, resp.text
        app.wait("on_asset_hidden", first_arg_is(video_id), timeout=5)


def test_a_deleted_session_is_told_and_closed(server: LiveServer) -> None:
    _user, email, phone_token = server.new_user("sessions")
    tablet_token, laptop_token = second_session(server, email), second_session(server, email)
    with server.client(tablet_token) as tablet_http:
        tablet_id = next(s["id"] for s in tablet_http.get("/api/sessions").json() if s["current"])
    with server.client(laptop_token) as laptop_http:
        laptop_id = next(s["id"] for s in laptop_http.get("/api/sessions").json() if s["current"])
    with (
        server.client(phone_token) as phone,
        Listener(server, cookie_headers(phone_token)) as phone_app,
        Listener(server, cookie_headers(tablet_token)) as tablet_app,
        Listener(server, bearer(laptop_token)) as laptop_app,
    ):
        # generous waits: a 5 s wait for this event once ran out in a full CI run on PostgreSQL
        # (cause not found; the test passes alone and in every other run)
        assert phone.delete(f"/api/sessions/{tablet_id}").status_code == 204
        tablet_app.wait("on_session_delete", first_arg_is(tablet_id), timeout=20)
        assert tablet_app.disconnected.wait(20)
        assert phone.delete("/api/sessions").status_code == 204  # every other session
        laptop_app.wait("on_session_delete", first_arg_is(laptop_id), timeout=20)
        assert laptop_app.disconnected.wait(20)
        time.sleep(QUIET)
        assert phone_app.of("on_session_delete") == []
        assert phone_app.client.connected
    with Listener(server, cookie_headers(tablet_token)) as again:
        assert again.wait("error")[0] == ("unauthorized",)


def test_a_deleted_user_is_announced_and_their_connections_closed(server: LiveServer) -> None:
    victim, _email, victim_token = server.new_user("victim")
    _watcher, _e, watcher_token = server.new_user("watcher")
    with (
        Listener(server, cookie_headers(victim_token)) as victim_app,
        Listener(server, cookie_headers(watcher_token)) as watcher_app,
        server.client(server.admin()) as admin,
    ):
        resp = admin.request("DELETE", f"/api/admin/users/{victim}", json={"force": True})
        assert resp.status_code == 200, resp.text
        watcher_app.wait("on_user_delete", first_arg_is(victim), timeout=5)
        assert victim_app.disconnected.wait(5)


def test_only_timeline_and_archive_uploads_are_announced(server: LiveServer) -> None:
    _owner, _email, token = server.new_user("visibility")
    with server.client(token) as client, Listener(server, cookie_headers(token)) as app:
        hidden = upload(client, JPEG, JPEG.read_bytes() + b"hidden", visibility="hidden")
        assert hidden.status_code == 201, hidden.text
        archived = upload(client, JPEG, JPEG.read_bytes() + b"archive", visibility="archive")
        assert archived.status_code == 201, archived.text
        app.wait("on_upload_success", by_id(archived.json()["id"]), timeout=60)
        ready_at(client, hidden.json()["id"])
        time.sleep(QUIET)
        announced = {args[0]["id"] for args in app.of("on_upload_success")}
        announced |= {args[0]["asset"]["id"] for args in app.of("AssetUploadReadyV1")}
        assert announced == {archived.json()["id"]}
