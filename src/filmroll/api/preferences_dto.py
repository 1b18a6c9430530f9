"""Request and response shapes for user preferences and onboarding, named as in Immich's API.

Update fields may be absent but not null: Immich validates an explicit null and rejects it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from filmroll.api.dto import AvatarColor, Model

AssetOrder = Literal["asc", "desc"]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _optional() -> Any:
    """Absent is fine, null is a type error (the field's type does not admit None)."""
    return Field(default=None, json_schema_extra=_no_default)


def _iso_date(value: str) -> str:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError("must be a valid ISO 8601 date string") from None
    return value


IsoDate = Annotated[str, AfterValidator(_iso_date)]
Positive = Annotated[int, Field(ge=1)]


class AlbumsUpdate(Model):
    default_asset_order: AssetOrder = _optional()


class AvatarUpdate(Model):
    color: AvatarColor = _optional()


class CastUpdate(Model):
    g_cast_enabled: bool = _optional()


class DownloadUpdate(Model):
    archive_size: Positive = _optional()
    include_embedded_videos: bool = _optional()


class EmailNotificationsUpdate(Model):
    album_invite: bool = _optional()
    album_update: bool = _optional()
    enabled: bool = _optional()


class FoldersUpdate(Model):
    enabled: bool = _optional()
    sidebar_web: bool = _optional()


class MemoriesUpdate(Model):
    duration: Positive = _optional()
    enabled: bool = _optional()


class PeopleUpdate(Model):
    enabled: bool = _optional()
    sidebar_web: bool = _optional()


class PurchaseUpdate(Model):
    hide_buy_button_until: IsoDate = _optional()
    show_support_badge: bool = _optional()


class RatingsUpdate(Model):
    enabled: bool = _optional()


class SharedLinksUpdate(Model):
    enabled: bool = _optional()
    sidebar_web: bool = _optional()


class TagsUpdate(Model):
    enabled: bool = _optional()
    sidebar_web: bool = _optional()


class UserPreferencesUpdateDto(Model):
    """Every section and field optional; `avatar` is validated but not stored (colour lives on the user)."""

    albums: AlbumsUpdate = _optional()
    avatar: AvatarUpdate = _optional()
    cast: CastUpdate = _optional()
    download: DownloadUpdate = _optional()
    email_notifications: EmailNotificationsUpdate = _optional()
    folders: FoldersUpdate = _optional()
    memories: MemoriesUpdate = _optional()
    people: PeopleUpdate = _optional()
    purchase: PurchaseUpdate = _optional()
    ratings: RatingsUpdate = _optional()
    shared_links: SharedLinksUpdate = _optional()
    tags: TagsUpdate = _optional()

    def patch(self) -> dict[str, Any]:
        """Only what the client sent, with Immich's camelCase keys."""
        given = self.model_dump(by_alias=True, exclude_unset=True)
        given.pop("avatar", None)
        return given


class AlbumsResponse(Model):
    default_asset_order: AssetOrder


class CastResponse(Model):
    g_cast_enabled: bool


class DownloadResponse(Model):
    archive_size: int
    include_embedded_videos: bool


class EmailNotificationsResponse(Model):
    album_invite: bool
    album_update: bool
    enabled: bool


class FoldersResponse(Model):
    enabled: bool
    sidebar_web: bool


class MemoriesResponse(Model):
    duration: int
    enabled: bool


class PeopleResponse(Model):
    enabled: bool
    sidebar_web: bool


class PurchaseResponse(Model):
    hide_buy_button_until: str
    show_support_badge: bool


class RatingsResponse(Model):
    enabled: bool


class SharedLinksResponse(Model):
    enabled: bool
    sidebar_web: bool


class TagsResponse(Model):
    enabled: bool
    sidebar_web: bool


class UserPreferencesResponseDto(Model):
    albums: AlbumsResponse
    cast: CastResponse
    download: DownloadResponse
    email_notifications: EmailNotificationsResponse
    folders: FoldersResponse
    memories: MemoriesResponse
    people: PeopleResponse
    purchase: PurchaseResponse
    ratings: RatingsResponse
    shared_links: SharedLinksResponse
    tags: TagsResponse


class OnboardingDto(Model):
    is_onboarded: bool


class OnboardingResponseDto(Model):
    is_onboarded: bool
