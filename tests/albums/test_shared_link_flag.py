"""`hasSharedLink` and `shared` of AlbumResponseDto follow the album's shared links, as in
Immich: every album endpoint reports them, for the owner and members alike, and the shared /
not-shared album lists count an album with a link as shared."""

from __future__ import annotations

from typing import Any

import httpx

from tests.contract import assert_matches
from tests.shared_links.helpers import create_album, create_link, user
from tests.support import LiveServer


def _album(client: httpx.Client, album_id: str) -> dict[str, Any]:
    resp = client.get(f"/api/albums/{album_id}")
    assert resp.status_code == 200, resp.text
    assert_matches("AlbumResponseDto", resp.json())
    return dict(resp.json())


def _listed(client: httpx.Client, **params: str) -> dict[str, dict[str, Any]]:
    resp = client.get("/api/albums", params=params)
    assert resp.status_code == 200, resp.text
    return {a["id"]: a for a in resp.json()}


def test_has_shared_link_follows_the_albums_links(server: LiveServer) -> None:
    _owner_id, owner = user(server, "link-flag-owner")
    member_id, member = user(server, "link-flag-member")
    linked, plain, shared = (create_album(owner, [], name) for name in ("linked", "plain", "with member"))
    resp = owner.put(f"/api/albums/{shared}/users", json={"albumUsers": [{"userId": member_id}]})
    assert resp.status_code == 200, resp.text
    assert _album(owner, linked)["hasSharedLink"] is False

    link = create_link(owner, type="ALBUM", albumId=linked)
    create_link(owner, type="ALBUM", albumId=linked, expiresAt="2001-01-01T00:00:00.000Z")
    body = _album(owner, linked)
    assert (body["hasSharedLink"], body["shared"], body["albumUsers"]) == (True, True, [])
    assert _album(owner, plain)["hasSharedLink"] is False
    assert (_album(owner, shared)["hasSharedLink"], _album(owner, shared)["shared"]) == (False, True)
    assert link["album"]["hasSharedLink"] is True

    everything = _listed(owner)
    assert {k: v["hasSharedLink"] for k, v in everything.items()} == {linked: True, plain: False,
                                                                      shared: False}  # fmt: skip
    assert set(_listed(owner, shared="true")) == {linked, shared}
    assert set(_listed(owner, shared="false")) == {plain}
    resp = owner.patch(f"/api/albums/{linked}", json={"description": "still linked"})
    assert resp.status_code == 200 and resp.json()["hasSharedLink"] is True

    # A member sees the owner's link on a shared album too (Immich counts every link).
    create_link(owner, type="ALBUM", albumId=shared)
    assert _album(member, shared)["hasSharedLink"] is True
    assert _listed(member, shared="true")[shared]["hasSharedLink"] is True

    # Deleting the last links clears the flag; an expired one still counts until deleted.
    for found in owner.get("/api/shared-links", params={"albumId": linked}).json():
        if found["id"] == link["id"]:
            assert owner.delete(f"/api/shared-links/{found['id']}").status_code == 204
    assert _album(owner, linked)["hasSharedLink"] is True
    for found in owner.get("/api/shared-links", params={"albumId": linked}).json():
        assert owner.delete(f"/api/shared-links/{found['id']}").status_code == 204
    body = _album(owner, linked)
    assert (body["hasSharedLink"], body["shared"]) == (False, False)
    assert set(_listed(owner, shared="false")) == {plain, linked}
