"""filmroll's own web app: static ES modules shipped in the package, served at `/`.

There is no build step: the files under `static/` are what the browser runs. They are served at
`/_app/...`; every other GET outside `/api` answers `index.html` so the app's own routes
(`/photos`, `/albums/...`) survive a reload. The handler is the router's fallback, so it only sees
requests no API route matched at all and never changes an API answer (an unknown `/api` path still
gets the JSON 404, a wrong method on an API path still gets 405).
"""

from __future__ import annotations

import hashlib
from email.utils import formatdate
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

STATIC = Path(__file__).resolve().parent / "static"
PREFIX = "/_app/"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
}
"""An explicit table, not the OS's mime database: module scripts are refused unless served as JavaScript."""

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)

HEADERS = {
    # Files keep their names between releases (no build step, no hashed names), so browsers must
    # revalidate every time; the ETag makes that a cheap 304.
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "content-security-policy": CSP,
}


def _resolve(relative: str) -> Path | None:
    """The file for a `/_app/` path, or None; never anything outside `static/` or of an unknown type."""
    if not relative or "\\" in relative or "\0" in relative:
        return None
    path = (STATIC / relative).resolve()
    if not path.is_relative_to(STATIC) or path.suffix not in CONTENT_TYPES or not path.is_file():
        return None
    return path


def _file_response(request: Request, path: Path) -> Response:
    stat = path.stat()
    etag = '"' + hashlib.sha1(f"{stat.st_mtime_ns}-{stat.st_size}".encode()).hexdigest()[:20] + '"'
    headers = {**HEADERS, "etag": etag, "last-modified": formatdate(stat.st_mtime, usegmt=True)}
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    body = b"" if request.method == "HEAD" else path.read_bytes()
    headers["content-length"] = str(stat.st_size)
    response = Response(body, headers=headers, media_type=CONTENT_TYPES[path.suffix])
    return response


class WebApp:
    """The router's fallback: the web app for browser paths, `not_found` for everything else."""

    def __init__(self, not_found: ASGIApp) -> None:
        self.not_found = not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope.get("method") not in ("GET", "HEAD")
            or path == "/api"
            or path.startswith("/api/")
        ):
            await self.not_found(scope, receive, send)
            return
        request = Request(scope, receive)
        if path.startswith(PREFIX):
            file = _resolve(path[len(PREFIX) :])
            if file is None:
                await self.not_found(scope, receive, send)
                return
        else:
            file = STATIC / "index.html"
        await _file_response(request, file)(scope, receive, send)
