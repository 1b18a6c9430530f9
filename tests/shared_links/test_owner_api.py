"""Owners manage shared links over HTTP: Immich's shapes, status codes, rules and permissions."""

from __future__ import annotations

import uuid

from tests.contract import assert_error_body, assert_matches
from tests.shared_links.helpers import create_album, create_link, upload_photo, user, visitor
from tests.support import LiveServer


def test_album_and_individual_links_lifecycle(server: LiveServer) -> None:
    owner_id, owner = user(server, "owner")
    photo, other = upload_photo(owner), upload_photo(owner)
    album_id = create_album(owner, [photo])

    album_link = create_link(owner, type="ALBUM", albumId=album_id, description="trip", slug=f"s-{photo}")
    assert_matches("SharedLinkResponseDto", album_link)
    assert album_link["userId"] == owner_id and album_link["type"] == "ALBUM"
    assert album_link["album"]["id"] == album_id and album_link["album"]["hasSharedLink"] is True
    assert album_link["assets"] == [] and album_link["slug"] == f"s-{photo}"
    assert (album_link["allowUpload"], album_link["allowDownload"], album_link["showMetadata"]) == (
        True,
        True,
        True,
    )
    assert album_link["password"] is None and album_link["expiresAt"] is None
    assert len(album_link["key"]) == 67 and "=" not in album_link["key"]  # 50 bytes, base64url

    single = create_link(owner, type="INDIVIDUAL", assetIds=[photo], password="pw", showMetadata=False)
    assert_matches("SharedLinkResponseDto", single)
    assert [a["id"] for a in single["assets"]] == [photo]
    assert "album" not in single and single["password"] == "pw"
    assert single["allowDownload"] is False  # hiding metadata never hands out originals

    listed = owner.get("/api/shared-links").json()
    assert [link["id"] for link in listed] == [single["id"], album_link["id"]]
    for link in listed:
        assert_matches("SharedLinkResponseDto", link)
    by_album = owner.get("/api/shared-links", params={"albumId": album_id}).json()
    assert [link["id"] for link in by_album] == [album_link["id"]]
    assert owner.get("/api/shared-links", params={"id": single["id"]}).json()[0]["id"] == single["id"]
    assert owner.get("/api/shared-links", params={"albumId": str(uuid.uuid4())}).json() == []
    assert owner.get(f"/api/shared-links/{single['id']}").json()["id"] == single["id"]

    patched = owner.patch(
        f"/api/shared-links/{album_link['id']}",
        json={"description": "new", "expiresAt": "2099-01-01T00:00:00.000Z", "allowUpload": False},
    )
    assert patched.status_code == 200, patched.text
    assert_matches("SharedLinkResponseDto", patched.json())
    assert patched.json()["description"] == "new" and patched.json()["allowUpload"] is False
    assert patched.json()["expiresAt"].startswith("2099-01-01T00:00:00")
    assert patched.json()["slug"] == f"s-{photo}"  # left out: unchanged
    cleared = owner.patch(
        f"/api/shared-links/{album_link['id']}", json={"changeExpiryTime": True, "slug": ""}
    )
    assert cleared.json()["expiresAt"] is None and cleared.json()["slug"] is None

    added = owner.put(f"/api/shared-links/{single['id']}/assets", json={"assetIds": [other, photo, other]})
    assert added.status_code == 200, added.text
    assert added.json() == [
        {"assetId": other, "success": True},
        {"assetId": photo, "success": False, "error": "duplicate"},
        {"assetId": other, "success": False, "error": "duplicate"},
    ]
    for item in added.json():
        assert_matches("AssetIdsResponseDto", item)
    removed = owner.request(
        "DELETE", f"/api/shared-links/{single['id']}/assets", json={"assetIds": [photo, str(uuid.uuid4())]}
    )
    assert removed.json()[0] == {"assetId": photo, "success": True}
    assert removed.json()[1]["error"] == "not_found"
    assert [a["id"] for a in owner.get(f"/api/shared-links/{single['id']}").json()["assets"]] == [other]
    wrong_type = owner.put(f"/api/shared-links/{album_link['id']}/assets", json={"assetIds": [other]})
    assert assert_error_body(wrong_type, 400)["message"] == "Invalid shared link type"

    assert owner.delete(f"/api/shared-links/{single['id']}").status_code == 204
    gone = owner.get(f"/api/shared-links/{single['id']}")
    assert assert_error_body(gone, 400)["message"] == "Shared link not found"
    # Deleting the album deletes its links.
    assert owner.delete(f"/api/albums/{album_id}").status_code == 204
    assert owner.get("/api/shared-links").json() == []


def test_links_are_their_owners_only(server: LiveServer) -> None:
    _alice_id, alice = user(server, "alice")
    _bob_id, bob = user(server, "bob")
    photo = upload_photo(alice)
    link = create_link(alice, type="INDIVIDUAL", assetIds=[photo])
    for resp in (
        bob.get(f"/api/shared-links/{link['id']}"),
        bob.patch(f"/api/shared-links/{link['id']}", json={"description": "x"}),
        bob.delete(f"/api/shared-links/{link['id']}"),
        bob.put(f"/api/shared-links/{link['id']}/assets", json={"assetIds": [photo]}),
        bob.request("DELETE", f"/api/shared-links/{link['id']}/assets", json={"assetIds": [photo]}),
    ):
        assert assert_error_body(resp, 400)["message"] == "Shared link not found"
    assert bob.get("/api/shared-links").json() == []
    # Bob may not share Alice's photo or album, nor add her photo to his own link.
    denied = bob.post("/api/shared-links", json={"type": "INDIVIDUAL", "assetIds": [photo]})
    assert assert_error_body(denied, 400)["message"] == "Not found or no asset.share access"
    album_id = create_album(alice, [photo])
    denied = bob.post("/api/shared-links", json={"type": "ALBUM", "albumId": album_id})
    assert assert_error_body(denied, 400)["message"] == "Not found or no album.share access"
    own = create_link(bob, type="INDIVIDUAL", assetIds=[upload_photo(bob)])
    added = bob.put(f"/api/shared-links/{own['id']}/assets", json={"assetIds": [photo]}).json()
    assert added == [{"assetId": photo, "success": False, "error": "no_permission"}]


def test_bad_input_is_400(server: LiveServer) -> None:
    _owner_id, owner = user(server, "owner")
    photo = upload_photo(owner)
    cases = [
        ({"type": "ALBUM"}, "Invalid albumId"),
        ({"type": "INDIVIDUAL"}, "Invalid assetIds"),
        ({"type": "INDIVIDUAL", "assetIds": []}, "Invalid assetIds"),
        ({"type": "INDIVIDUAL", "assetIds": [str(uuid.uuid4())]}, "Not found or no asset.share access"),
    ]
    for body, message in cases:
        assert assert_error_body(owner.post("/api/shared-links", json=body), 400)["message"] == message
    for body in (
        {},
        {"type": "PUBLIC"},
        {"type": "INDIVIDUAL", "assetIds": ["nope"]},
        {"type": "INDIVIDUAL", "assetIds": [photo], "expiresAt": "soon"},
        {"type": "INDIVIDUAL", "assetIds": [photo], "allowUpload": "yes"},
        {"type": "INDIVIDUAL", "assetIds": [photo], "slug": "x" * 1000},
    ):
        assert_error_body(owner.post("/api/shared-links", json=body), 400)
    taken = create_link(owner, type="INDIVIDUAL", assetIds=[photo], slug=f"taken-{photo}")
    again = owner.post(
        "/api/shared-links", json={"type": "INDIVIDUAL", "assetIds": [photo], "slug": taken["slug"]}
    )
    assert assert_error_body(again, 400)["message"] == "Failed to save shared link"
    other = create_link(owner, type="INDIVIDUAL", assetIds=[photo])
    clash = owner.patch(f"/api/shared-links/{other['id']}", json={"slug": taken["slug"]})
    assert assert_error_body(clash, 400)["message"] == "Failed to save shared link"
    assert_error_body(owner.get("/api/shared-links/not-a-uuid"), 400)
    assert_error_body(owner.get("/api/shared-links", params={"albumId": "x"}), 400)
    assert_error_body(owner.put(f"/api/shared-links/{other['id']}/assets", json={}), 400)
    assert_error_body(owner.patch(f"/api/shared-links/{other['id']}", json={"allowDownload": 1}), 400)


def test_api_key_permissions(server: LiveServer) -> None:
    _owner_id, owner = user(server, "owner")
    photo = upload_photo(owner)
    link = create_link(owner, type="INDIVIDUAL", assetIds=[photo])

    def key(*permissions: str) -> str:
        resp = owner.post("/api/api-keys", json={"name": "k", "permissions": list(permissions)})
        assert resp.status_code == 201, resp.text
        return str(resp.json()["secret"])

    calls = {
        "sharedLink.read": ("GET", "/api/shared-links", None),
        "sharedLink.create": ("POST", "/api/shared-links", {"type": "INDIVIDUAL", "assetIds": [photo]}),
        "sharedLink.update": ("PATCH", f"/api/shared-links/{link['id']}", {"description": "k"}),
        "sharedLink.delete": ("DELETE", f"/api/shared-links/{uuid.uuid4()}", None),
    }
    unrelated = key("asset.read")
    for permission, (method, path, body) in calls.items():
        with server.client(**{"x-api-key": unrelated}) as c:
            denied = c.request(method, path, json=body)
        assert assert_error_body(denied, 403)["message"] == f"Missing required permission: {permission}"
        with server.client(**{"x-api-key": key(permission)}) as c:
            allowed = c.request(method, path, json=body)
        assert allowed.status_code in (200, 201, 400), allowed.text  # 400: the unknown link id
        assert allowed.status_code != 403


def test_a_deleted_owners_links_stop_working(server: LiveServer) -> None:
    owner_id, owner = user(server, "leaving")
    link = create_link(owner, type="INDIVIDUAL", assetIds=[upload_photo(owner)])
    with visitor(server, key=link["key"]) as client:
        assert client.get("/api/shared-links/me").status_code == 200
        with server.client(server.admin()) as admin:
            assert admin.delete(f"/api/admin/users/{owner_id}", params={}).status_code == 200
        assert assert_error_body(client.get("/api/shared-links/me"), 401)["message"] == "Invalid share key"
