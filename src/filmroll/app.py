"""The ASGI application: routers under /api, one error envelope, services built at start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from filmroll import __version__
from filmroll.api import (
    albums,
    api_keys,
    assets,
    auth,
    jobs,
    partners,
    server,
    sessions,
    stacks,
    sync_v1,
    sync_v2,
    trash,
    users,
)
from filmroll.api.body_limit import BodyLimitMiddleware
from filmroll.api.deps import Services
from filmroll.api.errors import install as install_errors
from filmroll.api.responses import JSONResponse
from filmroll.config import Settings
from filmroll.db.engine import Database
from filmroll.jobs import JobRunner
from filmroll.jobs.assets import METADATA, THUMBNAILS, AssetJobs
from filmroll.jobs.daily import DailyMaintenance, remove_interrupted_uploads
from filmroll.services.albums import AlbumService
from filmroll.services.assets import AssetService
from filmroll.services.auth import AuthService
from filmroll.services.onboarding import OnboardingService
from filmroll.services.partners import PartnerService
from filmroll.services.preferences import PreferenceService
from filmroll.services.stacks import StackService
from filmroll.services.upload import UploadService
from filmroll.services.users import UserService
from filmroll.storage import Storage, create_storage
from filmroll.sync.forms.renderer import FormRenderer
from filmroll.sync.v1.service import SyncV1Service
from filmroll.sync.v2.service import SyncV2Service

STREAMED_UPLOADS = (("POST", "/api/assets"),)
"""Routes that parse multipart bodies as they arrive, so the JSON body cap does not apply."""

ROUTERS = (
    auth.router,
    users.router,
    sessions.router,
    api_keys.router,
    server.router,
    assets.router,
    trash.router,
    jobs.router,
    partners.router,
    sync_v1.router,
    sync_v2.router,
    albums.router,
    stacks.router,
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
    asset_jobs = AssetJobs(db, storage, max_image_pixels=settings.max_image_pixels)
    runner = JobRunner(
        db,
        {METADATA: asset_jobs.extract_metadata, THUMBNAILS: asset_jobs.generate_thumbnails},
        concurrency=settings.job_concurrency,
    )
    sync_v1_service, sync_v2_service = SyncV1Service(db), SyncV2Service(db)
    return Services(
        settings=settings,
        db=db,
        auth=AuthService(db, settings.session_days),
        users=UserService(db),
        storage=storage,
        assets=AssetService(db, storage),
        uploads=UploadService(db, storage, runner.notify),
        jobs=runner,
        partners=PartnerService(db),
        sync_v1=sync_v1_service,
        sync_v2=sync_v2_service,
        maintenance=DailyMaintenance(db, sync_v1_service, sync_v2_service, storage),
        albums=AlbumService(db),
        stacks=StackService(db),
        preferences=PreferenceService(db),
        onboarding=OnboardingService(db),
        forms=FormRenderer(db),
    )


def well_known() -> dict[str, dict[str, str]]:
    return {"api": {"endpoint": "/api"}}


def create_app(settings: Settings) -> FastAPI:
    """Build the app; the database must already be migrated (`filmroll migrate` or `serve`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = build_services(settings)
        app.state.services = svc
        await remove_interrupted_uploads(svc.storage)
        if settings.jobs_enabled:
            await svc.jobs.start()
            svc.maintenance.start()
            svc.forms.start()
        try:
            yield
        finally:
            await svc.forms.stop()
            await svc.maintenance.stop()
            await svc.jobs.stop()
            svc.db.dispose()

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
    app.add_api_route("/.well-known/immich", well_known, methods=["GET"], include_in_schema=False)
    return app
