"""Routes: /api/notifications (the caller's own notifications, as Immich's notification controller)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import Field

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import MAX_IDS, Model, Timestamp
from filmroll.api.routing import GuardedRoute
from filmroll.api.uuids import Uuid
from filmroll.mappers.notification import notification_response
from filmroll.services.auth import AuthContext
from filmroll.services.notifications import NotificationLevel, NotificationType
from filmroll.timefmt import to_naive_utc

router = APIRouter(prefix="/notifications", tags=["Notifications"], route_class=GuardedRoute)

Ids = Annotated[list[Uuid], Field(min_length=1, max_length=MAX_IDS)]


class NotificationUpdateDto(Model):
    read_at: Timestamp | None = None


class NotificationUpdateAllDto(Model):
    ids: Ids
    read_at: Timestamp | None = None


class NotificationDeleteAllDto(Model):
    ids: Ids


def _read_at(body: NotificationUpdateDto | NotificationUpdateAllDto) -> dict[str, Any]:
    """`{"read_at": ...}` when the body names `readAt` (null marks unread), else nothing."""
    if "read_at" not in body.model_fields_set:
        return {}
    return {"read_at": None if body.read_at is None else to_naive_utc(body.read_at)}


@router.get("")
async def get_notifications(
    auth: Annotated[AuthContext, Perm("notification.read")],
    svc: Svc,
    id: uuid.UUID | None = None,
    level: NotificationLevel | None = None,
    type: NotificationType | None = None,
    unread: bool | None = None,
) -> list[dict[str, Any]]:
    rows = await svc.notifications.search(auth, notification_id=id, level=level, type=type, unread=unread)
    return [notification_response(r) for r in rows]


@router.put("", status_code=204)
async def update_notifications(
    body: NotificationUpdateAllDto, auth: Annotated[AuthContext, Perm("notification.update")], svc: Svc
) -> Response:
    await svc.notifications.update_all(auth, body.ids, **_read_at(body))
    return Response(status_code=204)


@router.delete("", status_code=204)
async def delete_notifications(
    body: NotificationDeleteAllDto, auth: Annotated[AuthContext, Perm("notification.delete")], svc: Svc
) -> Response:
    await svc.notifications.delete(auth, body.ids)
    return Response(status_code=204)


@router.get("/{id}")
async def get_notification(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("notification.read")], svc: Svc
) -> dict[str, Any]:
    return notification_response(await svc.notifications.get(auth, id))


@router.put("/{id}")
async def update_notification(
    id: uuid.UUID,
    body: NotificationUpdateDto,
    auth: Annotated[AuthContext, Perm("notification.update")],
    svc: Svc,
) -> dict[str, Any]:
    return notification_response(await svc.notifications.update(auth, id, **_read_at(body)))


@router.delete("/{id}", status_code=204)
async def delete_notification(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("notification.delete")], svc: Svc
) -> Response:
    await svc.notifications.delete(auth, [id])
    return Response(status_code=204)
