"""Async HTTP client for the Immich-compatible API: login, upload, files, and both sync protocols.

Every failure is turned into a `ClientError` subclass carrying the server's own message, so
callers (the mirror command) can print one clear line instead of a traceback.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
import orjson

from filmroll import __version__
from filmroll.client.errors import (
    AuthFailed,
    ClientError,
    NotSupported,
    ServerError,
    StreamInterrupted,
    Unreachable,
)

FileKind = Literal["original", "thumbnail"]
MAX_ACKS = 1000
USER_AGENT = f"filmroll-mirror/{__version__}"


def api_base(url: str) -> str:
    """`http://host:2283`, `http://host:2283/` and `http://host:2283/api` all mean the same API."""
    base = url.strip().rstrip("/")
    if "://" not in base:
        raise ClientError(f"not a server URL: {url!r} (expected http://host:port)")
    return base if base.endswith("/api") else base + "/api"


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _message(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:200] or resp.reason_phrase
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(message, list):
        return "; ".join(str(m) for m in message)
    return str(message) if message else resp.reason_phrase


def raise_for(resp: httpx.Response, what: str) -> None:
    """Map a non-2xx answer to the matching `ClientError`."""
    if resp.is_success:
        return
    message = f"{what}: {_message(resp)} ({resp.status_code})"
    if resp.status_code in (401, 403):
        raise AuthFailed(message, resp.status_code)
    if resp.status_code in (404, 405):
        raise NotSupported(message, resp.status_code)
    raise ServerError(message, resp.status_code)


class Api:
    """One server and one set of credentials (a session token or an API key)."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base = api_base(url)
        self.token = token
        self.api_key = api_key
        self.http = httpx.AsyncClient(
            base_url=self.base,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"user-agent": USER_AGENT},
            transport=transport,
        )

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    @property
    def has_session(self) -> bool:
        return self.token is not None

    def _auth(self) -> dict[str, str]:
        if self.token:
            return {"authorization": f"Bearer {self.token}"}
        if self.api_key:
            return {"x-api-key": self.api_key}
        return {}

    async def send(self, method: str, path: str, *, stream: bool = False, **kwargs: Any) -> httpx.Response:
        headers = {**self._auth(), **kwargs.pop("headers", {})}
        request = self.http.build_request(method, path, headers=headers, **kwargs)
        try:
            return await self.http.send(request, stream=stream)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise Unreachable(f"cannot reach {self.base}: {exc or type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise ServerError(f"{method} {path} failed: {exc or type(exc).__name__}") from exc

    async def call(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        resp = await self.send(method, path, **kwargs)
        raise_for(resp, what)
        if resp.status_code == 204 or not resp.content:
            return None
        return resp.json()

    # -- authentication -------------------------------------------------------------------------

    async def login(self, email: str, password: str) -> dict[str, Any]:
        body = await self.call(
            "POST", "/auth/login", "login failed", json={"email": email, "password": password}
        )
        self.token = str(body["accessToken"])
        return dict(body)

    async def logout(self) -> None:
        await self.call("POST", "/auth/logout", "logout failed")
        self.token = None

    async def me(self) -> dict[str, Any]:
        return dict(await self.call("GET", "/users/me", "cannot read the current user"))

    async def server_version(self) -> dict[str, Any]:
        return dict(await self.call("GET", "/server/version", "cannot read the server version"))

    async def partners_sharing_with_me(self) -> list[dict[str, Any]]:
        found = await self.call(
            "GET", "/partners", "cannot list partners", params={"direction": "shared-with"}
        )
        return list(found)

    async def create_session(self) -> tuple[str, str]:
        """A child session of the current one: (session id, token); needs a session token."""
        body = await self.call("POST", "/sessions", "cannot create a session", json={})
        return str(body["id"]), str(body["token"])

    async def delete_session(self, session_id: str) -> None:
        await self.call("DELETE", f"/sessions/{session_id}", "cannot delete the session")

    # -- sync v2 --------------------------------------------------------------------------------

    async def open_stream(self, types: Sequence[str], *, reset: bool = False) -> httpx.Response:
        """Start `POST /sync/stream`; the caller reads it with `stream_lines` and closes it."""
        body: dict[str, Any] = {"types": list(types)}
        if reset:
            body["reset"] = True
        headers = {"accept": "application/jsonlines+json"}
        resp = await self.send("POST", "/sync/stream", stream=True, json=body, headers=headers)
        if resp.status_code != 200:
            await resp.aread()
            await resp.aclose()
            raise_for(resp, "sync stream refused")
            raise ServerError(f"sync stream refused: unexpected status {resp.status_code}")
        return resp

    async def estimate(self, types: Sequence[str], *, reset: bool = False) -> dict[str, Any] | None:
        """filmroll's `POST /sync/estimate` (lines and bytes the next stream sends), or None from a
        server without it (Immich answers 404)."""
        body: dict[str, Any] = {"types": list(types)}
        if reset:
            body["reset"] = True
        resp = await self.send("POST", "/sync/estimate", json=body)
        if resp.status_code in (404, 405):
            return None
        raise_for(resp, "sync estimate refused")
        return dict(resp.json())

    async def digest(
        self, request_type: str, bucket: str | None = None, *, split: bool = False
    ) -> dict[str, Any]:
        """filmroll's `POST /sync/digest` (`NotSupported` from servers without it)."""
        body: dict[str, Any] = {"type": request_type}
        if bucket is not None:
            body["bucket"] = bucket
        if split:
            body["split"] = True
        return dict(await self.call("POST", "/sync/digest", "sync digest refused", json=body))

    async def sync_rows(self, request_type: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        """filmroll's `POST /sync/rows`: the current stream lines of `ids` (deletes for rows gone)."""
        body = {"type": request_type, "ids": list(ids)}
        resp = await self.send("POST", "/sync/rows", json=body)
        raise_for(resp, "sync rows refused")
        return [orjson.loads(raw) for raw in resp.content.splitlines() if raw]

    async def ack(self, acks: Sequence[str]) -> None:
        for start in range(0, len(acks), MAX_ACKS):
            chunk = list(acks[start : start + MAX_ACKS])
            await self.call("POST", "/sync/ack", "ack refused", json={"acks": chunk})

    async def get_acks(self) -> list[dict[str, str]]:
        return list(await self.call("GET", "/sync/ack", "cannot read checkpoints"))

    # -- sync v1 --------------------------------------------------------------------------------

    async def full_sync(
        self, user_id: str, updated_until: str, limit: int, last_id: str | None
    ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"userId": user_id, "updatedUntil": updated_until, "limit": limit}
        if last_id is not None:
            body["lastId"] = last_id
        return list(await self.call("POST", "/sync/full-sync", "full sync failed", json=body))

    async def delta_sync(self, updated_after: str, user_ids: Sequence[str]) -> dict[str, Any]:
        body = {"updatedAfter": updated_after, "userIds": list(user_ids)}
        return dict(await self.call("POST", "/sync/delta-sync", "delta sync failed", json=body))

    # -- files ----------------------------------------------------------------------------------

    async def upload(self, path: Path, *, device_id: str = "filmroll-client") -> dict[str, Any]:
        """Upload one file (`POST /assets`); a duplicate of an existing asset is not an error."""
        data = await asyncio.to_thread(path.read_bytes)
        mtime = (await asyncio.to_thread(path.stat)).st_mtime
        stamp = datetime.fromtimestamp(mtime, UTC).isoformat().replace("+00:00", "Z")
        form = {
            "deviceAssetId": f"{path.name}-{uuid.uuid4().hex[:8]}",
            "deviceId": device_id,
            "fileCreatedAt": stamp,
            "fileModifiedAt": stamp,
        }
        headers = {"x-immich-checksum": hashlib.sha1(data).hexdigest()}
        files = {"assetData": (path.name, data, "application/octet-stream")}
        return dict(
            await self.call("POST", "/assets", "upload failed", data=form, files=files, headers=headers)
        )

    async def download(
        self,
        asset_id: str,
        kind: FileKind,
        part: Path,
        progress: Callable[[int], None] | None = None,
        *,
        validator: str | None = None,
        on_start: Callable[[str | None], None] | None = None,
    ) -> str:
        """Fetch a file into `part`; returns the content type.

        A partial `part` is continued only when `validator` (the ETag or Last-Modified of the
        answer that started it) is known: the range request carries it as `If-Range`, so a
        file that changed on the server comes back whole instead of being glued onto old
        bytes. Without a validator the bytes of `part` may belong to anything, so the file
        starts over. `on_start` receives the validator of an answer that starts the file
        afresh, before any byte is written. The result must be exactly as long as the server
        announced; anything else is a `ServerError`, and `part` is never the finished file.
        """
        offset = await asyncio.to_thread(_size, part) if validator else 0
        headers = {"accept-encoding": "identity"}
        if offset and validator:
            headers |= {"range": f"bytes={offset}-", "if-range": validator}
        path = f"/assets/{asset_id}/original" if kind == "original" else f"/assets/{asset_id}/thumbnail"
        what = f"download of {kind} {asset_id}"
        resp = await self.send("GET", path, stream=True, headers=headers)
        try:
            if resp.status_code == 416:  # `part` is already as long as the file, or longer
                await resp.aread()
                await asyncio.to_thread(part.unlink, missing_ok=True)
                return await self.download(asset_id, kind, part, progress, on_start=on_start)
            if not resp.is_success:
                await resp.aread()
                raise_for(resp, f"{what} failed")
            if resp.status_code == 206:
                start, total = _content_range(resp.headers.get("content-range"))
                if start != offset:
                    await asyncio.to_thread(part.unlink, missing_ok=True)
                    raise ServerError(f"{what} failed: the server answered another range than asked")
                mode = "ab"
            else:
                total = _length(resp)
                if on_start is not None:
                    on_start(_validator(resp))
                mode = "wb"
            with part.open(mode) as out:
                async for chunk in resp.aiter_bytes():
                    out.write(chunk)
                    if progress is not None:
                        progress(len(chunk))
            size = await asyncio.to_thread(_size, part)
            if total is not None and size != total:
                if size > total:
                    await asyncio.to_thread(part.unlink, missing_ok=True)
                raise ServerError(f"{what} incomplete: {size:,} of {total:,} bytes")
            return str(resp.headers.get("content-type", "application/octet-stream"))
        except httpx.TransportError as exc:
            raise ServerError(f"{what} interrupted: {exc or type(exc).__name__}") from exc
        finally:
            await resp.aclose()


def _content_range(header: str | None) -> tuple[int | None, int | None]:
    """(first byte, total size) of `bytes first-last/total`; None where absent or unknown."""
    match = re.fullmatch(r"\s*bytes\s+(\d+)-\d+/(\d+|\*)\s*", header or "")
    if match is None:
        return None, None
    return int(match.group(1)), None if match.group(2) == "*" else int(match.group(2))


def _length(resp: httpx.Response) -> int | None:
    """The announced size of a whole-file answer, when it describes the bytes as stored."""
    value = resp.headers.get("content-length")
    if value is None or not value.isdigit() or resp.headers.get("content-encoding", "identity") != "identity":
        return None
    return int(value)


def _validator(resp: httpx.Response) -> str | None:
    """What identifies this version of the file for `If-Range`: a strong ETag, else Last-Modified."""
    etag = resp.headers.get("etag")
    if etag and not etag.startswith("W/"):
        return str(etag)
    modified = resp.headers.get("last-modified")
    return str(modified) if modified else None


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


async def stream_lines(resp: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """Parsed JSON lines of a sync stream; a cut connection or a broken line is `StreamInterrupted`."""
    try:
        async for raw in resp.aiter_lines():
            if not raw.strip():
                continue
            try:
                item = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise StreamInterrupted(f"sync stream sent a broken line: {raw[:80]!r}") from exc
            if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                raise StreamInterrupted(f"sync stream sent an unexpected line: {raw[:80]!r}")
            yield item
    except httpx.TransportError as exc:
        raise StreamInterrupted(f"sync stream interrupted: {str(exc) or type(exc).__name__}") from exc
