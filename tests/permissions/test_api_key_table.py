"""API-key permissions, route by route, read from Immich's own OpenAPI document.

Each operation's `x-immich-permission` says which permission an API key must hold; an operation
without one lets any key through. For every route of the groups below the table gives a valid
minimal request; the test derives the permission from the document, then calls the route with a
key holding every permission except that one (403 naming the missing permission) and with a key
holding exactly that one (the route's success status, or the 4xx its service answers).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from filmroll.app import ROUTERS
from tests.contract import OPENAPI, assert_error_body
from tests.shared_links.helpers import create_album, create_link, upload_photo
from tests.support import LiveServer

DOC: dict[str, Any] = json.loads(OPENAPI.read_text(encoding="utf-8"))
PERMISSIONS: list[str] = DOC["components"]["schemas"]["Permission"]["enum"]
GROUPS = (
    "/shared-links",
    "/activities",
    "/search/",
    "/tags",
    "/timeline/",
    "/download/",
    "/server/about",
    "/assets/jobs",
)
"""Path prefixes (under `/api`) of the endpoint groups this table covers completely."""
VISITOR_ONLY = {("GET", "/shared-links/me"), ("POST", "/shared-links/login")}
"""Routes that need no permission but serve only a link's visitor: every key gets 403 "Forbidden"."""


def required_permission(method: str, path: str) -> str | None:
    """The permission Immich's document names for the operation (None: any key passes)."""
    operation = DOC["paths"][path][method.lower()]
    permission = operation.get("x-immich-permission")
    assert permission is None or permission in PERMISSIONS, permission
    return None if permission is None else str(permission)


def success_status(method: str, path: str) -> int:
    """The one success status the document gives the operation."""
    codes = [int(c) for c in DOC["paths"][path][method.lower()]["responses"] if c.startswith("2")]
    assert len(codes) == 1, (method, path, codes)
    return codes[0]


@dataclass
class World:
    """One user's library, built once per module and backend: what the requests refer to."""

    session: httpx.Client
    album: str
    asset: str
    tag: str
    link: str
    keys: dict[frozenset[str], str] = field(default_factory=dict)

    def key(self, permissions: frozenset[str]) -> str:
        """An API key of the user holding exactly `permissions` (one per set)."""
        if permissions not in self.keys:
            body = {"name": "table", "permissions": sorted(permissions)}
            resp = self.session.post("/api/api-keys", json=body)
            assert resp.status_code == 201, resp.text
            self.keys[permissions] = str(resp.json()["secret"])
        return self.keys[permissions]

    def new_tag(self) -> str:
        resp = self.session.post("/api/tags", json={"name": f"spare-{uuid.uuid4().hex[:8]}"})
        assert resp.status_code == 201, resp.text
        return str(resp.json()["id"])

    def new_link(self) -> str:
        return str(create_link(self.session, type="INDIVIDUAL", assetIds=[self.asset])["id"])

    def new_activity(self) -> str:
        resp = self.session.post(
            "/api/activities", json={"albumId": self.album, "type": "comment", "comment": "x"}
        )
        assert resp.status_code == 201, resp.text
        return str(resp.json()["id"])


Request = dict[str, Any]
"""`ids` (path placeholders), `json`, `params`."""


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    """Immich's path template under `/api`, as the document spells it."""
    build: Callable[[World], Request] = lambda _w: {}
    status: int | None = None
    """The status a key with the permission gets, when not the document's success status
    (filmroll answers Immich's own 4xx, e.g. smart search without machine learning)."""

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def _uid() -> str:
    return uuid.uuid4().hex[:8]


CALLS: list[Call] = [
    # shared links
    Call("GET", "/shared-links", lambda w: {"params": {"id": w.link}}),
    Call("POST", "/shared-links", lambda w: {"json": {"type": "INDIVIDUAL", "assetIds": [w.asset]}}),
    Call("GET", "/shared-links/me"),
    Call("POST", "/shared-links/login", lambda w: {"json": {"password": "x"}}),
    Call("GET", "/shared-links/{id}", lambda w: {"ids": {"id": w.link}}),
    Call("PATCH", "/shared-links/{id}", lambda w: {"ids": {"id": w.link}, "json": {"description": "d"}}),
    Call("DELETE", "/shared-links/{id}", lambda w: {"ids": {"id": w.new_link()}}),
    Call(
        "PUT", "/shared-links/{id}/assets", lambda w: {"ids": {"id": w.link}, "json": {"assetIds": [w.asset]}}
    ),
    Call(
        "DELETE",
        "/shared-links/{id}/assets",
        lambda w: {"ids": {"id": w.new_link()}, "json": {"assetIds": [w.asset]}},
    ),
    # activities
    Call("GET", "/activities", lambda w: {"params": {"albumId": w.album}}),
    Call("POST", "/activities", lambda w: {"json": {"albumId": w.album, "type": "like"}}),
    Call("GET", "/activities/statistics", lambda w: {"params": {"albumId": w.album}}),
    Call("DELETE", "/activities/{id}", lambda w: {"ids": {"id": w.new_activity()}}),
    # search
    Call("POST", "/search/metadata", lambda w: {"json": {}}),
    Call("POST", "/search/random", lambda w: {"json": {}}),
    Call("POST", "/search/statistics", lambda w: {"json": {}}),
    Call("POST", "/search/smart", lambda w: {"json": {"query": "sea"}}, status=400),
    Call("GET", "/search/suggestions", lambda w: {"params": {"type": "country"}}),
    Call("GET", "/search/cities"),
    Call("GET", "/search/explore"),
    # tags
    Call("GET", "/tags"),
    Call("POST", "/tags", lambda w: {"json": {"name": f"new-{_uid()}"}}),
    Call("PUT", "/tags", lambda w: {"json": {"tags": [f"up/{_uid()}"]}}),
    Call("PUT", "/tags/assets", lambda w: {"json": {"tagIds": [w.tag], "assetIds": [w.asset]}}),
    Call("GET", "/tags/{id}", lambda w: {"ids": {"id": w.tag}}),
    Call("PUT", "/tags/{id}", lambda w: {"ids": {"id": w.tag}, "json": {"color": "#ff0000"}}),
    Call("DELETE", "/tags/{id}", lambda w: {"ids": {"id": w.new_tag()}}),
    Call("PUT", "/tags/{id}/assets", lambda w: {"ids": {"id": w.tag}, "json": {"ids": [w.asset]}}),
    Call("DELETE", "/tags/{id}/assets", lambda w: {"ids": {"id": w.new_tag()}, "json": {"ids": [w.asset]}}),
    # timeline
    Call("GET", "/timeline/buckets"),
    Call("GET", "/timeline/bucket", lambda w: {"params": {"timeBucket": "2024-01-01"}}),
    # downloads
    Call("POST", "/download/info", lambda w: {"json": {"assetIds": [w.asset]}}),
    Call("POST", "/download/archive", lambda w: {"json": {"assetIds": [w.asset]}}),
    # server, asset jobs
    Call("GET", "/server/about"),
    Call("POST", "/assets/jobs", lambda w: {"json": {"assetIds": [w.asset], "name": "refresh-metadata"}}),
]


def _served() -> set[tuple[str, str]]:
    """(method, path) of every route filmroll serves in the covered groups."""
    served: set[tuple[str, str]] = set()
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and route.path.startswith(GROUPS):
                served |= {(m, route.path) for m in route.methods or () if m != "HEAD"}
    return served


def test_the_table_covers_every_route_of_its_groups() -> None:
    """A route added to one of the groups without a row here fails, as does a row for a route
    Immich's document does not have."""
    table = [(c.method, c.path) for c in CALLS]
    assert len(table) == len(set(table))
    assert set(table) == _served()
    for method, path in table:
        assert method.lower() in DOC["paths"][path], (method, path)


@pytest.fixture(scope="module")
def world(server: LiveServer) -> Iterator[World]:
    _id, _email, token = server.new_user("permissions")
    with server.client(token) as session:
        asset = upload_photo(session)
        album = create_album(session, [asset])
        tag = session.post("/api/tags", json={"name": f"table-{_uid()}"})
        assert tag.status_code == 201, tag.text
        link = create_link(session, type="INDIVIDUAL", assetIds=[asset])
        yield World(session=session, album=album, asset=asset, tag=tag.json()["id"], link=link["id"])


def _send(server: LiveServer, key: str, call: Call, request: Request) -> httpx.Response:
    url = "/api" + call.path.format(**request.get("ids", {}))
    with server.client(**{"x-api-key": key}) as client:
        return client.request(call.method, url, params=request.get("params"), json=request.get("json"))


@pytest.mark.parametrize("call", CALLS, ids=[c.name for c in CALLS])
def test_api_key_needs_immichs_permission(server: LiveServer, world: World, call: Call) -> None:
    permission = required_permission(call.method, call.path)
    request = call.build(world)
    if (call.method, call.path) in VISITOR_ONLY:
        assert permission is None
        for held in (frozenset({"memory.read"}), frozenset({"all"})):
            refused = _send(server, world.key(held), call, request)
            assert assert_error_body(refused, 403)["message"] == "Forbidden"
        return
    if permission is None:
        allowed = _send(server, world.key(frozenset({"memory.read"})), call, request)
    else:
        others = frozenset(PERMISSIONS) - {permission, "all"}
        denied = _send(server, world.key(others), call, request)
        body = assert_error_body(denied, 403)
        assert body["message"] == f"Missing required permission: {permission}"
        assert body["error"] == "Forbidden"
        allowed = _send(server, world.key(frozenset({permission})), call, request)
    expected = call.status or success_status(call.method, call.path)
    assert allowed.status_code == expected, (call.name, allowed.status_code, allowed.text[:300])
