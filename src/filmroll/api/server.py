"""Routes: /api/server (what Immich clients ask at start) and /.well-known/immich."""

from __future__ import annotations

import shutil
from typing import Annotated, Any

from fastapi import APIRouter

from filmroll import IMMICH_API_VERSION, __version__
from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import Model
from filmroll.media import media_types as supported_media_types
from filmroll.repositories import users
from filmroll.services.auth import AuthContext

router = APIRouter(prefix="/server", tags=["Server"])


class ServerPingResponse(Model):
    res: str


class ServerVersionResponseDto(Model):
    major: int
    minor: int
    patch: int


class ServerMediaTypesResponseDto(Model):
    image: list[str]
    video: list[str]
    sidecar: list[str]


def _human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


@router.get("/ping", response_model=ServerPingResponse)
async def ping() -> dict[str, str]:
    return {"res": "pong"}


@router.get("/version", response_model=ServerVersionResponseDto)
async def version() -> dict[str, int]:
    major, minor, patch = IMMICH_API_VERSION
    return {"major": major, "minor": minor, "patch": patch}


@router.get("/about")
async def about(_auth: Annotated[AuthContext, Perm("server.about")]) -> dict[str, Any]:
    return {
        "version": f"v{__version__}",
        "versionUrl": "",
        "licensed": False,
        "build": f"filmroll {__version__}",
        "repository": "filmroll",
        "sourceRef": __version__,
    }


@router.get("/features")
async def features() -> dict[str, bool]:
    enabled = {"passwordLogin", "trash", "reverseGeocoding", "sidecar"}
    names = [
        "configFile",
        "duplicateDetection",
        "email",
        "facialRecognition",
        "importFaces",
        "map",
        "oauth",
        "oauthAutoLaunch",
        "ocr",
        "passwordLogin",
        "reverseGeocoding",
        "search",
        "sidecar",
        "smartSearch",
        "trash",
    ]
    return {name: name in enabled for name in names}


@router.get("/config")
async def config(svc: Svc) -> dict[str, Any]:
    initialized = await svc.db.read(users.admin_exists)
    return {
        "loginPageMessage": "",
        "trashDays": 30,
        "userDeleteDelay": 7,
        "oauthButtonText": "Login with OAuth",
        "isInitialized": initialized,
        "isOnboarded": initialized,
        "externalDomain": "",
        "publicUsers": True,
        "mapDarkStyleUrl": "",
        "mapLightStyleUrl": "",
        "maintenanceMode": False,
    }


@router.get("/media-types", response_model=ServerMediaTypesResponseDto)
async def media_types() -> dict[str, list[str]]:
    """Exactly what uploads accept, so clients never send a file we would refuse."""
    return supported_media_types()


@router.get("/storage")
async def storage(_auth: Annotated[AuthContext, Perm("server.storage")], svc: Svc) -> dict[str, Any]:
    svc.settings.data_dir.mkdir(parents=True, exist_ok=True)
    usage = shutil.disk_usage(svc.settings.data_dir)
    return {
        "diskSize": _human(usage.total),
        "diskUse": _human(usage.used),
        "diskAvailable": _human(usage.free),
        "diskSizeRaw": usage.total,
        "diskUseRaw": usage.used,
        "diskAvailableRaw": usage.free,
        "diskUsagePercentage": round(usage.used / usage.total * 100, 2) if usage.total else 0.0,
    }
