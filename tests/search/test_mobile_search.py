"""The Immich mobile app's search screen, replayed request by request with the bodies its
generated client sends: explore and places on opening, the place and camera pickers narrowing
each other, then a filtered search paged through `nextPage`, then a file-name search."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.contract import assert_matches
from tests.search.helpers import put_many
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import new_client

PLACES = (
    {"city": "Paris", "state": "Ile-de-France", "country": "France"},
    {"city": "Lyon", "state": "Auvergne-Rhone-Alpes", "country": "France"},
    {"city": "Berlin", "state": "Berlin", "country": "Germany"},
)
CAMERAS = ({"make": "Canon", "model": "EOS R6"}, {"make": "Canon", "model": "EOS R5"}, {"make": "Apple",
           "model": "iPhone 15"})  # fmt: skip


def _app_body(page: int, **filters: object) -> dict[str, object]:
    """`MetadataSearchDto.toJson()` of the app: nulls left out, lists and `order` always sent."""
    body: dict[str, object] = {
        "order": "desc",
        "personIds": [],
        "tagIds": [],
        "visibility": "timeline",
        "withArchived": False,
        "page": page,
        "size": 1000,
    }
    body.update({k: v for k, v in filters.items() if v is not None})
    return body


def test_search_screen(server: LiveServer, builder: AssetBuilder) -> None:
    user = new_client(server, "phone")
    start = datetime(2021, 5, 1)
    put_many(builder, user.user_id, [
        (start + timedelta(hours=n), {**PLACES[n % 3], **CAMERAS[n % 3]},
         {"type": "IMAGE", "original_file_name": f"IMG_{n:04d}.HEIC"})
        for n in range(3003)
    ])  # fmt: skip
    app = user.http

    explore = app.get("/api/search/explore")
    assert explore.status_code == 200
    places = next(e for e in explore.json() if e["fieldName"] == "exifInfo.city")["items"]
    assert sorted(p["value"] for p in places) == ["Berlin", "Lyon", "Paris"]
    all_places = app.get("/api/search/cities").json()
    assert sorted(a["exifInfo"]["city"] for a in all_places) == ["Berlin", "Lyon", "Paris"]

    def suggest(kind: str, **narrow: str) -> list[str]:
        resp = app.get("/api/search/suggestions", params={"type": kind, **narrow})
        assert resp.status_code == 200, resp.text
        return list(resp.json())

    assert suggest("country") == ["France", "Germany"]
    assert suggest("state", country="France") == ["Auvergne-Rhone-Alpes", "Ile-de-France"]
    assert suggest("city", country="France", state="Ile-de-France") == ["Paris"]
    assert suggest("camera-make") == ["Apple", "Canon"]
    assert suggest("camera-model", make="Canon") == ["EOS R5", "EOS R6"]

    # Paris with a Canon EOS R6: every third asset, 1,001 of them, newest first, over two pages.
    found: list[dict[str, object]] = []
    page: int | None = 1
    pages = 0
    while page is not None:
        pages += 1
        resp = app.post(
            "/api/search/metadata",
            json=_app_body(page, country="France", state="Ile-de-France", city="Paris", make="Canon",
                           model="EOS R6", type="IMAGE"),
        )  # fmt: skip
        assert resp.status_code == 200, resp.text
        assert_matches("SearchResponseDto", resp.json())
        result = resp.json()["assets"]
        found += result["items"]
        page = int(result["nextPage"]) if result["nextPage"] is not None else None
    assert len(found) == 1001 and pages == 2
    names = [str(a["originalFileName"]) for a in found]
    assert names[0] == "IMG_3000.HEIC" and names[-1] == "IMG_0000.HEIC"
    assert names == sorted(names, reverse=True)

    by_name = app.post("/api/search/metadata", json=_app_body(1, originalFileName="img_0042")).json()
    assert [a["originalFileName"] for a in by_name["assets"]["items"]] == ["IMG_0042.HEIC"]
    archive = app.post("/api/search/metadata", json={**_app_body(1), "visibility": "archive"}).json()
    assert archive["assets"]["items"] == [] and archive["assets"]["nextPage"] is None
