"""Routes: /api/partners (share your timeline, list and tune shares)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Response

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import Model, UserResponse, user_response
from filmroll.api.routing import GuardedRoute
from filmroll.errors import BadRequest
from filmroll.services.auth import AuthContext
from filmroll.services.partners import Direction
from filmroll.sync.v1.params import parse_uuid

router = APIRouter(prefix="/partners", tags=["Partners"], route_class=GuardedRoute)


class PartnerResponseDto(UserResponse):
    in_timeline: bool


class PartnerCreateDto(Model):
    shared_with_id: str


class PartnerUpdateDto(Model):
    in_timeline: bool


def partner_response(row: Any) -> dict[str, Any]:
    return {**user_response(row), "inTimeline": bool(row.in_timeline)}


@router.get("", response_model=list[PartnerResponseDto])
async def get_partners(
    direction: Direction, auth: Annotated[AuthContext, Perm("partner.read")], svc: Svc
) -> list[dict[str, Any]]:
    return [partner_response(r) for r in await svc.partners.search(auth.user_id, direction)]


@router.post("", status_code=201, response_model=PartnerResponseDto)
async def create_partner(
    body: PartnerCreateDto, auth: Annotated[AuthContext, Perm("partner.create")], svc: Svc
) -> dict[str, Any]:
    shared_with_id = parse_uuid(body.shared_with_id)
    if shared_with_id is None:
        raise BadRequest(["sharedWithId must be a UUID"])
    return partner_response(await svc.partners.create(auth.user_id, shared_with_id))


@router.post("/{id}", status_code=201, response_model=PartnerResponseDto, deprecated=True)
async def create_partner_deprecated(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("partner.create")], svc: Svc
) -> dict[str, Any]:
    return partner_response(await svc.partners.create(auth.user_id, id))


@router.put("/{id}", response_model=PartnerResponseDto)
async def update_partner(
    id: uuid.UUID,
    body: PartnerUpdateDto,
    auth: Annotated[AuthContext, Perm("partner.update")],
    svc: Svc,
) -> dict[str, Any]:
    return partner_response(await svc.partners.update(auth.user_id, id, body.in_timeline))


@router.delete("/{id}", status_code=204)
async def remove_partner(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("partner.delete")], svc: Svc
) -> Response:
    await svc.partners.remove(auth.user_id, id)
    return Response(status_code=204)
