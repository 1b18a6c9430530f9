"""The web app's main flows in Firefox: Debian's Firefox ESR driven by puppeteer-core over WebDriver
BiDi from a Node script (`tests/web/firefox/flows.mjs`), because Playwright only drives its own
patched Firefox build, which cannot be installed here."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.support import FIXTURES, LiveServer

ROOT = Path(__file__).resolve().parents[2]
FIREFOX = os.environ.get("FILMROLL_TEST_FIREFOX", "/usr/bin/firefox-esr")
MODULES = ROOT / ".tools" / "node_modules"
NODE = MODULES / ".bin" / "node"
SCRIPT = Path(__file__).parent / "firefox" / "flows.mjs"
PHOTOS = FIXTURES / "photos"
STARFISH = PHOTOS / "exif-parser" / "starfish.jpg"  # Nokia Lumia 820, 10 May 2013, Germany
CANON = PHOTOS / "piexif" / "r_canon.jpg"
STEPS = [
    "sign up",
    "log in",
    "upload through the file picker",
    "timeline with real thumbnails",
    "viewer with the EXIF panel",
    "favourite",
    "keyboard navigation",
    "search",
    "devices",
]


def run_flows(server: LiveServer, shots: Path) -> tuple[int, dict[str, Any], str]:
    """Run the Node script; returns its exit status, the JSON report it printed, and its stderr."""
    for path, fix in ((FIREFOX, "scripts/install-browser.sh"), (NODE, "scripts/install-tools.sh")):
        if not Path(path).exists():
            raise RuntimeError(f"{path} is missing: run {fix}")
    if not (MODULES / "puppeteer-core" / "package.json").exists():
        raise RuntimeError("puppeteer-core is missing from .tools: run scripts/install-tools.sh")
    args = {
        "url": server.url,
        "firefox": FIREFOX,
        "modules": str(MODULES),
        "shots": str(shots),
        "photos": [str(STARFISH), str(CANON)],
    }
    proc = subprocess.run(
        [str(NODE), str(SCRIPT), json.dumps(args)], capture_output=True, text=True, timeout=600, check=False
    )
    lines = proc.stdout.strip().splitlines()
    report = json.loads(lines[-1]) if lines else {}
    return proc.returncode, report, proc.stderr


def test_main_flows_in_firefox(fresh_server: LiveServer, shots: Path) -> None:
    code, report, stderr = run_flows(fresh_server, shots)
    assert code == 0 and report.get("ok") is True, (
        f"Firefox flows failed at {report.get('step')!r} (screenshots in {shots}): "
        f"{report.get('error')}\n{stderr[-2000:]}"
    )
    assert report["browser"].startswith("firefox/")
    assert report["steps"] == STEPS
    assert report["pageErrors"] == []
    assert report["consoleErrors"] == []
    # Both thumbnails were decoded by the browser (a broken image has no natural size).
    assert len(report["thumbnails"]) == 2
    assert all(t["naturalWidth"] > 0 and t["naturalHeight"] > 0 and t["loaded"] for t in report["thumbnails"])
    for name in ("01-sign-up", "02-uploaded", "03-timeline", "04-viewer", "05-search", "06-devices"):
        assert (shots / f"firefox-{name}.png").stat().st_size > 0

    # What the browser did is what the API sees.
    with fresh_server.client(fresh_server.admin()) as client:
        assert client.get("/api/assets/statistics").json()["total"] == 2
        asset = client.get(f"/api/assets/{report['assetId']}").json()
    assert asset["originalFileName"] == "starfish.jpg"
    assert asset["isFavorite"] is True
