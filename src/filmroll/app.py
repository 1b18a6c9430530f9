"""The ASGI application: routers under /api, one error envelope, services built at start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import APIRouter, FastAPI

from filmroll import __version__
from filmroll.api import activities as activities_api
from filmroll.api import (
    albums,
    api_keys,
    assets,
    auth,
    download,
    jobs,
    partners,
    people,
    server,
    sessions,
    stacks,
    sync_v1,
    sync_v2,
    timeline,
    trash,
    users,
)
from filmroll.api import asset_metadata as asset_metadata_api
from filmroll.api import map as map_api
from filmroll.api import memories as memories_api
from filmroll.api import notifications as notifications_api
from filmroll.api import search as search_api
from filmroll.api import shared_links as shared_links_api
from filmroll.api import sync_extensions as sync_extensions_api
from filmroll.api import sync_status as sync_status_api
from filmroll.api import system_config as system_config_api
from filmroll.api import system_metadata as system_metadata_api
from filmroll.api import tags as tags_api
from filmroll.api.body_limit import BodyLimitMiddleware
from filmroll.api.deps import Services
from filmroll.api.errors import install as install_errors
from filmroll.api.responses import JSONResponse
from filmroll.api.socketio import PATH as SOCKET_PATH
from filmroll.api.socketio import SocketServer
from filmroll.config import Settings
from filmroll.db.engine import Database
from filmroll.jobs import JobRunner
from filmroll.jobs.assets import METADATA, THUMBNAILS, AssetJobs
from filmroll.jobs.daily import DailyMaintenance, remove_interrupted_uploads
from filmroll.services.activities import ActivityService
from filmroll.services.albums import AlbumService
from filmroll.services.asset_metadata import AssetMetadataService
from filmroll.services.assets import AssetService
from filmroll.services.auth import AuthService
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
from filmroll.storage import Storage, create_storage
from filmroll.sync.forms.renderer import FormRenderer
from filmroll.sync.v1.service import SyncV1Service
from filmroll.sync.v2.service import SyncV2Service
from filmroll.web import WebApp

STREAMED_UPLOADS = (("POST", "/api/assets"),)
"""Routes that parse multipart bodies as they arrive, so the JSON body cap does not apply."""

ROUTERS = (
    auth.router,
    users.router,
    sessions.router,
    api_keys.router,
    server.router,
    timeline.device_router,  # before /assets/{id}/...: `device` is not an asset id
    asset_metadata_api.router,  # before /assets/{id}: `metadata` is not an asset id
    assets.router,
    trash.router,
    jobs.router,
    partners.router,
    sync_v1.router,
    sync_v2.router,
    sync_extensions_api.router,
    sync_status_api.router,
    albums.router,
    stacks.router,
    search_api.router,
    tags_api.router,
    timeline.router,
    map_api.router,
    people.router,
    download.router,
    memories_api.router,
    shared_links_api.router,
    activities_api.router,
    system_config_api.router,
    notifications_api.router,
    system_metadata_api.router,
)


def build_storage(settings: Settings) -> Storage:
    return create_storage(
        settings.storage,
        root=settings.data_dir,
        s3_bucket=settings.s3_bucket,
        s3_endpoint_url=settings.s3_endpoint_url,
        s3_region=settings.s3_region,
        s3_access_key_id=settings.s3_access_key_id,
        s3_secret_access_key=settings.s3_secret_access_key,
        s3_prefix=settings.s3_prefix,
    )


def build_services(settings: Settings) -> Services:
    db = Database(settings.resolved_database_url, pool_size=settings.db_pool_size)
    storage = build_storage(settings)
    events = EventBus()
    asset_jobs = AssetJobs(db, storage, max_image_pixels=settings.max_image_pixels, events=events)
    runner = JobRunner(
        db,
        {METADATA: asset_jobs.extract_metadata, THUMBNAILS: asset_jobs.generate_thumbnails},
        concurrency=settings.job_concurrency,
        lease=timedelta(seconds=settings.job_lease_seconds),
    )
    sync_v1_service, sync_v2_service = SyncV1Service(db), SyncV2Service(db)
    memory_service = MemoryService(db)
    asset_service, config_service = AssetService(db, storage, events), SystemConfigService(db, events)
    maintenance = DailyMaintenance(
        db,
        sync_v1_service,
        sync_v2_service,
        storage,
        memories=memory_service,
        assets=asset_service,
        config=config_service,
    )
    return Services(
        settings=settings,
        db=db,
        auth=AuthService(db, settings.session_days, events),
        users=UserService(db, events),
        storage=storage,
        assets=asset_service,
        uploads=UploadService(db, storage, runner.notify, events),
        jobs=runner,
        partners=PartnerService(db),
        sync_v1=sync_v1_service,
        sync_v2=sync_v2_service,
        maintenance=maintenance,
        albums=AlbumService(db, events),
        stacks=StackService(db, events),
        preferences=PreferenceService(db),
        onboarding=OnboardingService(db),
        forms=FormRenderer(db),
        search=SearchService(db),
        tags=TagService(db),
        timeline=TimelineService(db),
        map=MapService(db),
        people=PeopleService(db),
        downloads=DownloadService(db, storage),
        directory=DirectoryService(
            db, storage, mode=settings.user_directory, max_image_pixels=settings.max_image_pixels
        ),
        locked=LockedFolderService(db),
        events=events,
        memories=memory_service,
        asset_metadata=AssetMetadataService(db),
        shared_links=SharedLinkService(db),
        activities=ActivityService(db),
        system_config=config_service,
        notifications=NotificationService(db),
        system_metadata=SystemMetadataService(db),
    )


def well_known() -> dict[str, dict[str, str]]:
    return {"api": {"endpoint": "/api"}}


async def start_background(svc: Services) -> None:
    """What a process runs besides requests: the job queue, the daily maintenance and the
    wire-form renderer (`filmroll serve` with jobs on, and `filmroll worker`)."""
    await svc.jobs.start()
    svc.maintenance.start()
    svc.forms.start()


async def shut_down(svc: Services) -> None:
    """Stop the background work (a no-op for what never started), then let go of the event
    bus and the database."""
    await svc.forms.stop()
    await svc.maintenance.stop()
    await svc.jobs.stop()
    svc.events.attach(None)
    svc.db.dispose()


def create_app(settings: Settings) -> FastAPI:
    """Build the app; the database must already be migrated (`filmroll migrate` or `serve`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = build_services(settings)
        app.state.services = svc
        await svc.system_metadata.record_version()  # once per version: restarts add nothing
        await svc.directory.apply_mode()
        svc.events.attach(sockets)
        if settings.single_process:  # otherwise another process may be writing them
            await remove_interrupted_uploads(svc.storage)
        if settings.jobs_enabled:
            await start_background(svc)
        try:
            yield
        finally:
            await shut_down(svc)

    app = FastAPI(
        title="filmroll",
        version=__version__,
        description="Self-hosted photo and video library server, compatible with the Immich API.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        default_response_class=JSONResponse,
        lifespan=lifespan,
    )
    install_errors(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_json_bytes, streamed=STREAMED_UPLOADS)
    api = APIRouter(prefix="/api")
    for router in ROUTERS:
        api.include_router(router)
    api.add_api_route("/.well-known/immich", well_known, methods=["GET"], include_in_schema=False)
    app.include_router(api)
    sockets = SocketServer(lambda: app.state.services, settings.redis_url)
    app.mount(SOCKET_PATH, sockets.app)
    app.add_api_route("/.well-known/immich", well_known, methods=["GET"], include_in_schema=False)
    app.router.default = WebApp(app.router.default)  # the web app answers paths no route matched
    return app
