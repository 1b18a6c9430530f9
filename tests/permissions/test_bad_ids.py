"""Malformed and unknown ids on the shared-link and tag routes that take an id and a body.

Immich checks the path id's shape first (400, a list of validation messages), then whether the
caller may use the link or tag: a link the caller does not own answers 400 "Shared link not
found", a tag it cannot use 400 "Not found or no tag.<action> access". Another user's link or
tag is answered exactly as an unknown one, and nothing changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.contract import assert_error_body, assert_matches
from tests.shared_links.helpers import create_album, create_link, upload_photo
from tests.support import LiveServer

MALFORMED = ("not-a-uuid", "1234", "00000000-0000-4000-8000-00000000000g")


@dataclass
class Library:
    """A user with an asset, a tag on it and an individual link to it; plus a stranger."""

    owner: httpx.Client
    stranger: httpx.Client
    asset: str
    tag: str
    link: str
    album_link: str


@pytest.fixture(scope="module")
def library(server: LiveServer) -> Iterator[Library]:
    _id, _email, owner_token = server.new_user("ids-owner")
    _id, _email, stranger_token = server.new_user("ids-stranger")
    with server.client(owner_token) as owner, server.client(stranger_token) as stranger:
        asset = upload_photo(owner)
        tag = owner.post("/api/tags", json={"name": f"ids-{uuid.uuid4().hex[:8]}"})
        assert tag.status_code == 201, tag.text
        tagged = owner.put(f"/api/tags/{tag.json()['id']}/assets", json={"ids": [asset]})
        assert tagged.status_code == 200 and tagged.json()[0]["success"] is True, tagged.text
        link = create_link(owner, type="INDIVIDUAL", assetIds=[asset])
        album_link = create_link(owner, type="ALBUM", albumId=create_album(owner, [asset]))
        yield Library(owner, stranger, asset, tag.json()["id"], link["id"], album_link["id"])


def _validation_error(resp: httpx.Response, field: str) -> None:
    """Immich's validation failure: 400 "Bad Request" whose messages name the field."""
    body = assert_error_body(resp, 400)
    assert body["error"] == "Bad Request"
    assert isinstance(body["message"], list) and body["message"], body
    assert any(m.startswith(field) for m in body["message"]), body


def _link_assets(lib: Library) -> list[str]:
    resp = lib.owner.get(f"/api/shared-links/{lib.link}")
    assert resp.status_code == 200, resp.text
    return [a["id"] for a in resp.json()["assets"]]


def _tagged(lib: Library) -> bool:
    resp = lib.owner.get(f"/api/assets/{lib.asset}")
    assert resp.status_code == 200, resp.text
    return lib.tag in [t["id"] for t in resp.json().get("tags") or []]


# --- DELETE /shared-links/{id}/assets ------------------------------------------------------


@pytest.mark.parametrize("bad", MALFORMED)
def test_removing_link_assets_with_a_malformed_link_id(library: Library, bad: str) -> None:
    resp = library.owner.request(
        "DELETE", f"/api/shared-links/{bad}/assets", json={"assetIds": [library.asset]}
    )
    _validation_error(resp, "id")


@pytest.mark.parametrize(
    "body",
    [{"assetIds": ["not-a-uuid"]}, {"assetIds": [7]}, {"assetIds": "x"}, {"assetIds": None}, {}, ["x"]],
    ids=["malformed", "number", "string", "null", "missing", "list-body"],
)
def test_removing_link_assets_with_malformed_asset_ids(library: Library, body: object) -> None:
    resp = library.owner.request("DELETE", f"/api/shared-links/{library.link}/assets", json=body)
    assert_error_body(resp, 400)
    assert _link_assets(library) == [library.asset]


def test_removing_link_assets_from_an_unknown_or_foreign_link(library: Library) -> None:
    body = {"assetIds": [library.asset]}
    unknown = library.owner.request("DELETE", f"/api/shared-links/{uuid.uuid4()}/assets", json=body)
    assert assert_error_body(unknown, 400)["message"] == "Shared link not found"
    foreign = library.stranger.request("DELETE", f"/api/shared-links/{library.link}/assets", json=body)
    assert assert_error_body(foreign, 400)["message"] == "Shared link not found"
    assert _link_assets(library) == [library.asset]


def test_removing_link_assets_from_an_album_link(library: Library) -> None:
    resp = library.owner.request(
        "DELETE", f"/api/shared-links/{library.album_link}/assets", json={"assetIds": [library.asset]}
    )
    assert assert_error_body(resp, 400)["message"] == "Invalid shared link type"


def test_removing_unknown_assets_from_a_link_reports_them(library: Library) -> None:
    stray = str(uuid.uuid4())
    resp = library.owner.request(
        "DELETE", f"/api/shared-links/{library.link}/assets", json={"assetIds": [stray]}
    )
    assert resp.status_code == 200, resp.text
    for result in resp.json():
        assert_matches("AssetIdsResponseDto", result)
    assert resp.json() == [{"assetId": stray, "success": False, "error": "not_found"}]
    assert _link_assets(library) == [library.asset]


# --- DELETE /tags/{id} ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", MALFORMED)
def test_deleting_a_tag_with_a_malformed_id(library: Library, bad: str) -> None:
    _validation_error(library.owner.delete(f"/api/tags/{bad}"), "id")


def test_deleting_an_unknown_or_foreign_tag(library: Library) -> None:
    unknown = library.owner.delete(f"/api/tags/{uuid.uuid4()}")
    assert assert_error_body(unknown, 400)["message"] == "Not found or no tag.delete access"
    foreign = library.stranger.delete(f"/api/tags/{library.tag}")
    assert assert_error_body(foreign, 400)["message"] == "Not found or no tag.delete access"
    assert library.owner.get(f"/api/tags/{library.tag}").status_code == 200


# --- PUT and DELETE /tags/{id}/assets ------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
@pytest.mark.parametrize("bad", MALFORMED)
def test_tag_assets_with_a_malformed_tag_id(library: Library, method: str, bad: str) -> None:
    resp = library.owner.request(method, f"/api/tags/{bad}/assets", json={"ids": [library.asset]})
    _validation_error(resp, "id")


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
@pytest.mark.parametrize(
    "body",
    [{"ids": ["not-a-uuid"]}, {"ids": [7]}, {"ids": "x"}, {"ids": None}, {}, ["x"]],
    ids=["malformed", "number", "string", "null", "missing", "list-body"],
)
def test_tag_assets_with_malformed_asset_ids(library: Library, method: str, body: object) -> None:
    resp = library.owner.request(method, f"/api/tags/{library.tag}/assets", json=body)
    assert_error_body(resp, 400)
    assert _tagged(library)


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_tag_assets_with_an_unknown_or_foreign_tag(library: Library, method: str) -> None:
    body = {"ids": [library.asset]}
    unknown = library.owner.request(method, f"/api/tags/{uuid.uuid4()}/assets", json=body)
    assert assert_error_body(unknown, 400)["message"] == "Not found or no tag.asset access"
    foreign = library.stranger.request(method, f"/api/tags/{library.tag}/assets", json=body)
    assert assert_error_body(foreign, 400)["message"] == "Not found or no tag.asset access"
    assert _tagged(library)


def test_tag_assets_with_unknown_asset_ids_reports_them(library: Library) -> None:
    stray = str(uuid.uuid4())
    added = library.owner.put(f"/api/tags/{library.tag}/assets", json={"ids": [stray]})
    assert added.status_code == 200, added.text
    assert added.json() == [{"id": stray, "success": False, "error": "no_permission"}]
    removed = library.owner.request("DELETE", f"/api/tags/{library.tag}/assets", json={"ids": [stray]})
    assert removed.status_code == 200, removed.text
    assert removed.json() == [{"id": stray, "success": False, "error": "not_found"}]
    for result in added.json() + removed.json():
        assert_matches("BulkIdResponseDto", result)
    assert _tagged(library)
