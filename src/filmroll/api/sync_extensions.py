"""Routes of filmroll's sync extensions (tagged `filmroll`; Immich's apps never call them):
`POST /api/sync/estimate`, `POST /api/sync/digest` and `POST /api/sync/rows`
(`GET /api/filmroll/sync-status` is in `api.sync_status`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import Field
from starlette.responses import StreamingResponse

from filmroll.api import compression
from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import MAX_IDS, Model, NotNull
from filmroll.api.routing import GuardedRoute
from filmroll.api.sync_v2 import MEDIA_TYPE, Strings, _check
from filmroll.services.auth import AuthContext
from filmroll.sync.extensions.service import SyncExtensions
from filmroll.sync.v2.types import REQUEST_TYPE_SET, REQUEST_TYPES

router = APIRouter(tags=["filmroll"], route_class=GuardedRoute)

MAX_ROW_IDS = 10_000
"""Most ids one `/sync/rows` call may name: a day of a large library, well under `MAX_IDS`."""
assert MAX_ROW_IDS <= MAX_IDS


class SyncEstimateDto(Model):
    types: Strings
    reset: NotNull[bool] = None


class SyncTotalsDto(Model):
    lines: int
    bytes: int


class SyncEstimateResponseDto(Model):
    reset: bool
    lines: int
    bytes: int
    types: dict[str, SyncTotalsDto]


RowKey = Annotated[str, Field(max_length=73)]
"""A row's id, or for album members and album assets `albumId:userId` / `albumId:assetId`
(checked per request type by the service)."""


class SyncRowsDto(Model):
    type: str
    ids: Annotated[list[RowKey], Field(max_length=MAX_ROW_IDS)]


class SyncDigestDto(Model):
    type: str
    bucket: NotNull[Annotated[str, Field(max_length=13)]] = None
    split: NotNull[bool] = None


class SyncBucketDto(Model):
    bucket: str
    count: int
    hash: str


class SyncRowHashDto(Model):
    id: str
    hash: str


class SyncDigestResponseDto(Model):
    type: str
    bucket: str | None
    buckets: list[SyncBucketDto] | None = None
    rows: list[SyncRowHashDto] | None = None
    acks: list[str]


def _extensions(svc: Svc) -> SyncExtensions:
    return SyncExtensions(svc.sync_v2)


@router.post("/sync/estimate", response_model=SyncEstimateResponseDto)
async def estimate(
    body: SyncEstimateDto, auth: Annotated[AuthContext, Perm("sync.stream")], svc: Svc
) -> dict[str, Any]:
    """How many lines and bytes (uncompressed) the next `/sync/stream` with this body would send,
    per request type; no checkpoint moves."""
    _check(body.types, REQUEST_TYPE_SET, REQUEST_TYPES)
    return await _extensions(svc).estimate(auth, body.types, bool(body.reset))


@router.post("/sync/digest", response_model=SyncDigestResponseDto, response_model_exclude_none=True)
async def digest(
    body: SyncDigestDto, auth: Annotated[AuthContext, Perm("sync.stream")], svc: Svc
) -> dict[str, Any]:
    """Count and hash per month (or id prefix), per day, or per row of what the caller's stream
    of `type` keeps; see `docs/sync-digests.md`."""
    return await _extensions(svc).digest(auth, body.type, body.bucket, bool(body.split))


@router.post("/sync/rows")
async def rows(
    request: Request, body: SyncRowsDto, auth: Annotated[AuthContext, Perm("sync.stream")], svc: Svc
) -> StreamingResponse:
    """The current stream lines of the rows named, or delete lines for those the caller no longer sees."""
    payload = await _extensions(svc).rows(auth, body.type, body.ids)

    async def once() -> AsyncIterator[bytes]:
        yield payload

    return compression.streaming(once(), request.headers.get("accept-encoding"), MEDIA_TYPE)
