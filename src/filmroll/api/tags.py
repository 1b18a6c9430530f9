"""Routes: /api/tags (Immich's tag endpoints and TagResponseDto)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import AfterValidator, Field

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import MAX_IDS, IdList, Model, Name, NotNull
from filmroll.api.routing import GuardedRoute
from filmroll.api.uuids import Uuid
from filmroll.errors import BadRequest
from filmroll.services.auth import AuthContext
from filmroll.services.tags import MAX_VALUE, UNSET

router = APIRouter(prefix="/tags", tags=["Tags"], route_class=GuardedRoute)

_HEX = re.compile(r"^#?([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$", re.IGNORECASE)


def _color(value: str) -> str:
    """A hex colour, stored with its `#` as Immich stores it."""
    if not _HEX.match(value):
        raise ValueError("color must be a hexadecimal color")
    return value if value.startswith("#") else f"#{value}"


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


Color = Annotated[str, AfterValidator(_color)]
TagName = Annotated[Name, AfterValidator(_not_blank)]
TagPath = Annotated[str, Field(max_length=MAX_VALUE), AfterValidator(_not_blank)]


class TagCreateDto(Model):
    name: TagName
    color: NotNull[Color] = None
    parent_id: Uuid | None = None


class TagUpdateDto(Model):
    color: str | None = None


class TagUpsertDto(Model):
    tags: Annotated[list[TagPath], Field(max_length=MAX_IDS)]


class TagBulkAssetsDto(Model):
    tag_ids: IdList
    asset_ids: IdList


class BulkIdsDto(Model):
    ids: IdList


@router.get("")
async def get_all_tags(auth: Annotated[AuthContext, Perm("tag.read")], svc: Svc) -> list[dict[str, Any]]:
    return await svc.tags.all(auth)


@router.post("", status_code=201)
async def create_tag(
    body: TagCreateDto, auth: Annotated[AuthContext, Perm("tag.create")], svc: Svc
) -> dict[str, Any]:
    return await svc.tags.create(auth, body.name, body.color, body.parent_id)


@router.put("")
async def upsert_tags(
    body: TagUpsertDto, auth: Annotated[AuthContext, Perm("tag.create")], svc: Svc
) -> list[dict[str, Any]]:
    return await svc.tags.upsert(auth, body.tags)


@router.put("/assets")
async def bulk_tag_assets(
    body: TagBulkAssetsDto, auth: Annotated[AuthContext, Perm("tag.asset")], svc: Svc
) -> dict[str, int]:
    return {"count": await svc.tags.bulk_tag(auth, body.tag_ids, body.asset_ids)}


@router.get("/{id}")
async def get_tag(id: Uuid, auth: Annotated[AuthContext, Perm("tag.read")], svc: Svc) -> dict[str, Any]:
    return await svc.tags.get(auth, id)


@router.put("/{id}")
async def update_tag(
    id: Uuid, body: TagUpdateDto, auth: Annotated[AuthContext, Perm("tag.update")], svc: Svc
) -> dict[str, Any]:
    color: str | None = UNSET
    if "color" in body.model_fields_set:
        # An empty string clears the colour, like null.
        try:
            color = _color(body.color) if body.color else None
        except ValueError as exc:
            raise BadRequest([str(exc)]) from exc
    return await svc.tags.update(auth, id, color)


@router.delete("/{id}", status_code=204)
async def delete_tag(id: Uuid, auth: Annotated[AuthContext, Perm("tag.delete")], svc: Svc) -> Response:
    await svc.tags.delete(auth, id)
    return Response(status_code=204)


@router.put("/{id}/assets")
async def tag_assets(
    id: Uuid, body: BulkIdsDto, auth: Annotated[AuthContext, Perm("tag.asset")], svc: Svc
) -> list[dict[str, Any]]:
    return await svc.tags.tag_assets(auth, id, body.ids)


@router.delete("/{id}/assets")
async def untag_assets(
    id: Uuid, body: BulkIdsDto, auth: Annotated[AuthContext, Perm("tag.asset")], svc: Svc
) -> list[dict[str, Any]]:
    return await svc.tags.untag_assets(auth, id, body.ids)
