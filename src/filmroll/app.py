"""The ASGI application: routers under /api, one error envelope, services built at start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from filmroll import __version__
from filmroll.api import api_keys, auth, server, sessions, users
from filmroll.api.deps import Services
from filmroll.api.errors import install as install_errors
from filmroll.api.responses import JSONResponse
from filmroll.config import Settings
from filmroll.db.engine import Database
from filmroll.services.auth import AuthService
from filmroll.services.users import UserService

ROUTERS = (auth.router, users.router, sessions.router, api_keys.router, server.router)


def build_services(settings: Settings) -> Services:
    db = Database(settings.resolved_database_url, pool_size=settings.db_pool_size)
    return Services(
        settings=settings,
        db=db,
        auth=AuthService(db, settings.session_days),
        users=UserService(db),
        extra={},
    )


def well_known() -> dict[str, dict[str, str]]:
    return {"api": {"endpoint": "/api"}}


def create_app(settings: Settings) -> FastAPI:
    """Build the app; the database must already be migrated (`filmroll migrate` or `serve`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = build_services(settings)
        app.state.services = svc
        try:
            yield
        finally:
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
    api = APIRouter(prefix="/api")
    for router in ROUTERS:
        api.include_router(router)
    api.add_api_route("/.well-known/immich", well_known, methods=["GET"], include_in_schema=False)
    app.include_router(api)
    app.add_api_route("/.well-known/immich", well_known, methods=["GET"], include_in_schema=False)
    return app
