"""Routes: /api/memories, in the shapes of Immich's memory controller."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import IdList, Model, NotNull, Timestamp
from filmroll.api.routing import GuardedRoute
from filmroll.errors import BadRequest
from filmroll.mappers.asset import asset_response
from filmroll.repositories.memories import Search
from filmroll.services.auth import AuthContext
from filmroll.services.memories import BulkResult, MemoryView
from filmroll.timefmt import iso, to_naive_utc

router = APIRouter(prefix="/memories", tags=["Memories"], route_class=GuardedRoute)

MemoryType = Literal["on_this_day"]
MAX_YEAR = 9999


class OnThisDayDto(Model):
    year: Annotated[int, Field(ge=1, le=MAX_YEAR)]


class MemoryCreateDto(Model):
    type: MemoryType
    data: OnThisDayDto
    memory_at: Timestamp
    asset_ids: NotNull[IdList] = None
    is_saved: NotNull[bool] = None
    seen_at: NotNull[Timestamp] = None
    show_at: NotNull[Timestamp] = None
    hide_at: NotNull[Timestamp] = None


class MemoryUpdateDto(Model):
    is_saved: NotNull[bool] = None
    memory_at: NotNull[Timestamp] = None
    seen_at: NotNull[Timestamp] = None


class BulkIdsDto(Model):
    ids: IdList


def _naive(value: datetime | None) -> datetime | None:
    """Store form of a date; one with no UTC equivalent (a query's `for`) is a 400."""
    if value is None:
        return None
    try:
        return to_naive_utc(value)
    except ValueError as exc:
        raise BadRequest("for must be a date between years 1 and 9999 in UTC") from exc


def memory_response(view: MemoryView, viewer_id: uuid.UUID) -> dict[str, Any]:
    """Immich's `MemoryResponseDto`: unset dates are left out, not null."""
    m = view.memory
    body: dict[str, Any] = {
        "id": str(m.id),
        "createdAt": iso(m.created_at),
        "updatedAt": iso(m.updated_at),
        "memoryAt": iso(m.memory_at),
        "ownerId": str(m.owner_id),
        "type": m.type,
        "data": m.data,
        "isSaved": bool(m.is_saved),
        "assets": [asset_response(dict(a._mapping), viewer_id) for a in view.assets],
    }
    for key, value in (
        ("deletedAt", m.deleted_at),
        ("seenAt", m.seen_at),
        ("showAt", m.show_at),
        ("hideAt", m.hide_at),
    ):
        if value is not None:
            body[key] = iso(value)
    return body


def bulk_response(results: list[BulkResult]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in results:
        item: dict[str, Any] = {"id": str(r.id), "success": r.error is None}
        if r.error is not None:
            item["error"] = r.error
        out.append(item)
    return out


ForQuery = Annotated[datetime | None, Query(alias="for")]
IsSavedQuery = Annotated[bool | None, Query(alias="isSaved")]
IsTrashedQuery = Annotated[bool | None, Query(alias="isTrashed")]
OrderQuery = Annotated[Literal["asc", "desc", "random"] | None, Query()]
SizeQuery = Annotated[int | None, Query(ge=1, le=1_000_000)]


def _search(
    at: ForQuery = None,
    is_saved: IsSavedQuery = None,
    is_trashed: IsTrashedQuery = None,
    order: OrderQuery = None,
    size: SizeQuery = None,
    type: MemoryType | None = None,
) -> Search:
    """Immich's `MemorySearchDto` query parameters, shared by the list and its statistics."""
    return Search(
        at=_naive(at), is_saved=is_saved, is_trashed=is_trashed, type=type, order=order or "desc", size=size
    )


MemorySearch = Annotated[Search, Depends(_search)]


@router.get("")
async def search_memories(
    auth: Annotated[AuthContext, Perm("memory.read")], svc: Svc, search: MemorySearch
) -> list[dict[str, Any]]:
    views = await svc.memories.search(auth, search)
    return [memory_response(v, auth.user_id) for v in views]


@router.post("", status_code=201)
async def create_memory(
    body: MemoryCreateDto, auth: Annotated[AuthContext, Perm("memory.create")], svc: Svc
) -> dict[str, Any]:
    values = {
        "type": body.type,
        "data": {"year": body.data.year},
        "is_saved": bool(body.is_saved),
        "memory_at": to_naive_utc(body.memory_at),
        "seen_at": _naive(body.seen_at),
        "show_at": _naive(body.show_at),
        "hide_at": _naive(body.hide_at),
    }
    view = await svc.memories.create(auth, values, body.asset_ids or [])
    return memory_response(view, auth.user_id)


@router.get("/statistics")
async def memory_statistics(
    auth: Annotated[AuthContext, Perm("memory.statistics")], svc: Svc, search: MemorySearch
) -> dict[str, int]:
    total = await svc.memories.statistics(auth, search)
    return {"total": total}


@router.get("/{id}")
async def get_memory(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("memory.read")], svc: Svc
) -> dict[str, Any]:
    return memory_response(await svc.memories.get(auth, id), auth.user_id)


@router.put("/{id}")
async def update_memory(
    id: uuid.UUID, body: MemoryUpdateDto, auth: Annotated[AuthContext, Perm("memory.update")], svc: Svc
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if body.is_saved is not None:
        values["is_saved"] = body.is_saved
    if body.memory_at is not None:
        values["memory_at"] = to_naive_utc(body.memory_at)
    if body.seen_at is not None:
        values["seen_at"] = to_naive_utc(body.seen_at)
    return memory_response(await svc.memories.update(auth, id, values), auth.user_id)


@router.delete("/{id}", status_code=204)
async def delete_memory(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("memory.delete")], svc: Svc
) -> Response:
    await svc.memories.delete(auth, id)
    return Response(status_code=204)


@router.put("/{id}/assets")
async def add_memory_assets(
    id: uuid.UUID, body: BulkIdsDto, auth: Annotated[AuthContext, Perm("memoryAsset.create")], svc: Svc
) -> list[dict[str, Any]]:
    return bulk_response(await svc.memories.add_assets(auth, id, body.ids))


@router.delete("/{id}/assets")
async def remove_memory_assets(
    id: uuid.UUID, body: BulkIdsDto, auth: Annotated[AuthContext, Perm("memoryAsset.delete")], svc: Svc
) -> list[dict[str, Any]]:
    return bulk_response(await svc.memories.remove_assets(auth, id, body.ids))
