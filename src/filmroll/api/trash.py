"""Routes: /api/trash (restore and empty; Immich answers `{count}`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from filmroll.api.assets import BulkIds
from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import Model
from filmroll.api.routing import GuardedRoute
from filmroll.services.auth import AuthContext

router = APIRouter(prefix="/trash", tags=["Trash"], route_class=GuardedRoute)


class TrashResponseDto(Model):
    count: int


@router.post("/restore", response_model=TrashResponseDto)
async def restore_trash(auth: Annotated[AuthContext, Perm("asset.delete")], svc: Svc) -> dict[str, int]:
    return {"count": await svc.assets.restore(auth, None)}


@router.post("/restore/assets", response_model=TrashResponseDto)
async def restore_assets(
    body: BulkIds, auth: Annotated[AuthContext, Perm("asset.delete")], svc: Svc
) -> dict[str, int]:
    return {"count": await svc.assets.restore(auth, body.ids)}


@router.post("/empty", response_model=TrashResponseDto)
async def empty_trash(auth: Annotated[AuthContext, Perm("asset.delete")], svc: Svc) -> dict[str, int]:
    return {"count": await svc.assets.empty_trash(auth)}
