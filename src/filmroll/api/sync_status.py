"""Route of filmroll's sync status (tagged `filmroll`; Immich's apps never call it):
`GET /api/filmroll/sync-status`, what the web app's Devices page shows per session and API key."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import Model
from filmroll.api.routing import GuardedRoute
from filmroll.services.auth import AuthContext
from filmroll.sync.extensions.status import SyncStatus

router = APIRouter(tags=["filmroll"], route_class=GuardedRoute)


class SyncStatusDto(Model):
    """Exactly one of `sessionId` and `apiKeyId` is set. `pending` is null for API keys: v1 sync
    keeps no checkpoints, so what a key's client lacks is unknown."""

    session_id: str | None
    api_key_id: str | None
    name: str | None
    last_sync_at: str | None
    protocol: str | None
    pending: dict[str, int | None] | None


@router.get("/filmroll/sync-status", response_model=list[SyncStatusDto])
async def sync_status(auth: Annotated[AuthContext, Perm("session.read")], svc: Svc) -> list[dict[str, Any]]:
    """Per session and API key of the caller: last sync time, protocol, and for sessions the lines
    their next stream would send (API keys' rows need `apiKey.read` when an API key asks)."""
    return await SyncStatus(svc.sync_v2).status(auth)
