"""The web app's first screen of thumbnails after login, measured in Chromium (Playwright).

Bench assets have no media files, so their thumbnail requests answer 404 and the page would only
ever show thumbhash placeholders. To measure what a person sees, the newest `THUMBNAILS` assets
of the timeline (quick: the same, the library is smaller) get a real 250x188 WebP thumbnail
(about the size Immich makes) written where the server looks for it; older ones still answer 404.

One run: a new browser context (no cookies, empty HTTP cache) opens `/auth/login`, fills in the
bench user's email and password, and submits. The clock starts at the form's `submit` event and
stops at the first animation frame, after the page moved to `/photos`, in which the **first
screen is complete**: the timeline's scroll area shows at least one thumbnail cell, no month
placeholder (a month whose assets are not loaded yet) intersects the viewport, and every cell
intersecting the viewport has rendered, i.e. its image has loaded and decoded (the `loaded`
class the page sets on `load`, then `img.decode()`) or its thumbnail request has failed, leaving
the thumbhash placeholder painted behind it. Both ends are read from `performance.now()` inside
the page (single-page navigation: one document), so Playwright's round trips are not counted. A
warm-up run comes first; the figure is the median of `runs` runs (full: 3, quick: 1); the target
is 1,000 ms on the medium library (100,000 assets) on the 2-core machine. `after_login_ms` is
the same measured from the arrival of the login answer, leaving out the password check.

Then the last run's page scrolls 20 screens down (one viewport height at a time, waiting for
each screen to be complete as above, a 404 counting as complete) and reports the document's
element count at the first screen, at its largest, and at the end; the scenario fails when the
timeline canvas ever holds more than `MAX_CANVAS_NODES` elements (the virtualised timeline keeps
only the rows near the viewport).
"""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import sqlalchemy as sa
from PIL import Image

from bench.common import Context, Result, median
from filmroll.db import schema

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

NAME = "web-timeline"
CHROMIUM = os.environ.get(
    "FILMROLL_BENCH_CHROMIUM", os.environ.get("FILMROLL_TEST_CHROMIUM", "/usr/bin/chromium")
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PARAMS = {"visibility": "timeline", "withPartners": "true", "withStacked": "true"}
THUMBNAILS = 1_000
SCREENS = 20
MAX_CANVAS_NODES = 2_500
TIMEOUT_MS = 30_000

# Installed in the login page before submitting. `firstScreen(since)` resolves at the first frame
# whose viewport is complete (see the module docstring) with what was on it.
PROBE = """
(() => {
  const inView = (el, view) => {
    const r = el.getBoundingClientRect();
    return r.bottom > view.top && r.top < view.bottom && r.right > view.left && r.left < view.right;
  };
  const screen = () => {
    if (location.pathname !== '/photos') return null;
    const scroller = document.querySelector('.tl-scroll');
    if (!scroller) return null;
    const s = scroller.getBoundingClientRect();
    const view = {
      top: Math.max(s.top, 0), bottom: Math.min(s.bottom, innerHeight), left: s.left, right: s.right,
    };
    if ([...document.querySelectorAll('.tl-skeleton')].some((el) => inView(el, view))) return null;
    const tiles = [...document.querySelectorAll('.tile-link')].filter((el) => inView(el, view));
    if (!tiles.length) return null;
    const imgs = tiles.map((t) => t.querySelector('img'));
    let images = 0;
    let placeholders = 0;
    for (const img of imgs) {
      if (!img || !img.complete) return null;
      if (img.naturalWidth > 0) {
        if (!img.classList.contains('loaded')) return null;
        images += 1;
      } else {
        placeholders += 1;
      }
    }
    return { imgs: imgs.filter((img) => img.naturalWidth > 0), images, placeholders };
  };
  const frame = () => new Promise((ok) => requestAnimationFrame(ok));
  window.__filmrollBench = {
    submitted: null,
    async firstScreen(since, timeout) {
      const deadline = performance.now() + timeout;
      for (;;) {
        const found = screen();
        if (found) {
          await Promise.all(found.imgs.map((img) => img.decode().catch(() => {})));
          await frame();
          const done = performance.now();
          // When the last answer of each kind the first screen needed arrived, from `since`.
          const ended = (re) => Math.max(0, ...performance.getEntriesByType('resource')
            .filter((e) => e.startTime >= since && re.test(e.name)).map((e) => e.responseEnd - since));
          const phases = {
            login: ended(/\\/api\\/auth\\/login$/), buckets: ended(/\\/api\\/timeline\\/buckets\\?/),
            bucket: ended(/\\/api\\/timeline\\/bucket\\?/), thumbnails: ended(/\\/thumbnail\\?/),
          };
          const requested = performance.getEntriesByType('resource')
            .filter((e) => e.startTime >= since && /\\/thumbnail\\?/.test(e.name)).length;
          return { ms: done - since, phases, requested,
                   images: found.images, placeholders: found.placeholders,
                   nodes: document.getElementsByTagName('*').length,
                   canvas: document.querySelectorAll('.tl-canvas *').length };
        }
        if (performance.now() > deadline) throw new Error('the first screen was not complete in time');
        await frame();
      }
    },
  };
  document.addEventListener('submit', () => { window.__filmrollBench.submitted = performance.now(); },
                            { capture: true, once: true });
})()
"""


def _thumbnail() -> bytes:
    """A 250x188 WebP with enough detail to cost a real decode."""
    img = Image.effect_mandelbrot((250, 188), (-2.2, -1.2, 0.8, 1.2), 64).convert("RGB")
    out = io.BytesIO()
    img.save(out, "WEBP", quality=80)
    return out.getvalue()


def _newest_ids(client: httpx.Client, count: int) -> list[str]:
    """The first `count` asset ids of the timeline, as the web app asks for them."""
    resp = client.get("/api/timeline/buckets", params=PARAMS)
    resp.raise_for_status()
    ids: list[str] = []
    for bucket in resp.json():
        month = client.get("/api/timeline/bucket", params={**PARAMS, "timeBucket": bucket["timeBucket"]})
        month.raise_for_status()
        ids += month.json()["id"]
        if len(ids) >= count:
            break
    return ids[:count]


def _write_thumbnails(ctx: Context, ids: list[str]) -> int:
    data = _thumbnail()
    keys: list[str] = []
    with ctx.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = [uuid.UUID(i) for i in ids[start : start + 500]]
            query = sa.select(schema.assets.c.thumbnail_path).where(schema.assets.c.id.in_(chunk))
            keys += [k for (k,) in conn.execute(query) if k]
    for key in keys:
        path = ctx.server.data_dir / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return len(keys)


def _login_to_first_screen(browser: Browser, ctx: Context, scroll: bool) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(ctx.server.url + "/auth/login")
        page.locator("input[name=email]").fill(ctx.library.owner.email)
        page.locator("input[name=password]").fill(ctx.library.owner.password)
        page.evaluate(PROBE)
        page.locator("button[type=submit]").click()
        page.wait_for_function("window.__filmrollBench.submitted !== null")
        shown: dict[str, Any] = page.evaluate(
            "([timeout]) => window.__filmrollBench.firstScreen(window.__filmrollBench.submitted, timeout)",
            [TIMEOUT_MS],
        )
        if scroll:
            shown.update(_scroll(page))
        if errors:
            raise RuntimeError(f"JavaScript errors on the page: {errors}")
        return shown
    finally:
        context.close()


def _scroll(page: Page) -> dict[str, int]:
    """Scroll `SCREENS` viewport heights down, each screen complete before the next."""
    most = canvas_most = 0
    last: dict[str, Any] = {}
    for _ in range(SCREENS):
        page.evaluate(
            "() => { const s = document.querySelector('.tl-scroll'); s.scrollTop += s.clientHeight; }"
        )
        last = page.evaluate(
            "([timeout]) => window.__filmrollBench.firstScreen(performance.now(), timeout)", [TIMEOUT_MS]
        )
        most = max(most, int(last["nodes"]))
        canvas_most = max(canvas_most, int(last["canvas"]))
    if canvas_most > MAX_CANVAS_NODES:
        raise RuntimeError(f"the timeline canvas held {canvas_most} elements (bound {MAX_CANVAS_NODES})")
    top = page.evaluate("() => document.querySelector('.tl-scroll').scrollTop")
    return {"dom_nodes_max": most, "dom_nodes_after": int(last["nodes"]), "canvas_nodes_max": canvas_most,
            "scrolled_px": int(top)}  # fmt: skip


def run(ctx: Context) -> Result:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run scripts/install-browser.sh")
    token = ctx.server.login(ctx.library.owner.email, ctx.library.owner.password)
    with ctx.server.client(token) as client:
        written = _write_thumbnails(ctx, _newest_ids(client, THUMBNAILS))
    runs = max(1, ctx.profile.runs)
    shown: list[dict[str, Any]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            _login_to_first_screen(browser, ctx, scroll=False)  # warm-up: server caches, browser start
            for i in range(runs):
                shown.append(_login_to_first_screen(browser, ctx, scroll=i == runs - 1))
        finally:
            browser.close()
    last = shown[-1]
    return {
        "assets": ctx.library.size,
        "first_screen_ms": round(median([s["ms"] for s in shown]), 1),
        "runs_ms": [round(s["ms"], 1) for s in shown],
        # The same, from the login answer's arrival: what the timeline itself costs once a
        # person is logged in (the password check is deliberately slow: argon2).
        "after_login_ms": round(median([s["ms"] - s["phases"]["login"] for s in shown]), 1),
        # When the last login, month list, month and thumbnail answer arrived (ms after submit).
        "phases_ms": {k: round(v, 1) for k, v in last["phases"].items()},
        "cells": last["images"] + last["placeholders"],
        # Thumbnails the page had asked for by then: the cells on screen and those rendered around it.
        "thumbnail_requests": last["requested"],
        "images": last["images"],
        "placeholders": last["placeholders"],
        "thumbnails_written": written,
        "dom_nodes_first_screen": last["nodes"],
        "dom_nodes_max": last["dom_nodes_max"],
        "dom_nodes_after_20_screens": last["dom_nodes_after"],
        "canvas_nodes_max": last["canvas_nodes_max"],
        "scrolled_px": last["scrolled_px"],
    }
