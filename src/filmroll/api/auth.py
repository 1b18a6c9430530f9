"""Routes: /api/auth (sign-up, login, logout, token validation, password change)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from filmroll.api.deps import Auth, Svc
from filmroll.api.dto import Email, Model, Name, UserAdminResponse, user_admin_response
from filmroll.api.routing import GuardedRoute

router = APIRouter(prefix="/auth", tags=["Authentication"], route_class=GuardedRoute)
_COOKIE_AGE = 400 * 24 * 3600


class SignUpDto(Model):
    email: Email
    name: Name
    password: str


class LoginCredentialDto(Model):
    email: Email
    password: str


class LoginResponseDto(Model):
    access_token: str
    user_id: str
    user_email: str
    name: str
    profile_image_path: str
    is_admin: bool
    should_change_password: bool
    is_onboarded: bool


class LogoutResponseDto(Model):
    successful: bool
    redirect_uri: str


class ValidateAccessTokenResponseDto(Model):
    auth_status: bool


class ChangePasswordDto(Model):
    password: str
    new_password: str
    invalidate_sessions: bool = False


@router.post("/admin-sign-up", status_code=201, response_model=UserAdminResponse)
async def admin_sign_up(body: SignUpDto, svc: Svc) -> dict[str, Any]:
    return user_admin_response(await svc.auth.admin_sign_up(body.email, body.name, body.password))


@router.post("/login", status_code=201, response_model=LoginResponseDto)
async def login(body: LoginCredentialDto, request: Request, response: Response, svc: Svc) -> dict[str, Any]:
    token, user = await svc.auth.login(body.email, body.password, request.headers.get("user-agent", ""))
    secure = request.url.scheme == "https"
    response.set_cookie(
        "immich_access_token", token, max_age=_COOKIE_AGE, httponly=True, samesite="lax", secure=secure
    )
    response.set_cookie(
        "immich_auth_type", "password", max_age=_COOKIE_AGE, httponly=True, samesite="lax", secure=secure
    )
    response.set_cookie("immich_is_authenticated", "true", max_age=_COOKIE_AGE, samesite="lax", secure=secure)
    return {
        "accessToken": token,
        "userId": str(user.id),
        "userEmail": user.email,
        "name": user.name,
        "profileImagePath": user.profile_image_path,
        "isAdmin": user.is_admin,
        "shouldChangePassword": user.should_change_password,
        "isOnboarded": await svc.onboarding.get(user.id),
    }


@router.post("/logout", response_model=LogoutResponseDto)
async def logout(auth: Auth, response: Response, svc: Svc) -> dict[str, Any]:
    await svc.auth.logout(auth)
    for name in ("immich_access_token", "immich_auth_type", "immich_is_authenticated"):
        response.delete_cookie(name)
    return {"successful": True, "redirectUri": "/auth/login?autoLaunch=0"}


@router.post("/validateToken", response_model=ValidateAccessTokenResponseDto)
async def validate_token(_auth: Auth) -> dict[str, Any]:
    return {"authStatus": True}


@router.post("/change-password", response_model=UserAdminResponse)
async def change_password(body: ChangePasswordDto, auth: Auth, svc: Svc) -> dict[str, Any]:
    row = await svc.auth.change_password(auth, body.password, body.new_password, body.invalidate_sessions)
    return user_admin_response(row)
