"""Routes: /api/search (metadata, random, statistics, suggestions, places, explore, smart)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BeforeValidator, Field

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import IdList, Model, NotNull, Timestamp
from filmroll.api.routing import GuardedRoute
from filmroll.api.uuids import Uuid
from filmroll.repositories.search import Query as SearchQuery
from filmroll.services.auth import AuthContext
from filmroll.services.search import checksum_bytes
from filmroll.timefmt import to_naive_utc

router = APIRouter(prefix="/search", tags=["Search"], route_class=GuardedRoute)

AssetType = Literal["IMAGE", "VIDEO", "AUDIO", "OTHER"]
Visibility = Literal["archive", "timeline", "hidden", "locked"]
SuggestionType = Literal["country", "state", "city", "camera-make", "camera-model", "camera-lens-model"]
MAX_PAGE = 1_000_000
"""Highest page number: deeper pages would skip more rows than any library holds."""


def _whole(value: Any) -> Any:
    """JSON numbers that are whole (`2` or `2.0`) as ints; anything else is left to fail."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Whole = Annotated[int, BeforeValidator(_whole)]
Page = Annotated[Whole, Field(ge=1, le=MAX_PAGE)]
Size = Annotated[Whole, Field(ge=1, le=1000)]
Rating = Annotated[Whole, Field(ge=-1, le=5)]
Text = Annotated[str, Field(max_length=2000)]

_DATES = {
    "created": "created_at",
    "updated": "updated_at",
    "trashed": "deleted_at",
    "taken": "file_created_at",
}
_NULLABLE_EXIF = {
    "city": "city",
    "state": "state",
    "country": "country",
    "model": "model",
    "lens_model": "lens_model",
    "rating": "rating",
}


class BaseSearchDto(Model):
    """Filters every search body shares (Immich's BaseSearchDto)."""

    library_id: Uuid | None = None
    type: NotNull[AssetType] = None
    is_encoded: NotNull[bool] = None
    is_favorite: NotNull[bool] = None
    is_motion: NotNull[bool] = None
    is_offline: NotNull[bool] = None
    visibility: NotNull[Visibility] = None
    created_before: NotNull[Timestamp] = None
    created_after: NotNull[Timestamp] = None
    updated_before: NotNull[Timestamp] = None
    updated_after: NotNull[Timestamp] = None
    trashed_before: NotNull[Timestamp] = None
    trashed_after: NotNull[Timestamp] = None
    taken_before: NotNull[Timestamp] = None
    taken_after: NotNull[Timestamp] = None
    city: Text | None = None
    state: Text | None = None
    country: Text | None = None
    make: NotNull[Text] = None
    model: Text | None = None
    lens_model: Text | None = None
    is_not_in_album: NotNull[bool] = None
    person_ids: NotNull[IdList] = None
    tag_ids: IdList | None = None
    album_ids: NotNull[IdList] = None
    rating: Rating | None = None
    ocr: NotNull[Text] = None
    device_id: NotNull[Text] = None
    description: NotNull[Text] = None

    def query(self) -> SearchQuery:
        after: dict[str, Any] = {}
        before: dict[str, Any] = {}
        for prefix, column in _DATES.items():
            if (value := getattr(self, f"{prefix}_after")) is not None:
                after[column] = to_naive_utc(value)
            if (value := getattr(self, f"{prefix}_before")) is not None:
                before[column] = to_naive_utc(value)
        exif = {col: getattr(self, f) for f, col in _NULLABLE_EXIF.items() if f in self.model_fields_set}
        if self.make is not None:
            exif["make"] = self.make
        equals: dict[str, Any] = {}
        if self.type is not None:
            equals["type"] = self.type
        if self.library_id is not None:
            equals["library_id"] = self.library_id
        if self.device_id:
            equals["device_id"] = self.device_id
        tag_trees = (
            None
            if "tag_ids" in self.model_fields_set and self.tag_ids is None
            else [[t] for t in dict.fromkeys(self.tag_ids or [])]
        )
        return SearchQuery(
            exif=exif,
            asset_equals=equals,
            description=(self.description or "").strip() or None,
            after=after,
            before=before,
            visibility=self.visibility,
            is_favorite=self.is_favorite,
            is_offline=self.is_offline,
            is_motion=self.is_motion,
            is_encoded=self.is_encoded,
            is_not_in_album=self.is_not_in_album,
            album_ids=list(dict.fromkeys(self.album_ids or [])),
            tag_trees=tag_trees,
            no_match=bool(self.person_ids) or bool(self.ocr),
        )


class StatisticsSearchDto(BaseSearchDto):
    pass


class RandomSearchDto(BaseSearchDto):
    with_deleted: NotNull[bool] = None
    with_exif: NotNull[bool] = None
    with_stacked: NotNull[bool] = None
    with_people: NotNull[bool] = None
    size: NotNull[Size] = None

    def query(self) -> SearchQuery:
        base = super().query()
        return replace(
            base,
            with_deleted=bool(self.with_deleted),
            with_exif=bool(self.with_exif),
            with_stacked=self.with_stacked,
        )


class MetadataSearchDto(RandomSearchDto):
    id: NotNull[Uuid] = None
    checksum: NotNull[Text] = None
    original_file_name: NotNull[Text] = None
    original_path: NotNull[Text] = None
    preview_path: NotNull[Text] = None
    thumbnail_path: NotNull[Text] = None
    encoded_video_path: NotNull[Text] = None
    device_asset_id: NotNull[Text] = None
    order: NotNull[Literal["asc", "desc"]] = None
    page: NotNull[Page] = None

    def query(self) -> SearchQuery:
        base = super().query()
        equals = dict(base.asset_equals)
        no_match = base.no_match or bool(self.encoded_video_path)
        if self.id is not None:
            equals["id"] = self.id
        if self.device_asset_id:
            equals["device_asset_id"] = self.device_asset_id
        if self.checksum:
            raw = checksum_bytes(self.checksum)
            no_match = no_match or raw is None
            equals["checksum"] = raw or b""
        for name, column in (("preview_path", "preview_path"), ("thumbnail_path", "thumbnail_path")):
            if value := getattr(self, name):
                equals[column] = value
        contains = {
            column: text
            for column, text in (
                ("original_file_name", (self.original_file_name or "").strip()),
                ("original_path", self.original_path or ""),
            )
            if text
        }
        return replace(base, asset_equals=equals, contains=contains, no_match=no_match)


class SmartSearchDto(RandomSearchDto):
    query_text: NotNull[Text] = Field(default=None, alias="query")
    query_asset_id: NotNull[Uuid] = None
    language: NotNull[Text] = None
    page: NotNull[Page] = None


@router.post("/metadata")
async def search_assets(
    body: MetadataSearchDto, auth: Annotated[AuthContext, Perm("asset.read")], svc: Svc
) -> dict[str, Any]:
    return await svc.search.metadata(
        auth, body.query(), page=body.page or 1, size=body.size or 250, order=body.order or "desc"
    )


@router.post("/random")
async def search_random(
    body: RandomSearchDto, auth: Annotated[AuthContext, Perm("asset.read")], svc: Svc
) -> list[dict[str, Any]]:
    return await svc.search.random(auth, body.query(), body.size or 250)


@router.post("/statistics")
async def search_statistics(
    body: StatisticsSearchDto, auth: Annotated[AuthContext, Perm("asset.statistics")], svc: Svc
) -> dict[str, int]:
    return await svc.search.statistics(auth, body.query())


@router.post("/smart")
async def search_smart(
    body: SmartSearchDto, auth: Annotated[AuthContext, Perm("asset.read")], svc: Svc
) -> dict[str, Any]:
    return await svc.search.smart(auth, body.visibility)


@router.get("/suggestions")
async def search_suggestions(
    auth: Annotated[AuthContext, Perm("asset.read")],
    svc: Svc,
    type: SuggestionType,
    country: str | None = None,
    state: str | None = None,
    make: str | None = None,
    model: str | None = None,
    lens_model: Annotated[str | None, Query(alias="lensModel")] = None,
    include_null: Annotated[bool | None, Query(alias="includeNull")] = None,
) -> list[str]:
    del include_null  # accepted as Immich does; see `SearchService.suggestions`
    narrow = {"country": country, "state": state, "make": make, "model": model, "lens_model": lens_model}
    return await svc.search.suggestions(auth, type, narrow)


@router.get("/cities")
async def search_cities(auth: Annotated[AuthContext, Perm("asset.read")], svc: Svc) -> list[dict[str, Any]]:
    return await svc.search.cities(auth)


@router.get("/explore")
async def search_explore(auth: Annotated[AuthContext, Perm("asset.read")], svc: Svc) -> list[dict[str, Any]]:
    return await svc.search.explore(auth)
