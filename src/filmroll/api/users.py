"""Routes: /api/users (self-service) and /api/admin/users (administration)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, Response, UploadFile

from filmroll.api.auth import AdminPinCode
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
from filmroll.api.files import serve
from filmroll.api.preferences_dto import (
    OnboardingDto,
    OnboardingResponseDto,
    UserPreferencesResponseDto,
    UserPreferencesUpdateDto,
)
from filmroll.api.routing import GuardedRoute
from filmroll.services.auth import AuthContext
from filmroll.services.directory import PROFILE_CONTENT_TYPE
from filmroll.timefmt import iso

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
    pin_code: AdminPinCode = None


class CreateProfileImageResponseDto(Model):
    user_id: str
    profile_image_path: str
    profile_changed_at: str


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
async def list_users(auth: Annotated[AuthContext, Perm("user.read")], svc: Svc) -> list[dict[str, Any]]:
    return [user_response(r) for r in await svc.directory.search(auth.user_id)]


@router.post("/users/profile-image", status_code=201, response_model=CreateProfileImageResponseDto)
async def create_profile_image(
    file: Annotated[UploadFile, File(description="JPEG, PNG, WebP or HEIC image")],
    auth: Annotated[AuthContext, Perm("userProfileImage.update")],
    svc: Svc,
) -> dict[str, Any]:
    row = await svc.directory.set_profile_image(auth.user_id, file.file)
    return {
        "userId": str(row.id),
        "profileImagePath": row.profile_image_path,
        "profileChangedAt": iso(row.profile_changed_at),
    }


@router.delete("/users/profile-image", status_code=204)
async def delete_profile_image(
    auth: Annotated[AuthContext, Perm("userProfileImage.delete")], svc: Svc
) -> None:
    await svc.directory.delete_profile_image(auth.user_id)


@router.get("/users/{id}", response_model=UserResponse)
async def get_user(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("user.read")], svc: Svc
) -> dict[str, Any]:
    return user_response(await svc.directory.get(auth.user_id, id))


@router.get(
    "/users/{id}/profile-image",
    response_class=Response,
    responses={200: {"content": {PROFILE_CONTENT_TYPE: {}}}},
)
async def get_profile_image(
    id: uuid.UUID, request: Request, auth: Annotated[AuthContext, Perm("userProfileImage.read")], svc: Svc
) -> Response:
    key = await svc.directory.profile_image_key(auth.user_id, id)
    return await serve(request, svc.storage, key, PROFILE_CONTENT_TYPE, cache="private, no-cache")


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
