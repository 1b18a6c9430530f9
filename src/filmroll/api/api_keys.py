"""Routes: /api/api-keys."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import Field

from filmroll.api.deps import AnyKeyAuth, Perm, Svc, credentials
from filmroll.api.dto import MAX_IDS, Model, Name, NotNull
from filmroll.api.routing import GuardedRoute
from filmroll.services.auth import AuthContext
from filmroll.timefmt import iso

router = APIRouter(prefix="/api-keys", tags=["API keys"], route_class=GuardedRoute)


Permissions = Annotated[list[str], Field(max_length=MAX_IDS)]


class APIKeyCreateDto(Model):
    name: NotNull[Name] = None
    permissions: Permissions


class APIKeyUpdateDto(Model):
    name: NotNull[Name] = None
    permissions: NotNull[Permissions] = None


class APIKeyResponseDto(Model):
    id: str
    name: str
    created_at: str
    updated_at: str
    permissions: list[str]


class APIKeyCreateResponseDto(Model):
    secret: str
    api_key: APIKeyResponseDto


def key_response(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
        "permissions": list(row.permissions),
    }


@router.post("", status_code=201, response_model=APIKeyCreateResponseDto)
async def create_key(
    body: APIKeyCreateDto, auth: Annotated[AuthContext, Perm("apiKey.create")], svc: Svc
) -> dict[str, Any]:
    secret, row = await svc.auth.create_api_key(auth, body.name or "API Key", body.permissions)
    return {"secret": secret, "apiKey": key_response(row)}


@router.get("", response_model=list[APIKeyResponseDto])
async def list_keys(auth: Annotated[AuthContext, Perm("apiKey.read")], svc: Svc) -> list[dict[str, Any]]:
    return [key_response(r) for r in await svc.auth.list_api_keys(auth)]


@router.get("/me", response_model=APIKeyResponseDto)
async def my_key(request: Request, auth: AnyKeyAuth, svc: Svc) -> dict[str, Any]:
    return key_response(await svc.auth.current_api_key(auth, credentials(request)))


@router.get("/{id}", response_model=APIKeyResponseDto)
async def get_key(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("apiKey.read")], svc: Svc
) -> dict[str, Any]:
    return key_response(await svc.auth.get_api_key(auth, id))


@router.put("/{id}", response_model=APIKeyResponseDto)
async def update_key(
    id: uuid.UUID, body: APIKeyUpdateDto, auth: Annotated[AuthContext, Perm("apiKey.update")], svc: Svc
) -> dict[str, Any]:
    return key_response(await svc.auth.update_api_key(auth, id, body.name, body.permissions))


@router.delete("/{id}", status_code=204)
async def delete_key(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("apiKey.delete")], svc: Svc
) -> Response:
    await svc.auth.delete_api_key(auth, id)
    return Response(status_code=204)
