"""Routes: /api/system-metadata (server-wide state an admin reads and sets)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Response

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import Model
from filmroll.api.routing import GuardedRoute
from filmroll.services.auth import AuthContext

router = APIRouter(prefix="/system-metadata", tags=["System metadata"], route_class=GuardedRoute)


class AdminOnboardingUpdateDto(Model):
    is_onboarded: bool


@router.get("/admin-onboarding", response_model=AdminOnboardingUpdateDto)
async def get_admin_onboarding(
    _auth: Annotated[AuthContext, Perm("systemMetadata.read", admin=True)], svc: Svc
) -> dict[str, Any]:
    return {"isOnboarded": await svc.system_metadata.admin_onboarding()}


@router.post("/admin-onboarding", status_code=204)
async def update_admin_onboarding(
    body: AdminOnboardingUpdateDto,
    _auth: Annotated[AuthContext, Perm("systemMetadata.update", admin=True)],
    svc: Svc,
) -> Response:
    await svc.system_metadata.set_admin_onboarding(body.is_onboarded)
    return Response(status_code=204)
