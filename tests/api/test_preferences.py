"""User preferences and onboarding: Immich's shapes over HTTP, and the `UserMetadataV1` stream they feed."""

from __future__ import annotations

from typing import Any

import httpx

from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer
from tests.sync.v2.helpers import SyncClient, new_client, of_type, types_of

DEFAULTS = {
    "albums": {"defaultAssetOrder": "desc"},
    "cast": {"gCastEnabled": False},
    "download": {"archiveSize": 4 * 1024**3, "includeEmbeddedVideos": False},
    "emailNotifications": {"enabled": True, "albumInvite": True, "albumUpdate": True},
    "folders": {"enabled": False, "sidebarWeb": False},
    "memories": {"enabled": True, "duration": 5},
    "people": {"enabled": True, "sidebarWeb": False},
    "purchase": {"showSupportBadge": True, "hideBuyButtonUntil": "2022-02-12T00:00:00.000Z"},
    "ratings": {"enabled": False},
    "sharedLinks": {"enabled": True, "sidebarWeb": False},
    "tags": {"enabled": False, "sidebarWeb": False},
}

METADATA = ["UserMetadataV1"]


def _with(base: dict[str, Any], **sections: dict[str, Any]) -> dict[str, Any]:
    out = {k: dict(v) for k, v in base.items()}
    for name, values in sections.items():
        out[name].update(values)
    return out


def _stored(client: SyncClient, key: str = "preferences") -> list[dict[str, Any]]:
    """The `UserMetadataV1` values streamed for `key` since the client's last ack."""
    return [d for d in of_type(client.stream(METADATA), "UserMetadataV1") if d["key"] == key]


def test_defaults_match_immich(server: LiveServer) -> None:
    client = new_client(server, "prefs-defaults")
    resp = client.http.get("/api/users/me/preferences")
    assert resp.status_code == 200, resp.text
    assert_matches("UserPreferencesResponseDto", resp.json())
    assert resp.json() == DEFAULTS
    assert _stored(client) == []  # reading never writes


def test_partial_update_round_trips_and_stores_only_the_difference(server: LiveServer) -> None:
    client = new_client(server, "prefs-update")
    update = {"folders": {"enabled": True}, "download": {"archiveSize": 1024}, "tags": {"enabled": False}}
    resp = client.http.put("/api/users/me/preferences", json=update)
    assert resp.status_code == 200, resp.text
    expected = _with(DEFAULTS, folders={"enabled": True}, download={"archiveSize": 1024})
    assert_matches("UserPreferencesResponseDto", resp.json())
    assert resp.json() == expected
    assert client.http.get("/api/users/me/preferences").json() == expected

    # a later partial update keeps earlier choices; setting a value back to its default drops it
    second = {"folders": {"sidebarWeb": True}, "download": {"archiveSize": 4 * 1024**3}}
    resp = client.http.put("/api/users/me/preferences", json=second)
    expected = _with(DEFAULTS, folders={"enabled": True, "sidebarWeb": True})
    assert resp.json() == expected
    assert client.http.get("/api/users/me/preferences").json() == expected

    lines = of_type(client.stream(METADATA), "UserMetadataV1")
    assert lines == [
        {
            "userId": client.user_id,
            "key": "preferences",
            "value": {"folders": {"enabled": True, "sidebarWeb": True}},
        }
    ]


def test_every_section_can_be_changed(server: LiveServer) -> None:
    client = new_client(server, "prefs-all")
    changed = {
        "albums": {"defaultAssetOrder": "asc"},
        "cast": {"gCastEnabled": True},
        "download": {"archiveSize": 7, "includeEmbeddedVideos": True},
        "emailNotifications": {"enabled": False, "albumInvite": False, "albumUpdate": False},
        "folders": {"enabled": True, "sidebarWeb": True},
        "memories": {"enabled": False, "duration": 9},
        "people": {"enabled": False, "sidebarWeb": True},
        "purchase": {"showSupportBadge": False, "hideBuyButtonUntil": "2030-01-01T00:00:00.000Z"},
        "ratings": {"enabled": True},
        "sharedLinks": {"enabled": False, "sidebarWeb": True},
        "tags": {"enabled": True, "sidebarWeb": True},
    }
    resp = client.http.put("/api/users/me/preferences", json={**changed, "avatar": {"color": "red"}})
    assert resp.status_code == 200, resp.text
    assert resp.json() == changed
    assert [d["value"] for d in _stored(client)] == [changed]  # avatar is accepted, not stored
    # an empty update changes nothing but, like Immich's upsert, re-stamps the row
    assert client.http.put("/api/users/me/preferences", json={}).json() == changed


BAD_PREFERENCES: list[Any] = [
    {"folders": {"enabled": "yes"}},
    {"folders": {"enabled": 1}},
    {"folders": {"enabled": None}},
    {"folders": True},
    {"folders": None},
    {"download": {"archiveSize": 0}},
    {"download": {"archiveSize": 1.5}},
    {"download": {"archiveSize": "1024"}},
    {"memories": {"duration": -1}},
    {"albums": {"defaultAssetOrder": "sideways"}},
    {"avatar": {"color": "chartreuse"}},
    {"purchase": {"hideBuyButtonUntil": "next tuesday"}},
    {"purchase": {"hideBuyButtonUntil": 20300101}},
    {"ratings": {"enabled": True}, "tags": {"enabled": "no"}},
    [],
]


def test_bad_input_is_a_400(server: LiveServer) -> None:
    client = new_client(server, "prefs-bad")
    for body in BAD_PREFERENCES:
        resp = client.http.put("/api/users/me/preferences", json=body)
        error = assert_error_body(resp, 400)
        assert isinstance(error["message"], list) and error["message"], body
    assert client.http.get("/api/users/me/preferences").json() == DEFAULTS
    assert _stored(client) == []  # nothing of a rejected update is kept


def test_malformed_json_is_a_400(server: LiveServer) -> None:
    client = new_client(server, "prefs-json")
    resp = client.http.put(
        "/api/users/me/preferences", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert_error_body(resp, 400)


def test_unknown_fields_are_ignored(server: LiveServer) -> None:
    client = new_client(server, "prefs-unknown")
    resp = client.http.put(
        "/api/users/me/preferences", json={"ratings": {"enabled": True, "stars": 9}, "theme": {"dark": True}}
    )
    assert resp.status_code == 200, resp.text
    assert resp.json() == _with(DEFAULTS, ratings={"enabled": True})
    assert [d["value"] for d in _stored(client)] == [{"ratings": {"enabled": True}}]


def test_stream_sends_each_change_once(server: LiveServer) -> None:
    alice = new_client(server, "prefs-alice")
    bob = new_client(server, "prefs-bob")
    bob.sync(METADATA)

    alice.http.put("/api/users/me/preferences", json={"ratings": {"enabled": True}})
    lines = alice.stream(METADATA)
    assert types_of(lines) == ["UserMetadataV1", "SyncCompleteV1"]
    assert of_type(lines, "UserMetadataV1") == [
        {"userId": alice.user_id, "key": "preferences", "value": {"ratings": {"enabled": True}}}
    ]
    alice.ack(lines)
    assert types_of(alice.stream(METADATA)) == ["SyncCompleteV1"]

    alice.http.put("/api/users/me/preferences", json={"memories": {"duration": 3}})
    again = alice.stream(METADATA)
    assert of_type(again, "UserMetadataV1") == [
        {
            "userId": alice.user_id,
            "key": "preferences",
            "value": {"ratings": {"enabled": True}, "memories": {"duration": 3}},
        }
    ]
    alice.ack(again)
    assert types_of(alice.stream(METADATA)) == ["SyncCompleteV1"]

    # another user's metadata is never sent
    assert of_type(bob.stream(METADATA), "UserMetadataV1") == []


def _login_says_onboarded(server: LiveServer, email: str) -> bool:
    with server.client() as anon:
        resp = anon.post("/api/auth/login", json={"email": email, "password": "pw-123456"})
        assert resp.status_code == 201, resp.text
        return bool(resp.json()["isOnboarded"])


def test_onboarding(server: LiveServer) -> None:
    user_id, email, token = server.new_user("onboard-alice")
    alice = SyncClient(server.client(token), user_id)
    bob = new_client(server, "onboard-bob")
    bob.sync(METADATA)
    http = alice.http

    got = http.get("/api/users/me/onboarding")
    assert got.status_code == 200, got.text
    assert_matches("OnboardingResponseDto", got.json())
    assert got.json() == {"isOnboarded": False}

    put = http.put("/api/users/me/onboarding", json={"isOnboarded": True})
    assert put.status_code == 200, put.text
    assert_matches("OnboardingResponseDto", put.json())
    assert put.json() == {"isOnboarded": True}
    assert http.get("/api/users/me/onboarding").json() == {"isOnboarded": True}
    assert _login_says_onboarded(server, email)

    lines = alice.stream(METADATA)
    assert of_type(lines, "UserMetadataV1") == [
        {"userId": alice.user_id, "key": "onboarding", "value": {"isOnboarded": True}}
    ]
    alice.ack(lines)

    deleted = http.delete("/api/users/me/onboarding")
    assert deleted.status_code == 204, deleted.text
    assert http.get("/api/users/me/onboarding").json() == {"isOnboarded": False}
    assert not _login_says_onboarded(server, email)
    lines = alice.stream(METADATA)
    assert types_of(lines) == ["UserMetadataDeleteV1", "SyncCompleteV1"]
    assert of_type(lines, "UserMetadataDeleteV1") == [{"userId": alice.user_id, "key": "onboarding"}]
    alice.ack(lines)

    # deleting what is not there is fine and sends nothing
    assert http.delete("/api/users/me/onboarding").status_code == 204
    assert types_of(alice.stream(METADATA)) == ["SyncCompleteV1"]

    assert of_type(bob.stream(METADATA), "UserMetadataV1") == []
    assert of_type(bob.stream(METADATA), "UserMetadataDeleteV1") == []


def test_onboarding_bad_input(server: LiveServer) -> None:
    client = new_client(server, "onboard-bad")
    body: object
    for body in ({}, {"isOnboarded": "true"}, {"isOnboarded": None}, {"isOnboarded": 1}, []):
        assert_error_body(client.http.put("/api/users/me/onboarding", json=body), 400)
    assert client.http.get("/api/users/me/onboarding").json() == {"isOnboarded": False}


def _key(http: httpx.Client, *permissions: str) -> httpx.Client:
    resp = http.post("/api/api-keys", json={"name": "prefs", "permissions": list(permissions)})
    assert resp.status_code == 201, resp.text
    return httpx.Client(base_url=http.base_url, headers={"x-api-key": resp.json()["secret"]}, timeout=60)


def test_api_key_permissions(server: LiveServer) -> None:
    client = new_client(server, "prefs-keys")
    with _key(client.http, "userPreference.read", "userOnboarding.read") as reader:
        assert reader.get("/api/users/me/preferences").status_code == 200
        assert reader.get("/api/users/me/onboarding").status_code == 200
        assert_error_body(reader.put("/api/users/me/preferences", json={}), 403)
        assert_error_body(reader.put("/api/users/me/onboarding", json={"isOnboarded": True}), 403)
        assert_error_body(reader.delete("/api/users/me/onboarding"), 403)
    with _key(client.http, "userPreference.update", "userOnboarding.update") as writer:
        assert (
            writer.put("/api/users/me/preferences", json={"cast": {"gCastEnabled": True}}).status_code == 200
        )
        assert writer.put("/api/users/me/onboarding", json={"isOnboarded": True}).status_code == 200
        assert_error_body(writer.get("/api/users/me/preferences"), 403)
    with _key(client.http, "userOnboarding.delete") as deleter:
        assert deleter.delete("/api/users/me/onboarding").status_code == 204
    with server.client() as anonymous:
        assert_error_body(anonymous.get("/api/users/me/preferences"), 401)


def test_admin_preferences(server: LiveServer) -> None:
    carol = new_client(server, "prefs-carol")
    carol.http.put("/api/users/me/preferences", json={"people": {"sidebarWeb": True}})
    carol.sync(METADATA)
    with server.client(server.admin()) as admin:
        got = admin.get(f"/api/admin/users/{carol.user_id}/preferences")
        assert got.status_code == 200, got.text
        assert_matches("UserPreferencesResponseDto", got.json())
        assert got.json() == _with(DEFAULTS, people={"sidebarWeb": True})

        put = admin.put(f"/api/admin/users/{carol.user_id}/preferences", json={"tags": {"enabled": True}})
        assert put.status_code == 200, put.text
        assert put.json() == _with(DEFAULTS, people={"sidebarWeb": True}, tags={"enabled": True})
        assert_error_body(admin.put(f"/api/admin/users/{carol.user_id}/preferences", json={"tags": 1}), 400)

        unknown = "5f7c7a6e-2d5e-4b6b-9d1e-000000000000"
        assert_error_body(admin.get(f"/api/admin/users/{unknown}/preferences"), 400)
        assert_error_body(admin.put(f"/api/admin/users/{unknown}/preferences", json={}), 400)
        assert_error_body(admin.get("/api/admin/users/not-a-uuid/preferences"), 400)

    # the owner's devices learn about the admin's change
    assert [d["value"] for d in _stored(carol)] == [
        {"people": {"sidebarWeb": True}, "tags": {"enabled": True}}
    ]
    # a regular user cannot use the admin routes
    assert_error_body(carol.http.get(f"/api/admin/users/{carol.user_id}/preferences"), 403)
    assert_error_body(carol.http.put(f"/api/admin/users/{carol.user_id}/preferences", json={}), 403)
