"""FastAPI dependencies: the service container and authentication per route."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from filmroll.config import Settings
from filmroll.db.engine import Database
from filmroll.errors import Forbidden
from filmroll.jobs import JobRunner
from filmroll.jobs.daily import DailyMaintenance
from filmroll.services.albums import AlbumService
from filmroll.services.assets import AssetService
from filmroll.services.auth import AuthContext, AuthService, Credentials
from filmroll.services.onboarding import OnboardingService
from filmroll.services.partners import PartnerService
from filmroll.services.preferences import PreferenceService
from filmroll.services.stacks import StackService
from filmroll.services.upload import UploadService
from filmroll.services.users import UserService
from filmroll.storage import Storage
from filmroll.sync.forms.renderer import FormRenderer
from filmroll.sync.v1.service import SyncV1Service
from filmroll.sync.v2.service import SyncV2Service


@dataclass
class Services:
    """Everything routes may call, built once per application."""

    settings: Settings
    db: Database
    auth: AuthService
    users: UserService
    storage: Storage
    assets: AssetService
    uploads: UploadService
    jobs: JobRunner
    partners: PartnerService
    sync_v1: SyncV1Service
    sync_v2: SyncV2Service
    maintenance: DailyMaintenance
    albums: AlbumService
    stacks: StackService
    preferences: PreferenceService
    onboarding: OnboardingService
    forms: FormRenderer


def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


Svc = Annotated[Services, Depends(services)]


def credentials(request: Request) -> Credentials:
    return Credentials(headers=request.headers, query=request.query_params, cookies=request.cookies)


AUTHENTICATORS: set[Callable[..., Awaitable[AuthContext]]] = set()
"""Every authentication dependency, so routes can run theirs before reading a body."""
_AUTHENTICATED = "filmroll.auth"


def authenticated(
    permission: str | None = "all", *, admin: bool = False
) -> Callable[..., Awaitable[AuthContext]]:
    """A dependency that resolves the caller; API keys must hold `permission` (None: any key)."""

    async def dependency(request: Request, svc: Svc) -> AuthContext:
        done: dict[object, AuthContext] = request.scope.setdefault(_AUTHENTICATED, {})
        if dependency in done:
            return done[dependency]
        auth = await svc.auth.authenticate(
            credentials(request), permission, request.headers.get("user-agent", "")
        )
        if admin and not auth.is_admin:
            raise Forbidden("Forbidden")
        request.state.auth = done[dependency] = auth
        return auth

    AUTHENTICATORS.add(dependency)
    return dependency


Auth = Annotated[AuthContext, Depends(authenticated())]
AdminAuth = Annotated[AuthContext, Depends(authenticated(admin=True))]
AnyKeyAuth = Annotated[AuthContext, Depends(authenticated(None))]


def Perm(permission: str | None, *, admin: bool = False) -> Any:
    """`Annotated[AuthContext, Perm("asset.read")]`: auth that requires an API-key permission."""
    return Depends(authenticated(permission, admin=admin))
