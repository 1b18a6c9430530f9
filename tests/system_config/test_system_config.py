"""`/api/system-config`: Immich's defaults, admin edits that persist and validate, the admin and
API-key rules, and the password-login switch taking effect."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from filmroll.db.engine import Database
from filmroll.repositories import system_config
from tests.assets.helpers import PHOTOS, upload
from tests.contract import assert_error_body, assert_matches
from tests.events.helpers import Listener, cookie_headers
from tests.support import LiveServer

PHOTO = PHOTOS / "exif-parser" / "starfish.jpg"
CONFIG = "/api/system-config"
DEFAULTS = "/api/system-config/defaults"


def _defaults(server: LiveServer) -> dict[str, Any]:
    with server.client(server.admin()) as c:
        resp = c.get(DEFAULTS)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


@pytest.fixture
def restore(server: LiveServer) -> Iterator[None]:
    """The shared server goes back to the defaults, whatever a test saved."""
    yield
    with server.client(server.admin()) as c:
        assert c.put(CONFIG, json=_defaults(server)).status_code == 200


def test_defaults_are_immichs_and_the_initial_config(fresh_server: LiveServer) -> None:
    with fresh_server.client(fresh_server.admin()) as c:
        defaults = c.get(DEFAULTS)
        current = c.get(CONFIG)
    assert defaults.status_code == 200 and current.status_code == 200
    assert_matches("SystemConfigDto", defaults.json())
    assert_matches("SystemConfigDto", current.json())
    assert current.json() == defaults.json()
    body = defaults.json()
    assert body["trash"] == {"enabled": True, "days": 30}
    assert body["passwordLogin"] == {"enabled": True}
    assert body["user"] == {"deleteDelay": 7}
    assert body["oauth"]["defaultStorageQuota"] is None
    assert body["job"]["thumbnailGeneration"] == {"concurrency": 3}
    assert body["image"]["thumbnail"] == {"format": "webp", "size": 250, "quality": 80, "progressive": False}
    assert body["machineLearning"]["urls"] == ["http://immich-machine-learning:3003"]
    assert body["backup"]["database"]["cronExpression"] == "0 02 * * *"


def test_defaults_name_every_schema_field_and_nothing_else(server: LiveServer) -> None:
    """Each object carries exactly the properties of its Immich schema."""
    import json

    from tests.contract import OPENAPI

    schemas = json.loads(OPENAPI.read_text())["components"]["schemas"]

    def check(value: Any, schema: dict[str, Any], path: str) -> None:
        while "$ref" in schema or "allOf" in schema:
            schema = schemas[(schema.get("$ref") or schema["allOf"][0]["$ref"]).rsplit("/", 1)[-1]]
        if schema.get("type") == "object":
            assert set(value) == set(schema["properties"]), path
            for key, prop in schema["properties"].items():
                check(value[key], prop, f"{path}.{key}")

    check(_defaults(server), schemas["SystemConfigDto"], "")


def test_update_round_trips_and_leaves_defaults_alone(server: LiveServer, restore: None) -> None:
    defaults = _defaults(server)
    changed = copy.deepcopy(defaults)
    changed["trash"]["days"] = 12
    changed["user"]["deleteDelay"] = 3
    changed["server"]["externalDomain"] = "https://photos.example.com"
    changed["server"]["loginPageMessage"] = "Welcome home"
    changed["map"]["enabled"] = False
    changed["oauth"]["defaultStorageQuota"] = 5
    changed["ffmpeg"]["acceptedAudioCodecs"] = ["aac", "libopus"]
    changed["notANewSetting"] = {"x": 1}  # unknown: dropped, as Immich's whitelist does
    changed["trash"]["extra"] = True
    with server.client(server.admin()) as c:
        saved = c.put(CONFIG, json=changed)
        assert saved.status_code == 200, saved.text
        assert_matches("SystemConfigDto", saved.json())
        again = c.get(CONFIG).json()
    assert saved.json() == again
    assert again["trash"] == {"enabled": True, "days": 12}
    assert again["user"] == {"deleteDelay": 3}
    assert again["server"]["externalDomain"] == "https://photos.example.com"
    assert again["server"]["loginPageMessage"] == "Welcome home"
    assert again["map"]["enabled"] is False
    assert again["oauth"]["defaultStorageQuota"] == 5
    assert again["ffmpeg"]["acceptedAudioCodecs"] == ["aac", "opus"]
    assert "notANewSetting" not in again
    assert again["image"] == defaults["image"]
    assert _defaults(server) == defaults

    back = copy.deepcopy(again)
    back["oauth"]["defaultStorageQuota"] = None
    back["trash"]["days"] = 30
    with server.client(server.admin()) as c:
        resp = c.put(CONFIG, json=back)
    assert resp.status_code == 200, resp.text
    assert resp.json()["oauth"]["defaultStorageQuota"] is None
    assert resp.json()["trash"]["days"] == 30


def test_booleans_sent_as_strings_are_accepted(server: LiveServer, restore: None) -> None:
    changed = _defaults(server)
    changed["reverseGeocoding"]["enabled"] = "false"
    with server.client(server.admin()) as c:
        resp = c.put(CONFIG, json=changed)
    assert resp.status_code == 200, resp.text
    assert resp.json()["reverseGeocoding"] == {"enabled": False}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b["trash"].update(days="30"), "trash.days must be an integer number"),
        (lambda b: b["trash"].update(days=1.5), "trash.days must be an integer number"),
        (lambda b: b["trash"].update(days=-1), "trash.days must not be less than 0"),
        (lambda b: b["trash"].pop("enabled"), "trash.enabled must be a boolean value"),
        (lambda b: b.pop("user"), "user must be an object"),
        (lambda b: b["ffmpeg"].update(crf=52), "ffmpeg.crf must not be greater than 51"),
        (
            lambda b: b["image"]["preview"].update(format="gif"),
            "image.preview.format must be one of the following values: jpeg, webp",
        ),
        (
            lambda b: b["machineLearning"].update(urls=[]),
            "machineLearning.urls must contain at least 1 elements",
        ),
        (lambda b: b["map"].update(lightStyle="not a url"), "map.lightStyle must be a URL address"),
        (lambda b: b["server"].update(externalDomain=3), "server.externalDomain must be a string"),
        (
            lambda b: b["oauth"].update(defaultStorageQuota=10**30),
            "oauth.defaultStorageQuota must not be greater",
        ),
        (lambda b: b["library"]["scan"].update(cronExpression="daily"), "Invalid cron expression"),
        (lambda b: b["nightlyTasks"].update(startTime="25:00"), "startTime must be in HH:mm format"),
    ],
)
def test_invalid_config_is_a_400(server: LiveServer, mutate: Any, message: str) -> None:
    body = _defaults(server)
    mutate(body)
    with server.client(server.admin()) as c:
        before = c.get(CONFIG).json()
        resp = c.put(CONFIG, json=body)
        after = c.get(CONFIG).json()
    error = assert_error_body(resp, 400)
    assert error["error"] == "Bad Request"
    assert isinstance(error["message"], list)
    assert any(m.startswith(message) for m in error["message"]), error["message"]
    assert after == before


@pytest.mark.parametrize("body", [[], "config", None, {}])
def test_non_object_or_empty_body_is_a_400(server: LiveServer, body: Any) -> None:
    with server.client(server.admin()) as c:
        resp = c.put(CONFIG, json=body)
    assert_error_body(resp, 400)


def test_malformed_json_is_a_400(server: LiveServer) -> None:
    with server.client(server.admin()) as c:
        resp = c.put(CONFIG, content=b"{not json", headers={"content-type": "application/json"})
    assert_error_body(resp, 400)


def test_oversized_config_is_refused(server: LiveServer) -> None:
    body = _defaults(server)
    body["theme"]["customCss"] = "a" * (2 * 1024 * 1024)
    with server.client(server.admin()) as c:
        resp = c.put(CONFIG, json=body)
        assert c.get(CONFIG).json()["theme"]["customCss"] == ""
    assert_error_body(resp, 413)


def test_non_admins_are_forbidden(server: LiveServer) -> None:
    _id, _email, token = server.new_user("plain")
    defaults = _defaults(server)
    with server.client(token) as c:
        for resp in (c.get(CONFIG), c.get(DEFAULTS), c.put(CONFIG, json=defaults)):
            assert assert_error_body(resp, 403)["message"] == "Forbidden"
    with server.client() as anon:
        assert_error_body(anon.get(CONFIG), 401)


def _api_key(server: LiveServer, permissions: list[str]) -> str:
    with server.client(server.admin()) as c:
        resp = c.post("/api/api-keys", json={"name": "cfg", "permissions": permissions})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["secret"])


def test_api_keys_need_the_system_config_permissions(server: LiveServer) -> None:
    defaults = _defaults(server)
    with server.client(**{"x-api-key": _api_key(server, ["asset.read"])}) as k:
        for resp in (k.get(CONFIG), k.get(DEFAULTS)):
            assert assert_error_body(resp, 403)["message"] == "Missing required permission: systemConfig.read"
        denied = k.put(CONFIG, json=defaults)
        assert assert_error_body(denied, 403)["message"] == "Missing required permission: systemConfig.update"
    with server.client(**{"x-api-key": _api_key(server, ["systemConfig.read"])}) as k:
        assert k.get(CONFIG).status_code == 200
        assert k.get(DEFAULTS).status_code == 200
        assert_error_body(k.put(CONFIG, json=defaults), 403)
    with server.client(**{"x-api-key": _api_key(server, ["systemConfig.update"])}) as k:
        assert k.put(CONFIG, json=defaults).status_code == 200


def test_password_login_can_be_disabled(fresh_server: LiveServer) -> None:
    admin = fresh_server.admin()
    _id, email, _token = fresh_server.new_user("login")
    config = _defaults(fresh_server)
    config["passwordLogin"]["enabled"] = False
    with fresh_server.client(admin) as c:
        assert c.put(CONFIG, json=config).status_code == 200
    with fresh_server.client() as anon:
        for who, password in ((email, "pw-123456"), ("admin@example.com", "admin-pw")):
            denied = anon.post("/api/auth/login", json={"email": who, "password": password})
            assert assert_error_body(denied, 401)["message"] == "Password login has been disabled"
        assert anon.get("/api/server/features").json()["passwordLogin"] is False
    config["passwordLogin"]["enabled"] = True
    with fresh_server.client(admin) as c:  # existing sessions keep working
        assert c.put(CONFIG, json=config).status_code == 200
    with fresh_server.client() as anon:
        assert anon.post("/api/auth/login", json={"email": email, "password": "pw-123456"}).status_code == 201
        assert anon.get("/api/server/features").json()["passwordLogin"] is True


def test_the_apps_read_the_saved_settings(fresh_server: LiveServer) -> None:
    """`/server/config`, which the apps read before login, follows the saved settings, and
    connected apps are told to read it again (`on_config_update`)."""
    config = _defaults(fresh_server)
    config["server"].update(loginPageMessage="Welcome, family", externalDomain="https://photos.example.org")
    config["server"]["publicUsers"] = False
    config["trash"]["days"] = 12
    config["user"]["deleteDelay"] = 3
    _id, _email, token = fresh_server.new_user("watcher")
    with Listener(fresh_server, cookie_headers(token)) as app, fresh_server.client(fresh_server.admin()) as c:
        assert c.put(CONFIG, json=config).status_code == 200
        app.wait("on_config_update")
    with fresh_server.client() as anon:
        shown = anon.get("/api/server/config").json()
    assert shown["loginPageMessage"] == "Welcome, family"
    assert shown["externalDomain"] == "https://photos.example.org"
    assert (shown["publicUsers"], shown["trashDays"], shown["userDeleteDelay"]) == (False, 12, 3)


def test_only_changes_from_the_defaults_are_stored(server: LiveServer, db: Database, restore: None) -> None:
    """Untouched settings follow the defaults of whichever version runs next."""
    changed = _defaults(server)
    changed["trash"]["days"] = 9
    changed["passwordLogin"]["enabled"] = True
    with server.client(server.admin()) as c:
        assert c.put(CONFIG, json=changed).status_code == 200
    assert db.read_sync(system_config.get) == {"trash": {"days": 9}}


def test_with_the_trash_off_a_delete_is_for_good(fresh_server: LiveServer) -> None:
    """As in Immich, `DELETE /assets` without `force` trashes only while the trash is on."""
    _id, _email, token = fresh_server.new_user("deleter")
    config = _defaults(fresh_server)
    with fresh_server.client(token) as c:
        ids = []
        for _ in range(2):
            resp = upload(c, PHOTO, content=PHOTO.read_bytes() + secrets.token_bytes(8))
            assert resp.status_code == 201, resp.text
            ids.append(resp.json()["id"])
        assert c.request("DELETE", "/api/assets", json={"ids": ids[:1]}).status_code == 204
        assert c.get(f"/api/assets/{ids[0]}").json()["isTrashed"] is True
        config["trash"]["enabled"] = False
        with fresh_server.client(fresh_server.admin()) as admin:
            assert admin.put(CONFIG, json=config).status_code == 200
        assert c.request("DELETE", "/api/assets", json={"ids": ids[1:]}).status_code == 204
        assert_error_body(c.get(f"/api/assets/{ids[1]}"), 400)
        assert c.get(f"/api/assets/{ids[0]}").json()["isTrashed"] is True, "what was in the trash stays"
