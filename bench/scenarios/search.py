"""Search latency on a small and a large library: what the app's search screen asks.

Each request runs repeatedly on one reused HTTP client (as apps keep their connection) and
the median is reported in milliseconds. The indexed requests (the first page of a metadata
search with and without place and camera filters, the suggestion pickers, places and
explore) must stay flat: the summary line gives each one's ratio large/small and the largest
of them (target: at most 2). Counting (`statistics`), random picks and a file-name substring
search read every matching or every owned row by nature; they are reported, not held to it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from bench.common import Context, Result, scaling, time_rounds, timed

NAME = "search"
SIZE = 100
"""Results per page: small enough that the quick libraries fill every page (Immich's default is
250, the mobile app asks for 1,000; building the page's response costs the same on any library)."""

Request = Callable[[httpx.Client], httpx.Response]


def _post(path: str, body: dict[str, Any]) -> Request:
    return lambda client: client.post(path, json=body)


def _get(path: str, **params: str) -> Request:
    return lambda client: client.get(path, params=params)


INDEXED: dict[str, Request] = {
    "timeline_page_ms": _post("/api/search/metadata", {"visibility": "timeline", "size": SIZE}),
    "place_camera_page_ms": _post(
        "/api/search/metadata",
        {
            "visibility": "timeline",
            "country": "France",
            "state": "Ile-de-France",
            "city": "Paris",
            "make": "Apple",
            "size": SIZE,
            "withExif": True,
        },
    ),
    "taken_range_page_ms": _post(
        "/api/search/metadata",
        {"takenAfter": "2015-01-02T00:00:00.000Z", "takenBefore": "2015-01-03T00:00:00.000Z", "size": SIZE},
    ),
    "suggest_country_ms": _get("/api/search/suggestions", type="country"),
    "suggest_state_ms": _get("/api/search/suggestions", type="state", country="France"),
    "suggest_city_ms": _get("/api/search/suggestions", type="city", country="France", state="Ile-de-France"),
    "suggest_make_ms": _get("/api/search/suggestions", type="camera-make"),
    "suggest_model_ms": _get("/api/search/suggestions", type="camera-model", make="Apple"),
    "cities_ms": _get("/api/search/cities"),
    "explore_ms": _get("/api/search/explore"),
    # One match per user: read through the trigram indexes on both databases.
    "file_name_ms": _post("/api/search/metadata", {"originalFileName": "img_0000042", "size": SIZE}),
}
SCANS: dict[str, Request] = {
    "statistics_city_ms": _post("/api/search/statistics", {"city": "Paris"}),
    "random_ms": _post("/api/search/random", {"size": SIZE}),
}


def _checked(client: httpx.Client, request: Request) -> Callable[[], httpx.Response]:
    """The request as a timed call: an error answer fails the run rather than timing it."""
    return lambda: request(client).raise_for_status()


def _settle(client: httpx.Client, seconds: float = 20) -> None:
    """Wait until the new server has finished its start-up work (background jobs, caches): a
    request's latency in its first seconds says more about that than about the request."""
    deadline = time.monotonic() + seconds
    quick = 0
    while quick < 10 and time.monotonic() < deadline:
        elapsed, resp = timed(lambda: client.get("/api/users/me"))
        resp.raise_for_status()
        quick = quick + 1 if elapsed < 0.005 else 0


def run(ctx: Context) -> Result:
    token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
    repeat = max(11, ctx.profile.runs * 7)
    result: Result = {"assets": ctx.library.size}
    with ctx.server.client(token) as client:
        _settle(client)
        page = client.post("/api/search/metadata", json={"city": "Paris", "make": "Apple", "size": SIZE})
        page.raise_for_status()
        if page.json()["assets"]["count"] != min(SIZE, ctx.library.size // 5):
            raise RuntimeError(f"place search found {page.json()['assets']['count']} assets")
        for name, request in {**INDEXED, **SCANS}.items():
            for _ in range(3):  # warm up
                request(client).raise_for_status()
            (timings,) = time_rounds(repeat, _checked(client, request))
            result[name] = timings.median_ms
    return result


def summarize(results: list[Result]) -> list[Result]:
    lines = scaling(NAME, results, {k.removesuffix("_ms") + "_ratio": k for k in {**INDEXED, **SCANS}})
    for line in lines:
        line["indexed_max_ratio"] = max(line[k.removesuffix("_ms") + "_ratio"] for k in INDEXED)
    return lines
