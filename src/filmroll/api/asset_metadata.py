"""Routes: /api/assets/{id}/metadata and the bulk /api/assets/metadata, as Immich's asset controller.

The router is mounted before the asset routes so `PUT/DELETE /assets/metadata` are not taken
for `PUT/DELETE /assets/{id}`.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import Field, field_validator

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import MAX_IDS, Model
from filmroll.api.routing import GuardedRoute
from filmroll.api.uuids import Uuid
from filmroll.services.asset_metadata import MAX_ITEMS, MAX_KEY, check_key, value_problem
from filmroll.services.auth import AuthContext
from filmroll.timefmt import iso

router = APIRouter(prefix="/assets", tags=["Assets"], route_class=GuardedRoute)

Key = Annotated[str, Field(min_length=1, max_length=MAX_KEY)]


class _Valued(Model):
    key: Key
    value: dict[str, Any]

    @field_validator("value")
    @classmethod
    def _value(cls, value: dict[str, Any]) -> dict[str, Any]:
        if (problem := value_problem(value)) is not None:
            raise ValueError(problem)
        return value


class AssetMetadataUpsertItemDto(_Valued):
    pass


class AssetMetadataUpsertDto(Model):
    items: Annotated[list[AssetMetadataUpsertItemDto], Field(max_length=MAX_ITEMS)]


class AssetMetadataBulkUpsertItemDto(_Valued):
    asset_id: Uuid


class AssetMetadataBulkUpsertDto(Model):
    items: Annotated[list[AssetMetadataBulkUpsertItemDto], Field(max_length=MAX_IDS)]


class AssetMetadataBulkDeleteItemDto(Model):
    asset_id: Uuid
    key: Key


class AssetMetadataBulkDeleteDto(Model):
    items: Annotated[list[AssetMetadataBulkDeleteItemDto], Field(max_length=MAX_IDS)]


PathKey = Annotated[str, Path(min_length=1, max_length=MAX_KEY)]


def item_response(row: Any) -> dict[str, Any]:
    return {"key": row.key, "value": row.value, "updatedAt": iso(row.updated_at)}


def bulk_item_response(row: Any) -> dict[str, Any]:
    return {"assetId": str(row.asset_id), **item_response(row)}


@router.put("/metadata")
async def update_bulk_asset_metadata(
    body: AssetMetadataBulkUpsertDto, auth: Annotated[AuthContext, Perm("asset.update")], svc: Svc
) -> list[dict[str, Any]]:
    items = [(i.asset_id, i.key, i.value) for i in body.items]
    return [bulk_item_response(r) for r in await svc.asset_metadata.upsert_bulk(auth, items)]


@router.delete("/metadata", status_code=204)
async def delete_bulk_asset_metadata(
    body: AssetMetadataBulkDeleteDto, auth: Annotated[AuthContext, Perm("asset.update")], svc: Svc
) -> Response:
    await svc.asset_metadata.delete_bulk(auth, [(i.asset_id, i.key) for i in body.items])
    return Response(status_code=204)


@router.get("/{id}/metadata")
async def get_asset_metadata(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("asset.read")], svc: Svc
) -> list[dict[str, Any]]:
    return [item_response(r) for r in await svc.asset_metadata.list_items(auth, id)]


@router.put("/{id}/metadata")
async def update_asset_metadata(
    id: uuid.UUID, body: AssetMetadataUpsertDto, auth: Annotated[AuthContext, Perm("asset.update")], svc: Svc
) -> list[dict[str, Any]]:
    rows = await svc.asset_metadata.upsert(auth, id, [(i.key, i.value) for i in body.items])
    return [item_response(r) for r in rows]


@router.get("/{id}/metadata/{key}")
async def get_asset_metadata_by_key(
    id: uuid.UUID, key: PathKey, auth: Annotated[AuthContext, Perm("asset.read")], svc: Svc
) -> dict[str, Any]:
    return item_response(await svc.asset_metadata.get(auth, id, check_key(key)))


@router.delete("/{id}/metadata/{key}", status_code=204)
async def delete_asset_metadata(
    id: uuid.UUID, key: PathKey, auth: Annotated[AuthContext, Perm("asset.update")], svc: Svc
) -> Response:
    await svc.asset_metadata.delete(auth, id, check_key(key))
    return Response(status_code=204)
