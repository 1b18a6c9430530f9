"""Routes: /api/system-config, the server-wide settings of Immich's admin screens (admins only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from filmroll.api.deps import Perm, Svc
from filmroll.api.routing import GuardedRoute
from filmroll.services.auth import AuthContext
from filmroll.services.system_config import defaults

router = APIRouter(prefix="/system-config", tags=["System config"], route_class=GuardedRoute)


@router.get("")
async def get_config(
    _auth: Annotated[AuthContext, Perm("systemConfig.read", admin=True)], svc: Svc
) -> dict[str, Any]:
    return await svc.system_config.get()


@router.put("")
async def update_config(
    _auth: Annotated[AuthContext, Perm("systemConfig.update", admin=True)],
    svc: Svc,
    body: Annotated[Any, Body()],
) -> dict[str, Any]:
    """The body is validated against Immich's `SystemConfigDto` by the service, so every
    problem comes back at once in class-validator's wording."""
    return await svc.system_config.update(body)


@router.get("/defaults")
async def get_config_defaults(
    _auth: Annotated[AuthContext, Perm("systemConfig.read", admin=True)],
) -> dict[str, Any]:
    return defaults()
