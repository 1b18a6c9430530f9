"""Routes: /api/auth (sign-up, login, logout, token validation, password change, PIN code and
locked-folder unlock)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from filmroll.api.deps import Auth, Perm, Svc
from filmroll.api.dto import Email, Model, Name, NotNull, UserAdminResponse, user_admin_response
from filmroll.api.routing import GuardedRoute
from filmroll.services.auth import AuthContext
from filmroll.timefmt import iso

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


_PIN = re.compile(r"[0-9]{6}")


def _pin_code(value: str) -> str:
    if not _PIN.fullmatch(value):
        raise PydanticCustomError("pin_code", "must be a 6-digit numeric string")
    return value


PinCode = Annotated[str, AfterValidator(_pin_code)]
"""Six digits, as Immich accepts (its schema's "4-6 digits" is not what it enforces)."""


def _admin_pin_code(value: str | None) -> str | None:
    return _pin_code(value) if value else None


AdminPinCode = Annotated[str | None, AfterValidator(_admin_pin_code)]
"""An admin's PIN for a user: six digits, or null or "" to remove the PIN."""


class PinCodeSetupDto(Model):
    pin_code: PinCode


class PinCodeResetDto(Model):
    pin_code: NotNull[PinCode] = None
    password: NotNull[str] = None


class SessionUnlockDto(PinCodeResetDto):
    pass


class PinCodeChangeDto(PinCodeResetDto):
    new_pin_code: PinCode


class AuthStatusResponseDto(Model):
    pin_code: bool
    password: bool
    is_elevated: bool
    expires_at: str | None = None
    pin_expires_at: str | None = None


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


@router.get("/status", response_model=AuthStatusResponseDto, response_model_exclude_none=True)
async def get_auth_status(auth: Auth, svc: Svc) -> dict[str, Any]:
    status = await svc.locked.status(auth)
    return {
        "pinCode": status.pin_code,
        "password": status.password,
        "isElevated": status.is_elevated,
        "expiresAt": iso(status.expires_at),
        "pinExpiresAt": iso(status.pin_expires_at),
    }


@router.post("/pin-code", status_code=204)
async def setup_pin_code(
    body: PinCodeSetupDto, auth: Annotated[AuthContext, Perm("pinCode.create")], svc: Svc
) -> None:
    await svc.locked.setup(auth, body.pin_code)


@router.put("/pin-code", status_code=204)
async def change_pin_code(
    body: PinCodeChangeDto, auth: Annotated[AuthContext, Perm("pinCode.update")], svc: Svc
) -> None:
    await svc.locked.change(auth, body.new_pin_code, pin_code=body.pin_code, password=body.password)


@router.delete("/pin-code", status_code=204)
async def reset_pin_code(
    body: PinCodeResetDto, auth: Annotated[AuthContext, Perm("pinCode.delete")], svc: Svc
) -> None:
    await svc.locked.reset(auth, pin_code=body.pin_code, password=body.password)


@router.post("/session/unlock", status_code=204)
async def unlock_auth_session(body: SessionUnlockDto, auth: Auth, svc: Svc) -> None:
    await svc.locked.unlock(auth, body.pin_code)


@router.post("/session/lock", status_code=204)
async def lock_auth_session(auth: Auth, svc: Svc) -> None:
    await svc.locked.lock(auth)
