"""`NotificationDto` from a notifications row, shared by the API and the `on_notification` event."""

from __future__ import annotations

import json
from typing import Any

from filmroll.timefmt import iso


def notification_response(row: Any) -> dict[str, Any]:
    """Immich's schema has `description`, `data` and `readAt` optional but not nullable, so an
    unset one is left out; `data` is stored as JSON text and answered as the object it holds."""
    body: dict[str, Any] = {
        "id": str(row.id),
        "createdAt": iso(row.created_at),
        "level": row.level,
        "type": row.type,
        "title": row.title,
    }
    if row.description is not None:
        body["description"] = row.description
    if row.data is not None:
        body["data"] = json.loads(row.data)
    if row.read_at is not None:
        body["readAt"] = iso(row.read_at)
    return body
