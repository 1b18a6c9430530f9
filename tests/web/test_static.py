"""The web app is served from the package at `/` without changing any API answer."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support import LiveServer


def test_index_and_app_routes_answer_the_page(server: LiveServer) -> None:
    with server.client() as c:
        for path in ("/", "/photos", "/albums/0b6e4f1c-8c4e-4d52-9d0e-3a1f1d3c2b1a", "/auth/login"):
            resp = c.get(path)
            assert resp.status_code == 200, path
            assert resp.headers["content-type"] == "text/html; charset=utf-8"
            assert '<script type="module" src="/_app/js/app.js"></script>' in resp.text
            assert resp.headers["cache-control"] == "no-cache"
            assert "script-src 'self'" in resp.headers["content-security-policy"]
            assert resp.headers["x-content-type-options"] == "nosniff"


def test_static_files_have_their_content_types_and_revalidate(server: LiveServer) -> None:
    with server.client() as c:
        js = c.get("/_app/js/app.js")
        assert js.status_code == 200
        assert js.headers["content-type"] == "text/javascript; charset=utf-8"
        assert "import" in js.text
        css = c.get("/_app/css/app.css")
        assert css.headers["content-type"] == "text/css; charset=utf-8"
        svg = c.get("/_app/favicon.svg")
        assert svg.headers["content-type"] == "image/svg+xml"
        again = c.get("/_app/js/app.js", headers={"if-none-match": js.headers["etag"]})
        assert again.status_code == 304
        assert again.content == b""
        head = c.head("/_app/css/app.css")
        assert head.status_code == 200
        assert head.headers["content-length"] == str(len(css.content))


def test_missing_or_unsafe_files_are_404_not_the_page(server: LiveServer) -> None:
    with server.client() as c:
        for path in (
            "/_app/js/missing.js",
            "/_app/%2e%2e/__init__.py",
            "/_app/js/",
            "/_app/",
        ):
            resp = c.get(path)
            assert resp.status_code == 404, path
            assert resp.json()["statusCode"] == 404


def test_api_answers_are_unchanged(server: LiveServer) -> None:
    with server.client() as c:
        missing = c.get("/api/no-such-endpoint")
        assert missing.status_code == 404
        assert set(missing.json()) == {"message", "error", "statusCode", "correlationId"}
        assert c.get("/api").status_code == 404
        assert c.post("/photos").status_code == 404  # only GET and HEAD reach the page
        assert c.get("/api/auth/login").status_code == 405
        assert c.get("/api/server/ping").json() == {"res": "pong"}
        assert c.get("/.well-known/immich").json() == {"api": {"endpoint": "/api"}}


def test_wheel_ships_the_web_app(tmp_path: Path) -> None:
    """A wheel built from the sources holds every file of the web app (built from a copy, so the
    build leaves nothing behind in the working tree)."""
    root = Path(__file__).resolve().parents[2]
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, source / name)
    shutil.copytree(root / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("filmroll-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n for n in names if n.startswith("filmroll/web/static/")}
    static = root / "src" / "filmroll" / "web" / "static"
    on_disk = {
        "filmroll/web/static/" + p.relative_to(static).as_posix() for p in static.rglob("*") if p.is_file()
    }
    assert on_disk
    assert on_disk <= shipped
    assert "filmroll/web/static/index.html" in shipped
