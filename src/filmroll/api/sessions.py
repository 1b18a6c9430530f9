"""Routes: /api/sessions."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import Field

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import Model, NotNull
from filmroll.api.routing import GuardedRoute
from filmroll.errors import BadRequest
from filmroll.services.auth import AuthContext
from filmroll.timefmt import iso

router = APIRouter(prefix="/sessions", tags=["Sessions"], route_class=GuardedRoute)


class SessionResponseDto(Model):
    id: str
    created_at: str
    updated_at: str
    expires_at: str | None = None
    current: bool
    device_type: str
    device_os: str = Field(alias="deviceOS")
    app_version: str | None
    is_pending_sync_reset: bool


class SessionCreateResponseDto(SessionResponseDto):
    token: str


MAX_DURATION = 100 * 366 * 24 * 3600
"""Longest session `duration` in seconds (a century): longer ones cannot be stored as a date."""
DeviceField = Annotated[str, Field(max_length=100)]


class SessionCreateDto(Model):
    duration: NotNull[Annotated[int, Field(ge=1, le=MAX_DURATION)]] = None
    device_type: NotNull[DeviceField] = None
    device_os: NotNull[DeviceField] = Field(default=None, alias="deviceOS")


class SessionUpdateDto(Model):
    is_pending_sync_reset: NotNull[bool] = None


def session_response(row: Any, auth: AuthContext) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
        "expiresAt": iso(row.expires_at),
        "current": row.id == auth.session_id,
        "deviceType": row.device_type,
        "deviceOS": row.device_os,
        "appVersion": row.app_version,
        "isPendingSyncReset": row.is_pending_sync_reset,
    }


@router.get("", response_model=list[SessionResponseDto])
async def list_sessions(auth: Annotated[AuthContext, Perm("session.read")], svc: Svc) -> list[dict[str, Any]]:
    return [session_response(r, auth) for r in await svc.auth.list_sessions(auth)]


@router.post("", status_code=201, response_model=SessionCreateResponseDto)
async def create_session(
    body: SessionCreateDto, request: Request, auth: Annotated[AuthContext, Perm("session.create")], svc: Svc
) -> dict[str, Any]:
    token, created = await svc.auth.create_child_session(
        auth,
        request.headers.get("user-agent", ""),
        duration=timedelta(seconds=body.duration) if body.duration is not None else None,
        device_os=body.device_os,
        device_type=body.device_type,
    )
    return {**session_response(created, auth), "token": token}


@router.delete("", status_code=204)
async def delete_all_sessions(auth: Annotated[AuthContext, Perm("session.delete")], svc: Svc) -> Response:
    await svc.auth.delete_other_sessions(auth)
    return Response(status_code=204)


@router.delete("/{id}", status_code=204)
async def delete_session(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("session.delete")], svc: Svc
) -> Response:
    await svc.auth.delete_session(auth, id)
    return Response(status_code=204)


@router.put("/{id}", response_model=SessionResponseDto)
async def update_session(
    id: uuid.UUID, body: SessionUpdateDto, auth: Annotated[AuthContext, Perm("session.update")], svc: Svc
) -> dict[str, Any]:
    if body.is_pending_sync_reset is False:
        raise BadRequest(["isPendingSyncReset must be true"])
    return session_response(await svc.auth.update_session(auth, id, body.is_pending_sync_reset), auth)
