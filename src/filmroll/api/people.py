"""Routes: /api/people and /api/faces, answered as Immich does with facial recognition off."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import MAX_IDS, Model
from filmroll.api.routing import GuardedRoute
from filmroll.api.uuids import Uuid
from filmroll.services.auth import AuthContext

router = APIRouter(tags=["People"], route_class=GuardedRoute)

Ids = Annotated[list[Uuid], Field(max_length=MAX_IDS)]


class BulkIdsDto(Model):
    ids: Ids


class MergePersonDto(Model):
    ids: Ids


class PersonUpdateDto(Model):
    name: str | None = None
    is_hidden: bool | None = None
    is_favorite: bool | None = None
    color: str | None = None
    birth_date: str | None = None
    feature_face_asset_id: Uuid | None = None


# One person of a bulk update: the single update's fields and whom they change. (A comment,
# not a docstring: docstrings become schema descriptions, and this schema is Immich's.)
class PeopleUpdateItem(PersonUpdateDto):
    id: str


class PeopleUpdateDto(Model):
    people: Annotated[list[PeopleUpdateItem], Field(max_length=MAX_IDS)]


class AssetFaceUpdateItem(Model):
    asset_id: Uuid
    person_id: Uuid


class AssetFaceUpdateDto(Model):
    data: Annotated[list[AssetFaceUpdateItem], Field(max_length=MAX_IDS)]


class AssetFaceCreateDto(Model):
    asset_id: Uuid
    person_id: Uuid
    image_width: int
    image_height: int
    x: int
    y: int
    width: int
    height: int


class FaceDto(Model):
    id: Uuid


class AssetFaceDeleteDto(Model):
    force: bool


@router.get("/people")
async def get_all_people(
    auth: Annotated[AuthContext, Perm("person.read")],
    svc: Svc,
    closest_asset_id: Annotated[uuid.UUID | None, Query(alias="closestAssetId")] = None,
    closest_person_id: Annotated[uuid.UUID | None, Query(alias="closestPersonId")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=1000)] = 500,
    with_hidden: Annotated[bool | None, Query(alias="withHidden")] = None,
) -> dict[str, Any]:
    del closest_asset_id, page, size, with_hidden
    return await svc.people.page(auth, closest_person_id=closest_person_id)


@router.put("/people")
async def update_people(
    body: PeopleUpdateDto, _auth: Annotated[AuthContext, Perm("person.update")], svc: Svc
) -> list[dict[str, Any]]:
    return svc.people.update_all([p.id for p in body.people])


@router.delete("/people", status_code=204)
async def delete_people(
    body: BulkIdsDto, _auth: Annotated[AuthContext, Perm("person.delete")], svc: Svc
) -> Response:
    svc.people.delete_all(body.ids)
    return Response(status_code=204)


@router.get("/people/{id}")
async def get_person(id: uuid.UUID, _auth: Annotated[AuthContext, Perm("person.read")], svc: Svc) -> None:
    svc.people.require_person("person.read")


@router.put("/people/{id}")
async def update_person(
    id: uuid.UUID, body: PersonUpdateDto, _auth: Annotated[AuthContext, Perm("person.update")], svc: Svc
) -> None:
    svc.people.require_person("person.update")


@router.delete("/people/{id}", status_code=204)
async def delete_person(
    id: uuid.UUID, _auth: Annotated[AuthContext, Perm("person.delete")], svc: Svc
) -> None:
    svc.people.require_person("person.delete")


@router.get("/people/{id}/statistics")
async def get_person_statistics(
    id: uuid.UUID, _auth: Annotated[AuthContext, Perm("person.statistics")], svc: Svc
) -> None:
    svc.people.require_person("person.read")


@router.get("/people/{id}/thumbnail")
async def get_person_thumbnail(
    id: uuid.UUID, _auth: Annotated[AuthContext, Perm("person.read")], svc: Svc
) -> None:
    svc.people.require_person("person.read")


@router.post("/people/{id}/merge")
async def merge_person(
    id: uuid.UUID, body: MergePersonDto, _auth: Annotated[AuthContext, Perm("person.merge")], svc: Svc
) -> None:
    svc.people.merge(id, body.ids)


@router.put("/people/{id}/reassign")
async def reassign_faces(
    id: uuid.UUID, body: AssetFaceUpdateDto, _auth: Annotated[AuthContext, Perm("person.reassign")], svc: Svc
) -> None:
    svc.people.require_person("person.update")


@router.get("/faces")
async def get_faces(
    auth: Annotated[AuthContext, Perm("face.read")], svc: Svc, id: Annotated[uuid.UUID, Query()]
) -> list[dict[str, Any]]:
    return await svc.people.faces_of(auth, id)


@router.post("/faces", status_code=201)
async def create_face(
    body: AssetFaceCreateDto, auth: Annotated[AuthContext, Perm("face.create")], svc: Svc
) -> None:
    await svc.people.create_face(auth, body.asset_id)


@router.put("/faces/{id}")
async def reassign_faces_by_id(
    id: uuid.UUID, body: FaceDto, _auth: Annotated[AuthContext, Perm("face.update")], svc: Svc
) -> None:
    svc.people.require_person("person.update")


@router.delete("/faces/{id}", status_code=204)
async def delete_face(
    id: uuid.UUID, body: AssetFaceDeleteDto, _auth: Annotated[AuthContext, Perm("face.delete")], svc: Svc
) -> None:
    svc.people.require_person("face.delete")
