"""Routes: /api/activities (comments and likes on an album or one of its assets)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import Description, Model, NotNull, user_response
from filmroll.api.responses import JSONResponse
from filmroll.api.routing import GuardedRoute
from filmroll.api.uuids import Uuid
from filmroll.errors import BadRequest
from filmroll.services.auth import AuthContext
from filmroll.timefmt import iso

router = APIRouter(prefix="/activities", tags=["Activities"], route_class=GuardedRoute)

ReactionType = Literal["comment", "like"]
ReactionLevel = Literal["album", "asset"]


class ActivityCreateDto(Model):
    album_id: Uuid
    asset_id: NotNull[Uuid] = None
    type: ReactionType
    comment: NotNull[Description] = None


def activity_response(row: Any) -> dict[str, Any]:
    """`ActivityResponseDto` from an activity row carrying its author's columns (`author_*`)."""
    values = row._mapping
    author = SimpleNamespace(
        **{k.removeprefix("author_"): v for k, v in values.items() if k.startswith("author_")}
    )
    return {
        "id": str(row.id),
        "assetId": str(row.asset_id) if row.asset_id else None,
        "createdAt": iso(row.created_at),
        "comment": row.comment,
        "type": "like" if row.is_liked else "comment",
        "user": user_response(author),
    }


@router.get("")
async def get_activities(
    auth: Annotated[AuthContext, Perm("activity.read")],
    svc: Svc,
    album_id: Annotated[uuid.UUID, Query(alias="albumId")],
    asset_id: Annotated[uuid.UUID | None, Query(alias="assetId")] = None,
    level: ReactionLevel | None = None,
    type: ReactionType | None = None,
    user_id: Annotated[uuid.UUID | None, Query(alias="userId")] = None,
) -> list[dict[str, Any]]:
    rows = await svc.activities.search(
        auth, album_id, asset_id=asset_id, user_id=user_id, type=type, level=level
    )
    return [activity_response(r) for r in rows]


@router.post("", status_code=201)
async def create_activity(
    body: ActivityCreateDto, auth: Annotated[AuthContext, Perm("activity.create")], svc: Svc
) -> JSONResponse:
    """201 with the new activity; 200 with the existing like when the user liked already. A
    comment needs its text (Immich validates `comment` only for comments)."""
    if body.type == "comment" and not body.comment:
        raise BadRequest(["comment should not be empty"])
    created = await svc.activities.create(auth, body.album_id, body.asset_id, body.type, body.comment)
    return JSONResponse(activity_response(created.activity), status_code=200 if created.duplicate else 201)


@router.get("/statistics")
async def get_statistics(
    auth: Annotated[AuthContext, Perm("activity.statistics")],
    svc: Svc,
    album_id: Annotated[uuid.UUID, Query(alias="albumId")],
    asset_id: Annotated[uuid.UUID | None, Query(alias="assetId")] = None,
) -> dict[str, int]:
    comments, likes = await svc.activities.statistics(auth, album_id, asset_id)
    return {"comments": comments, "likes": likes}


@router.delete("/{id}", status_code=204)
async def delete_activity(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("activity.delete")], svc: Svc
) -> Response:
    await svc.activities.delete(auth, id)
    return Response(status_code=204)
