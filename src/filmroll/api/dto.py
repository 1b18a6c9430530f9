"""Shared DTO helpers: camelCase models and the user response shapes."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from filmroll.timefmt import iso

AvatarColor = Literal[
    "primary", "pink", "red", "yellow", "blue", "green", "purple", "orange", "gray", "amber"
]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("email must be an email")
    return value.lower()


Email = Annotated[str, AfterValidator(_email)]


class Model(BaseModel):
    """Immich-style DTO: camelCase names, unknown fields ignored, no type coercion (like class-validator)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", strict=True)


class UserResponse(Model):
    id: str
    name: str
    email: str
    avatar_color: AvatarColor
    profile_image_path: str
    profile_changed_at: str


class UserLicense(Model):
    activated_at: str
    activation_key: str
    license_key: str


class UserAdminResponse(UserResponse):
    storage_label: str | None
    should_change_password: bool
    is_admin: bool
    created_at: str
    deleted_at: str | None
    updated_at: str
    oauth_id: str
    quota_size_in_bytes: int | None
    quota_usage_in_bytes: int | None
    status: Literal["active", "removing", "deleted"]
    license: UserLicense | None


_COLORS: tuple[AvatarColor, ...] = (
    "primary",
    "pink",
    "red",
    "yellow",
    "blue",
    "green",
    "purple",
    "orange",
    "gray",
    "amber",
)


def avatar_color(row: Any) -> AvatarColor:
    """Stored colour, or Immich's default: a colour derived from the user id."""
    if row.avatar_color:
        return row.avatar_color  # type: ignore[no-any-return]
    return _COLORS[int(str(row.id).replace("-", ""), 16) % len(_COLORS)]


def user_response(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "email": row.email,
        "avatarColor": avatar_color(row),
        "profileImagePath": row.profile_image_path,
        "profileChangedAt": iso(row.profile_changed_at),
    }


def user_admin_response(row: Any) -> dict[str, Any]:
    return {
        **user_response(row),
        "storageLabel": row.storage_label,
        "shouldChangePassword": row.should_change_password,
        "isAdmin": row.is_admin,
        "createdAt": iso(row.created_at),
        "deletedAt": iso(row.deleted_at),
        "updatedAt": iso(row.updated_at),
        "oauthId": row.oauth_id,
        "quotaSizeInBytes": row.quota_size_in_bytes,
        "quotaUsageInBytes": row.quota_usage_in_bytes,
        "status": "deleted" if row.deleted_at else "active",
        "license": None,
    }
