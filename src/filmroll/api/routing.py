"""The route class of every router: authenticate before the body is read, parse JSON strictly.

FastAPI reads and parses a route's JSON body before it resolves the route's dependencies,
authentication included, so an anonymous caller could make the server buffer and parse a
body only to be told 401 afterwards. `GuardedRoute` runs the route's authentication
dependency first; the dependency then finds its result in the request scope and does not
query again. It also hands FastAPI a request whose `json()` is strict (orjson): a lone UTF-16
surrogate such as `"\\ud800"`, which Python's `json` accepts but no database or response
encoder can store, answers 400 for every JSON body instead of failing later with a 500; so
does a NUL character (`"\\u0000"`), which PostgreSQL cannot store in text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from filmroll.api.deps import AUTHENTICATORS, services


class StrictJSONRequest(Request):
    """A request whose JSON is decoded by orjson, which refuses lone surrogates, NaN and Infinity.

    `orjson.JSONDecodeError` is a `json.JSONDecodeError`, so FastAPI reports it as the usual
    400 "Unexpected token in JSON body"; strings with NUL characters raise a 400 of their own.
    """

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            value = orjson.loads(body)
            if b"\\u0000" in body and _has_nul(value):
                raise HTTPException(400, "JSON strings must not contain NUL characters")
            self._json = value
        return self._json


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _authenticator(dependant: Dependant) -> Callable[..., Awaitable[Any]] | None:
    for dependency in dependant.dependencies:
        if dependency.call in AUTHENTICATORS:
            return dependency.call
        if (found := _authenticator(dependency)) is not None:
            return found
    return None


class GuardedRoute(APIRoute):
    """An `APIRoute` that authenticates before reading a JSON body and decodes it strictly."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        authenticate = _authenticator(self.dependant) if self.body_field is not None else None

        async def guarded(request: Request) -> Response:
            strict = StrictJSONRequest(request.scope, request.receive)
            if authenticate is not None:
                await authenticate(strict, services(strict))
            return await handler(strict)

        return guarded
