"""Routes: /api/sync/stream and /api/sync/ack (sync v2; sessions only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import Field
from starlette.responses import StreamingResponse

from filmroll.api import compression
from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import MAX_IDS, Model, NotNull
from filmroll.api.routing import GuardedRoute
from filmroll.errors import BadRequest
from filmroll.services.auth import AuthContext
from filmroll.sync.v2.types import ENTITY_TYPE_SET, ENTITY_TYPES, REQUEST_TYPE_SET, REQUEST_TYPES

router = APIRouter(prefix="/sync", tags=["Sync"], route_class=GuardedRoute)

MEDIA_TYPE = "application/jsonlines+json"


Strings = Annotated[list[str], Field(max_length=MAX_IDS)]


class SyncStreamDto(Model):
    types: Strings
    reset: NotNull[bool] = None


class SyncAckSetDto(Model):
    acks: Strings


class SyncAckDeleteDto(Model):
    types: NotNull[Strings] = None


class SyncAckDto(Model):
    type: str
    ack: str


def _check(values: list[str], allowed: frozenset[str], names: tuple[str, ...]) -> None:
    if any(value not in allowed for value in values):
        raise BadRequest([f"each value in types must be one of the following values: {', '.join(names)}"])


@router.post("/stream")
async def stream(
    request: Request, body: SyncStreamDto, auth: Annotated[AuthContext, Perm("sync.stream")], svc: Svc
) -> StreamingResponse:
    _check(body.types, REQUEST_TYPE_SET, REQUEST_TYPES)
    lines = await svc.sync_v2.open_stream(auth, body.types, bool(body.reset))
    return compression.streaming(lines, request.headers.get("accept-encoding"), MEDIA_TYPE)


@router.get("/ack", response_model=list[SyncAckDto])
async def get_acks(
    auth: Annotated[AuthContext, Perm("syncCheckpoint.read")], svc: Svc
) -> list[dict[str, Any]]:
    return await svc.sync_v2.get_acks(auth)


@router.post("/ack", status_code=204)
async def set_acks(
    body: SyncAckSetDto, auth: Annotated[AuthContext, Perm("syncCheckpoint.update")], svc: Svc
) -> Response:
    await svc.sync_v2.set_acks(auth, body.acks)
    return Response(status_code=204)


@router.delete("/ack", status_code=204)
async def delete_acks(
    body: SyncAckDeleteDto,
    auth: Annotated[AuthContext, Perm("syncCheckpoint.delete")],
    svc: Svc,
) -> Response:
    types = body.types
    if types is not None:
        _check(types, ENTITY_TYPE_SET, ENTITY_TYPES)
    await svc.sync_v2.delete_acks(auth, types)
    return Response(status_code=204)
