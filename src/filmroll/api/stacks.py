"""Routes: /api/stacks."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Response

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import IdList, Model, NotNull
from filmroll.api.routing import GuardedRoute
from filmroll.api.uuids import Uuid
from filmroll.mappers.asset import asset_response
from filmroll.services.auth import AuthContext
from filmroll.services.stacks import StackView

router = APIRouter(prefix="/stacks", tags=["Stacks"], route_class=GuardedRoute)


class StackCreateDto(Model):
    asset_ids: IdList


class StackUpdateDto(Model):
    primary_asset_id: NotNull[Uuid] = None


class BulkIdsDto(Model):
    ids: IdList


def stack_response(view: StackView, viewer_id: uuid.UUID) -> dict[str, Any]:
    return {
        "id": str(view.stack.id),
        "primaryAssetId": str(view.stack.primary_asset_id),
        "assets": [asset_response(dict(a._mapping), viewer_id) for a in view.assets],
    }


@router.post("", status_code=201)
async def create_stack(
    body: StackCreateDto, auth: Annotated[AuthContext, Perm("stack.create")], svc: Svc
) -> dict[str, Any]:
    return stack_response(await svc.stacks.create(auth, body.asset_ids), auth.user_id)


@router.get("")
async def search_stacks(
    auth: Annotated[AuthContext, Perm("stack.read")],
    svc: Svc,
    primaryAssetId: Uuid | None = None,
) -> list[dict[str, Any]]:
    return [stack_response(v, auth.user_id) for v in await svc.stacks.search(auth, primaryAssetId)]


@router.delete("", status_code=204)
async def delete_stacks(
    body: BulkIdsDto, auth: Annotated[AuthContext, Perm("stack.delete")], svc: Svc
) -> Response:
    await svc.stacks.delete(auth, body.ids)
    return Response(status_code=204)


@router.get("/{id}")
async def get_stack(id: Uuid, auth: Annotated[AuthContext, Perm("stack.read")], svc: Svc) -> dict[str, Any]:
    return stack_response(await svc.stacks.get(auth, id), auth.user_id)


@router.put("/{id}")
async def update_stack(
    id: Uuid, body: StackUpdateDto, auth: Annotated[AuthContext, Perm("stack.update")], svc: Svc
) -> dict[str, Any]:
    return stack_response(await svc.stacks.update(auth, id, body.primary_asset_id), auth.user_id)


@router.delete("/{id}", status_code=204)
async def delete_stack(id: Uuid, auth: Annotated[AuthContext, Perm("stack.delete")], svc: Svc) -> Response:
    await svc.stacks.delete(auth, [id])
    return Response(status_code=204)
