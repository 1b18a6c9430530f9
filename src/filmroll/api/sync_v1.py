"""Routes: sync v1, /api/sync/full-sync and /api/sync/delta-sync in both forms.

GET (Immich v1.102) takes query parameters, POST (v1.103 to v2.7) a JSON body; both share
one validator so bad input gets the same 400 body either way.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import StreamingResponse

from filmroll.api.deps import Auth, Svc
from filmroll.api.responses import JSONResponse
from filmroll.errors import BadRequest
from filmroll.sync import v1_params

router = APIRouter(prefix="/sync", tags=["Sync"])

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
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise BadRequest(["Unexpected token in JSON body"]) from None
    if not isinstance(body, dict):
        raise BadRequest(["body must be an object"])
    return body


def _stream(chunks: Any) -> StreamingResponse:
    return StreamingResponse(chunks, media_type="application/json")


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
    return _stream(await svc.sync_v1.full_sync(auth.user_id, params, early=True))


@router.post("/full-sync", deprecated=True, openapi_extra=_body_doc(_FULL_BODY))
async def full_sync(request: Request, auth: Auth, svc: Svc) -> StreamingResponse:
    """Later form: pages by `id ASC` after `lastId`."""
    params = v1_params.full_sync(await _json_object(request), from_query=False)
    return _stream(await svc.sync_v1.full_sync(auth.user_id, params, early=False))


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
async def delta_sync_early(request: Request, auth: Auth, svc: Svc) -> JSONResponse:
    query = request.query_params
    user_ids = query.getlist("userIds") if "userIds" in query else None
    params = v1_params.delta_sync(query.get("updatedAfter"), user_ids)
    return JSONResponse(await svc.sync_v1.delta_sync(auth.user_id, params))


@router.post("/delta-sync", deprecated=True, openapi_extra=_body_doc(_DELTA_BODY))
async def delta_sync(request: Request, auth: Auth, svc: Svc) -> JSONResponse:
    body = await _json_object(request)
    params = v1_params.delta_sync(body.get("updatedAfter"), body.get("userIds"))
    return JSONResponse(await svc.sync_v1.delta_sync(auth.user_id, params))
