"""Server information that Immich clients read at start."""

from __future__ import annotations

from filmroll import IMMICH_API_VERSION, __version__
from tests.contract import assert_matches
from tests.support import LiveServer


def test_public_server_info(server: LiveServer) -> None:
    with server.client() as c:
        assert c.get("/api/server/ping").json() == {"res": "pong"}
        version = c.get("/api/server/version").json()
        assert_matches("ServerVersionResponseDto", version)
        assert (version["major"], version["minor"], version["patch"]) == IMMICH_API_VERSION
        assert_matches("ServerFeaturesDto", c.get("/api/server/features").json())
        assert_matches("ServerConfigDto", c.get("/api/server/config").json())
        media = c.get("/api/server/media-types").json()
        assert_matches("ServerMediaTypesResponseDto", media)
        assert ".jpg" in media["image"] and ".mp4" in media["video"]
        assert c.get("/.well-known/immich").json() == {"api": {"endpoint": "/api"}}
        assert c.get("/api/.well-known/immich").json() == {"api": {"endpoint": "/api"}}


def test_authenticated_server_info(server: LiveServer) -> None:
    _id, _email, token = server.new_user()
    with server.client(token) as c:
        about = c.get("/api/server/about").json()
        assert_matches("ServerAboutResponseDto", about)
        assert __version__ in about["version"]
        storage = c.get("/api/server/storage").json()
        assert_matches("ServerStorageResponseDto", storage)
        assert storage["diskSizeRaw"] >= storage["diskAvailableRaw"] > 0
    with server.client() as anon:
        assert anon.get("/api/server/about").status_code == 401


def test_openapi_document_is_served_and_committed(server: LiveServer) -> None:
    import json
    from pathlib import Path

    committed = json.loads((Path(__file__).resolve().parents[2] / "openapi.json").read_text())
    with server.client() as c:
        served = c.get("/api/openapi.json").json()
    assert served == committed, "openapi.json is stale: run `make openapi`"
