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
from filmroll.mappers.asset import hide_metadata
from filmroll.services import shared_links
from filmroll.services.activities import ActivityService
from filmroll.services.albums import AlbumService
from filmroll.services.asset_metadata import AssetMetadataService
from filmroll.services.assets import AssetService
from filmroll.services.auth import AuthContext, AuthService, Credentials
from filmroll.services.directory import DirectoryService
from filmroll.services.download import DownloadService
from filmroll.services.events import EventBus
from filmroll.services.locked import LockedFolderService
from filmroll.services.map import MapService
from filmroll.services.memories import MemoryService
from filmroll.services.notifications import NotificationService
from filmroll.services.onboarding import OnboardingService
from filmroll.services.partners import PartnerService
from filmroll.services.people import PeopleService
from filmroll.services.preferences import PreferenceService
from filmroll.services.search import SearchService
from filmroll.services.shared_links import SharedLinkService
from filmroll.services.stacks import StackService
from filmroll.services.system_config import SystemConfigService
from filmroll.services.system_metadata import SystemMetadataService
from filmroll.services.tags import TagService
from filmroll.services.timeline import TimelineService
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
    search: SearchService
    tags: TagService
    timeline: TimelineService
    map: MapService
    people: PeopleService
    downloads: DownloadService
    directory: DirectoryService
    locked: LockedFolderService
    events: EventBus
    memories: MemoryService
    asset_metadata: AssetMetadataService
    shared_links: SharedLinkService
    activities: ActivityService
    system_config: SystemConfigService
    notifications: NotificationService
    system_metadata: SystemMetadataService


def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


Svc = Annotated[Services, Depends(services)]


def credentials(request: Request) -> Credentials:
    return Credentials(headers=request.headers, query=request.query_params, cookies=request.cookies)


def _route(request: Request) -> tuple[str, str] | None:
    """(method, path template under `/api`) of the matched route: what a link's visitor may
    call is decided per route (`shared_links.LINK_ROUTES`)."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    return (request.method, path.removeprefix("/api")) if isinstance(path, str) else None


def _bind_visitor(auth: AuthContext) -> None:
    """A link's visitor: the upload service learns its link, asset responses lose their
    metadata when the link hides it."""
    shared_links.bind_visitor(auth)
    if auth.link is not None and not auth.link.show_metadata:
        hide_metadata()


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
        creds = credentials(request)
        if any(shared_links.presented(creds)):
            auth = await svc.shared_links.authenticate(creds, _route(request), permission)
            _bind_visitor(auth)
        else:
            auth = await svc.auth.authenticate(creds, permission, request.headers.get("user-agent", ""))
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
