"""Routes: /api/users (self-service) and /api/admin/users (administration)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import (
    AvatarColor,
    Email,
    Model,
    Name,
    NotNull,
    UserAdminResponse,
    UserResponse,
    user_admin_response,
    user_response,
)
from filmroll.api.preferences_dto import (
    OnboardingDto,
    OnboardingResponseDto,
    UserPreferencesResponseDto,
    UserPreferencesUpdateDto,
)
from filmroll.api.routing import GuardedRoute
from filmroll.services.auth import AuthContext

router = APIRouter(tags=["Users"], route_class=GuardedRoute)


class UserUpdateMeDto(Model):
    name: NotNull[Name] = None
    email: NotNull[Email] = None
    password: NotNull[str] = None
    avatar_color: AvatarColor | None = None


class UserAdminCreateDto(Model):
    email: Email
    name: Name
    password: str
    avatar_color: AvatarColor | None = None
    is_admin: NotNull[bool] = None
    should_change_password: NotNull[bool] = None
    storage_label: Name | None = None
    quota_size_in_bytes: int | None = None
    notify: NotNull[bool] = None


class UserAdminUpdateDto(Model):
    email: NotNull[Email] = None
    name: NotNull[Name] = None
    password: NotNull[str] = None
    avatar_color: AvatarColor | None = None
    is_admin: NotNull[bool] = None
    should_change_password: NotNull[bool] = None
    storage_label: Name | None = None
    quota_size_in_bytes: int | None = None


class UserAdminDeleteDto(Model):
    force: bool = False


def _given(model: Model) -> dict[str, Any]:
    return model.model_dump(by_alias=True, exclude_unset=True)


@router.get("/users/me", response_model=UserAdminResponse)
async def get_me(auth: Annotated[AuthContext, Perm("user.read")], svc: Svc) -> dict[str, Any]:
    return user_admin_response(await svc.users.get(auth.user_id))


@router.put("/users/me", response_model=UserAdminResponse)
async def update_me(
    body: UserUpdateMeDto, auth: Annotated[AuthContext, Perm("user.update")], svc: Svc
) -> dict[str, Any]:
    return user_admin_response(await svc.users.update(auth.user_id, _given(body), by_admin=False))


@router.get("/users/me/preferences", response_model=UserPreferencesResponseDto)
async def get_my_preferences(
    auth: Annotated[AuthContext, Perm("userPreference.read")], svc: Svc
) -> dict[str, Any]:
    return await svc.preferences.get(auth.user_id)


@router.put("/users/me/preferences", response_model=UserPreferencesResponseDto)
async def update_my_preferences(
    body: UserPreferencesUpdateDto, auth: Annotated[AuthContext, Perm("userPreference.update")], svc: Svc
) -> dict[str, Any]:
    return await svc.preferences.update(auth.user_id, body.patch())


@router.get("/users/me/onboarding", response_model=OnboardingResponseDto)
async def get_my_onboarding(
    auth: Annotated[AuthContext, Perm("userOnboarding.read")], svc: Svc
) -> dict[str, Any]:
    return {"isOnboarded": await svc.onboarding.get(auth.user_id)}


@router.put("/users/me/onboarding", response_model=OnboardingResponseDto)
async def set_my_onboarding(
    body: OnboardingDto, auth: Annotated[AuthContext, Perm("userOnboarding.update")], svc: Svc
) -> dict[str, Any]:
    return {"isOnboarded": await svc.onboarding.set(auth.user_id, body.is_onboarded)}


@router.delete("/users/me/onboarding", status_code=204)
async def delete_my_onboarding(auth: Annotated[AuthContext, Perm("userOnboarding.delete")], svc: Svc) -> None:
    await svc.onboarding.reset(auth.user_id)


@router.get("/users", response_model=list[UserResponse])
async def list_users(_auth: Annotated[AuthContext, Perm("user.read")], svc: Svc) -> list[dict[str, Any]]:
    return [user_response(r) for r in await svc.users.list()]


@router.get("/users/{id}", response_model=UserResponse)
async def get_user(
    id: uuid.UUID, _auth: Annotated[AuthContext, Perm("user.read")], svc: Svc
) -> dict[str, Any]:
    return user_response(await svc.users.get(id))


@router.get("/admin/users", response_model=list[UserAdminResponse])
async def admin_list(
    _auth: Annotated[AuthContext, Perm("adminUser.read", admin=True)], svc: Svc, withDeleted: bool = False
) -> list[dict[str, Any]]:
    return [user_admin_response(r) for r in await svc.users.list(with_deleted=withDeleted)]


@router.post("/admin/users", status_code=201, response_model=UserAdminResponse)
async def admin_create(
    body: UserAdminCreateDto, _auth: Annotated[AuthContext, Perm("adminUser.create", admin=True)], svc: Svc
) -> dict[str, Any]:
    return user_admin_response(await svc.users.create(_given(body)))


@router.get("/admin/users/{id}", response_model=UserAdminResponse)
async def admin_get(
    id: uuid.UUID, _auth: Annotated[AuthContext, Perm("adminUser.read", admin=True)], svc: Svc
) -> dict[str, Any]:
    return user_admin_response(await svc.users.get_any(id))


@router.put("/admin/users/{id}", response_model=UserAdminResponse)
async def admin_update(
    id: uuid.UUID,
    body: UserAdminUpdateDto,
    _auth: Annotated[AuthContext, Perm("adminUser.update", admin=True)],
    svc: Svc,
) -> dict[str, Any]:
    return user_admin_response(await svc.users.update(id, _given(body), by_admin=True))


@router.get("/admin/users/{id}/preferences", response_model=UserPreferencesResponseDto)
async def admin_get_preferences(
    id: uuid.UUID, _auth: Annotated[AuthContext, Perm("adminUser.read", admin=True)], svc: Svc
) -> dict[str, Any]:
    return await svc.preferences.admin_get(id)


@router.put("/admin/users/{id}/preferences", response_model=UserPreferencesResponseDto)
async def admin_update_preferences(
    id: uuid.UUID,
    body: UserPreferencesUpdateDto,
    _auth: Annotated[AuthContext, Perm("adminUser.update", admin=True)],
    svc: Svc,
) -> dict[str, Any]:
    return await svc.preferences.admin_update(id, body.patch())


@router.delete("/admin/users/{id}", response_model=UserAdminResponse)
async def admin_delete(
    id: uuid.UUID,
    auth: Annotated[AuthContext, Perm("adminUser.delete", admin=True)],
    svc: Svc,
    body: UserAdminDeleteDto | None = None,
) -> dict[str, Any]:
    return user_admin_response(await svc.users.delete(auth, id, force=bool(body and body.force)))


@router.post("/admin/users/{id}/restore", response_model=UserAdminResponse)
async def admin_restore(
    id: uuid.UUID, _auth: Annotated[AuthContext, Perm("adminUser.delete", admin=True)], svc: Svc
) -> dict[str, Any]:
    return user_admin_response(await svc.users.restore(id))
