"""The timeline against Immich's bucket API shapes: 100,000 assets with a bounded DOM, and the
thumbhash decoder against the reference encoder/decoder."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import thumbhash
from PIL import Image
from playwright.sync_api import Page, Route, expect

from tests.support import LiveServer

MONTHS = 120
TOTAL = 100_000
MAX_NODES = 2500  # elements inside the timeline canvas at any scroll position


def _gradient(width: int, height: int) -> list[int]:
    """RGBA bytes of a gradient: red grows to the right, green downwards."""
    rgba: list[int] = []
    for y in range(height):
        for x in range(width):
            rgba += [x * 255 // width, y * 255 // height, 128, 255]
    return rgba


def _hash_of(width: int, height: int) -> str:
    """The thumbhash the server's encoder makes of a gradient."""
    rgba = _gradient(width, height)
    return base64.b64encode(bytes(thumbhash.rgba_to_thumb_hash(width, height, rgba))).decode()


def _month_keys() -> list[str]:
    keys = []
    year, month = 2026, 10
    for _ in range(MONTHS):
        keys.append(f"{year:04d}-{month:02d}-01")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return keys


def _bucket(index: int, key: str, count: int, hashes: list[str]) -> dict[str, Any]:
    start = datetime.fromisoformat(key).replace(tzinfo=UTC)
    ratios = [1.5, 0.75, 1.0, 1.333, 2.0]
    ids, created = [], []
    for i in range(count):
        ids.append(f"00000000-0000-4000-8{index:03d}-{i:012d}")
        # Newest first within the month, spread over its days.
        created.append(
            (start + timedelta(days=27, hours=23) - timedelta(minutes=i * 45))
            .isoformat()
            .replace("+00:00", ".000Z")
        )
    return {
        "id": ids,
        "ownerId": ["0" * 8 + "-0000-4000-8000-" + "0" * 12] * count,
        "ratio": [ratios[i % 5] for i in range(count)],
        "isFavorite": [i % 17 == 0 for i in range(count)],
        "visibility": ["timeline"] * count,
        "isTrashed": [False] * count,
        "isImage": [i % 11 != 0 for i in range(count)],
        "thumbhash": [hashes[i % len(hashes)] for i in range(count)],
        "fileCreatedAt": created,
        "localOffsetHours": [0] * count,
        "duration": [None if i % 11 else "0:00:12.000000" for i in range(count)],
        "projectionType": [None] * count,
        "livePhotoVideoId": [None] * count,
        "city": [None] * count,
        "country": [None] * count,
    }


# These two test the page's own logic against Immich's documented shapes (the timeline answers are
# supplied by the browser's request interception), so one database is enough.
@pytest.mark.parametrize("server", ["sqlite"], indirect=True)
def test_hundred_thousand_assets_scroll_with_a_bounded_dom(
    page: Page, server: LiveServer, shots: Path
) -> None:
    _, _, token = server.new_user("scroller")
    keys = _month_keys()
    counts = [TOTAL // MONTHS + (1 if i < TOTAL % MONTHS else 0) for i in range(MONTHS)]
    assert sum(counts) == TOTAL
    hashes = [_hash_of(60, 40), _hash_of(30, 50)]
    requested: list[str] = []

    def buckets(route: Route) -> None:
        route.fulfill(json=[{"timeBucket": k, "count": c} for k, c in zip(keys, counts, strict=True)])

    def bucket(route: Route) -> None:
        key = re.search(r"timeBucket=([0-9-]+)", route.request.url)
        assert key is not None
        requested.append(key.group(1))
        i = keys.index(key.group(1))
        route.fulfill(
            body=json.dumps(_bucket(i, keys[i], counts[i], hashes)), content_type="application/json"
        )

    page.route(re.compile(r"/api/timeline/buckets\?"), buckets)
    page.route(re.compile(r"/api/timeline/bucket\?"), bucket)
    # Thumbnails are not what this test is about: answered in the browser, without a round trip.
    page.route(re.compile(r"/api/assets/[^/]+/thumbnail"), lambda r: r.abort())
    page.context.add_cookies([{"name": "immich_access_token", "value": token, "url": server.url}])
    page.goto(server.url + "/photos")

    expect(page.get_by_role("heading", name="October 2026")).to_be_visible()
    expect(page.locator(".tile-link").first).to_be_visible()
    assert len(requested) <= 3, requested  # only the months on screen are fetched
    page.screenshot(path=shots / "10-timeline-top.png")

    scroller = page.locator(".tl-scroll")
    total = scroller.evaluate("el => el.scrollHeight")
    assert total > 100_000  # every month has room, loaded or not
    for step in range(0, 11):
        scroller.evaluate(f"el => {{ el.scrollTop = el.scrollHeight * {step / 10}; }}")
        page.wait_for_timeout(100)
        nodes = page.locator(".tl-canvas *").count()
        assert nodes < MAX_NODES, (step, nodes)
    # At the end the oldest month is on screen with its photos.
    expect(page.get_by_role("heading", name="November 2016")).to_be_visible()
    expect(page.locator(".tile-link").last).to_be_visible()
    assert len(set(requested)) < MONTHS / 2, len(set(requested))

    # The scrubber moves by month with the keyboard, and its value names the month shown.
    scrubber = page.get_by_role("slider", name=re.compile("Timeline scrubber"))
    scrubber.focus()
    page.keyboard.press("Home")
    expect(page.get_by_role("heading", name="October 2026")).to_be_in_viewport()
    expect(scrubber).to_have_attribute("aria-valuetext", "October 2026")
    page.keyboard.press("PageDown")
    expect(scrubber).to_have_attribute("aria-valuetext", re.compile("2025"))
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    month = scrubber.get_attribute("aria-valuetext")
    assert month
    expect(page.get_by_role("heading", name=month, exact=True)).to_be_in_viewport()

    # Dragging the scrubber half-way lands in the middle of the library.
    box = scrubber.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.up()
    page.wait_for_timeout(400)
    middle = scrubber.get_attribute("aria-valuetext") or ""
    assert re.search(r"20(20|21|22)", middle), middle
    expect(page.locator(".tile-link").first).to_be_visible()
    page.screenshot(path=shots / "11-timeline-middle.png")
    assert page.locator(".tl-canvas *").count() < MAX_NODES


@pytest.mark.parametrize("server", ["sqlite"], indirect=True)
def test_thumbhash_decoder_reproduces_the_encoded_image(page: Page, server: LiveServer) -> None:
    """Hashes made by the encoder the server uses decode to a blurred copy of their image: right
    size, right orientation, colours within a small error. (That encoder cannot make hashes with
    alpha, so none are tested.)"""
    page.goto(server.url + "/auth/login")
    for width, height in ((60, 40), (30, 50), (64, 64)):
        b64 = _hash_of(width, height)
        got = page.evaluate(
            """async (b64) => {
                const m = await import('/_app/js/thumbhash.js');
                const {w, h, rgba} = m.thumbHashToRGBA(m.base64ToBytes(b64));
                return {w, h, rgba: Array.from(rgba), ratio: m.approximateAspectRatio(m.base64ToBytes(b64))};
            }""",
            b64,
        )
        w, h = got["w"], got["h"]
        assert max(w, h) == 32
        assert abs(w / h - width / height) < 0.25
        assert abs(got["ratio"] - width / height) < 0.25
        original = Image.frombytes("RGBA", (width, height), bytes(_gradient(width, height)))
        expected = list(original.resize((w, h), Image.Resampling.BOX).tobytes())
        decoded = got["rgba"]
        rgb_error = [abs(decoded[i] - expected[i]) for i in range(len(expected)) if i % 4 != 3]
        assert sum(rgb_error) / len(rgb_error) < 16, sum(rgb_error) / len(rgb_error)
        assert all(decoded[i] == 255 for i in range(3, len(decoded), 4))
