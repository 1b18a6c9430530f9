"""Routes: sync v1, /api/sync/full-sync and /api/sync/delta-sync in both forms.

GET (Immich v1.102) takes query parameters, POST (v1.103 to v2.7) a JSON body; both share
one validator so bad input gets the same 400 body either way.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from filmroll.api import compression
from filmroll.api.deps import Auth, Svc
from filmroll.api.routing import GuardedRoute
from filmroll.errors import BadRequest
from filmroll.sync.v1 import params as v1_params

router = APIRouter(prefix="/sync", tags=["Sync"], route_class=GuardedRoute)

_UUID = {"type": "string", "format": "uuid"}
_DATE = {"type": "string", "format": "date-time"}
_FULL_BODY = {
    "type": "object",
    "required": ["limit", "updatedUntil"],
    "properties": {
        "limit": {"type": "integer", "minimum": 1},
        "updatedUntil": _DATE,
        "lastId": _UUID,
        "userId": _UUID,
    },
}
_DELTA_BODY = {
    "type": "object",
    "required": ["updatedAfter", "userIds"],
    "properties": {"updatedAfter": _DATE, "userIds": {"type": "array", "items": _UUID}},
}


def _query(name: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _body_doc(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


async def _json_object(request: Request) -> dict[str, Any]:
    """The JSON body, decoded strictly by the route's request (lone surrogates, NUL: 400)."""
    try:
        body = await request.json()
    except orjson.JSONDecodeError:
        raise BadRequest(["Unexpected token in JSON body"]) from None
    if not isinstance(body, dict):
        raise BadRequest(["body must be an object"])
    return body


def _stream(request: Request, chunks: Any) -> StreamingResponse:
    return compression.streaming(chunks, request.headers.get("accept-encoding"), "application/json")


def _json(request: Request, content: dict[str, Any]) -> Response:
    """A delta answer (at most `MAX_CHANGES` assets), compressed whole when the client asks."""
    return compression.whole(
        orjson.dumps(content), request.headers.get("accept-encoding"), "application/json"
    )


@router.get(
    "/full-sync",
    deprecated=True,
    openapi_extra={
        "parameters": [
            _query("limit", {"type": "integer", "minimum": 1}, True),
            _query("updatedUntil", _DATE, True),
            _query("lastCreationDate", _DATE),
            _query("lastId", _UUID),
            _query("userId", _UUID),
        ]
    },
)
async def full_sync_early(request: Request, auth: Auth, svc: Svc) -> StreamingResponse:
    """Early form: pages by `(fileCreatedAt DESC, id DESC)`."""
    params = v1_params.full_sync(dict(request.query_params), from_query=True)
    return _stream(
        request,
        await svc.sync_v1.full_sync(
            auth.user_id, params, early=True, session_id=auth.session_id, api_key_id=auth.api_key_id
        ),
    )


@router.post("/full-sync", deprecated=True, openapi_extra=_body_doc(_FULL_BODY))
async def full_sync(request: Request, auth: Auth, svc: Svc) -> StreamingResponse:
    """Later form: pages by `id ASC` after `lastId`."""
    params = v1_params.full_sync(await _json_object(request), from_query=False)
    return _stream(
        request,
        await svc.sync_v1.full_sync(
            auth.user_id, params, early=False, session_id=auth.session_id, api_key_id=auth.api_key_id
        ),
    )


@router.get(
    "/delta-sync",
    deprecated=True,
    openapi_extra={
        "parameters": [
            _query("updatedAfter", _DATE, True),
            _query("userIds", {"type": "array", "items": _UUID}, True),
        ]
    },
)
async def delta_sync_early(request: Request, auth: Auth, svc: Svc) -> Response:
    query = request.query_params
    user_ids = query.getlist("userIds") if "userIds" in query else None
    params = v1_params.delta_sync(query.get("updatedAfter"), user_ids)
    return _json(
        request, await svc.sync_v1.delta_sync(auth.user_id, params, auth.session_id, auth.api_key_id)
    )


@router.post("/delta-sync", deprecated=True, openapi_extra=_body_doc(_DELTA_BODY))
async def delta_sync(request: Request, auth: Auth, svc: Svc) -> Response:
    body = await _json_object(request)
    params = v1_params.delta_sync(body.get("updatedAfter"), body.get("userIds"))
    return _json(
        request, await svc.sync_v1.delta_sync(auth.user_id, params, auth.session_id, auth.api_key_id)
    )
