"""Routes: /api/albums (Immich's album endpoints and AlbumResponseDto)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import Field

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import MAX_IDS, Description, IdList, Model, Name, NotNull, user_response
from filmroll.api.routing import GuardedRoute
from filmroll.api.uuids import Uuid
from filmroll.errors import BadRequest
from filmroll.mappers.asset import asset_response
from filmroll.services.albums import AlbumView
from filmroll.services.auth import AuthContext
from filmroll.timefmt import iso

router = APIRouter(prefix="/albums", tags=["Albums"], route_class=GuardedRoute)

Role = Literal["editor", "viewer"]


class AlbumUserCreateDto(Model):
    user_id: Uuid
    role: Role = "editor"


class CreateAlbumDto(Model):
    album_name: Name
    description: NotNull[Description] = None
    album_users: NotNull[Annotated[list[AlbumUserCreateDto], Field(max_length=MAX_IDS)]] = None
    asset_ids: NotNull[IdList] = None


class UpdateAlbumDto(Model):
    album_name: NotNull[Name] = None
    description: NotNull[Description] = None
    album_thumbnail_asset_id: NotNull[Uuid] = None
    is_activity_enabled: NotNull[bool] = None
    order: NotNull[Literal["asc", "desc"]] = None


class BulkIdsDto(Model):
    ids: IdList


class AddUsersDto(Model):
    album_users: Annotated[list[AlbumUserCreateDto], Field(max_length=MAX_IDS)]


class UpdateAlbumUserDto(Model):
    role: Role


def album_response(view: AlbumView, viewer_id: uuid.UUID) -> dict[str, Any]:
    album, stats = view.album, view.stats
    body: dict[str, Any] = {
        "id": str(album.id),
        "ownerId": str(album.owner_id),
        "owner": user_response(view.owner),
        "albumName": album.name,
        "description": album.description,
        "albumThumbnailAssetId": str(album.thumbnail_asset_id) if album.thumbnail_asset_id else None,
        "createdAt": iso(album.created_at),
        "updatedAt": iso(album.updated_at),
        "albumUsers": [{"user": user_response(user), "role": link.role} for link, user in view.members],
        # As Immich: an album with a shared link is shared, even without members.
        "shared": bool(view.members) or view.has_shared_link,
        "hasSharedLink": view.has_shared_link,
        "assets": [asset_response(dict(a._mapping), viewer_id) for a in view.assets],
        "assetCount": int(stats.asset_count) if stats is not None else 0,
        "isActivityEnabled": bool(album.is_activity_enabled),
        "order": album.order,
    }
    if stats is not None:
        body["startDate"] = iso(stats.start)
        body["endDate"] = iso(stats.end)
        body["lastModifiedAssetTimestamp"] = iso(stats.last_modified)
    return body


def _members(users: list[AlbumUserCreateDto] | None) -> list[tuple[uuid.UUID, str]]:
    return [(u.user_id, u.role) for u in users or []]


@router.get("")
async def list_albums(
    auth: Annotated[AuthContext, Perm("album.read")],
    svc: Svc,
    shared: bool | None = None,
    assetId: Uuid | None = None,
) -> list[dict[str, Any]]:
    return [album_response(v, auth.user_id) for v in await svc.albums.search(auth, shared, assetId)]


@router.post("", status_code=201)
async def create_album(
    body: CreateAlbumDto, auth: Annotated[AuthContext, Perm("album.create")], svc: Svc
) -> dict[str, Any]:
    fields = {"name": body.album_name, "description": body.description or ""}
    view = await svc.albums.create(auth, fields, _members(body.album_users), body.asset_ids or [])
    return album_response(view, auth.user_id)


@router.get("/{id}")
async def get_album(
    id: Uuid,
    auth: Annotated[AuthContext, Perm("album.read")],
    svc: Svc,
    withoutAssets: bool = False,
) -> dict[str, Any]:
    return album_response(await svc.albums.get(auth, id, with_assets=not withoutAssets), auth.user_id)


@router.patch("/{id}")
async def update_album(
    id: Uuid, body: UpdateAlbumDto, auth: Annotated[AuthContext, Perm("album.update")], svc: Svc
) -> dict[str, Any]:
    names = {
        "album_name": "name",
        "description": "description",
        "album_thumbnail_asset_id": "thumbnail_asset_id",
        "is_activity_enabled": "is_activity_enabled",
        "order": "order",
    }
    values = {
        column: getattr(body, field) for field, column in names.items() if field in body.model_fields_set
    }
    if any(v is None for v in values.values()):
        raise BadRequest(["album fields must not be null"])
    return album_response(await svc.albums.update(auth, id, values), auth.user_id)


@router.delete("/{id}", status_code=204)
async def delete_album(id: Uuid, auth: Annotated[AuthContext, Perm("album.delete")], svc: Svc) -> Response:
    await svc.albums.delete(auth, id)
    return Response(status_code=204)


@router.put("/{id}/assets")
async def add_assets(
    id: Uuid, body: BulkIdsDto, auth: Annotated[AuthContext, Perm("albumAsset.create")], svc: Svc
) -> list[dict[str, Any]]:
    return await svc.albums.add_assets(auth, id, body.ids)


@router.delete("/{id}/assets")
async def remove_assets(
    id: Uuid, body: BulkIdsDto, auth: Annotated[AuthContext, Perm("albumAsset.delete")], svc: Svc
) -> list[dict[str, Any]]:
    return await svc.albums.remove_assets(auth, id, body.ids)


@router.put("/{id}/users")
async def add_users(
    id: Uuid, body: AddUsersDto, auth: Annotated[AuthContext, Perm("albumUser.create")], svc: Svc
) -> dict[str, Any]:
    if not body.album_users:
        raise BadRequest(["albumUsers must contain at least 1 elements"])
    return album_response(await svc.albums.add_users(auth, id, _members(body.album_users)), auth.user_id)


@router.put("/{id}/user/{userId}", status_code=204)
async def update_album_user(
    id: Uuid,
    userId: Uuid,
    body: UpdateAlbumUserDto,
    auth: Annotated[AuthContext, Perm("albumUser.update")],
    svc: Svc,
) -> Response:
    await svc.albums.set_role(auth, id, userId, body.role)
    return Response(status_code=204)


@router.delete("/{id}/user/{userId}", status_code=204)
async def remove_album_user(
    id: Uuid,
    userId: str,
    auth: Annotated[AuthContext, Perm("albumUser.delete")],
    svc: Svc,
) -> Response:
    if userId == "me":
        target = auth.user_id
    else:
        try:
            target = uuid.UUID(userId)
        except ValueError as exc:
            raise BadRequest(["userId must be a UUID"]) from exc
    await svc.albums.remove_user(auth, id, target)
    return Response(status_code=204)
