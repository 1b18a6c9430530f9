"""Routes: /api/server (what Immich clients ask at start) and /.well-known/immich."""

from __future__ import annotations

import shutil
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel

from filmroll import IMMICH_API_VERSION, __version__
from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import Model
from filmroll.media import media_types as supported_media_types
from filmroll.repositories import users
from filmroll.services.auth import AuthContext
from filmroll.services.system_metadata import apk_links as immich_apk_links
from filmroll.timefmt import iso

router = APIRouter(prefix="/server", tags=["Server"])


class ServerPingResponse(Model):
    res: str


class ServerVersionResponseDto(Model):
    major: int
    minor: int
    patch: int


class ServerVersionHistoryResponseDto(Model):
    id: str
    created_at: str
    version: str


class ServerApkLinksDto(BaseModel):
    """Immich's field names as they are: camel-casing would mangle `x86_64` and `arm64v8a`."""

    arm64v8a: str
    armeabiv7a: str
    universal: str
    x86_64: str


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


@router.get("/version-history", response_model=list[ServerVersionHistoryResponseDto])
async def version_history(svc: Svc) -> list[dict[str, str]]:
    """Public, as in Immich: the versions are no more secret than `/server/version`."""
    entries = await svc.system_metadata.version_history()
    return [{"id": e.id, "createdAt": iso(e.created_at) or "", "version": e.version} for e in entries]


@router.get("/apk-links", response_model=ServerApkLinksDto)
async def apk_links(_auth: Annotated[AuthContext, Perm("server.apkLinks")]) -> dict[str, str]:
    return immich_apk_links()


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
async def features(svc: Svc) -> dict[str, bool]:
    settings = await svc.system_config.get()
    enabled = {"trash", "reverseGeocoding", "sidecar"}
    if settings["passwordLogin"]["enabled"]:
        enabled.add("passwordLogin")  # the apps hide their login form when it is off
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
    settings = await svc.system_config.get()
    return {
        "loginPageMessage": settings["server"]["loginPageMessage"],
        "trashDays": settings["trash"]["days"],
        "userDeleteDelay": settings["user"]["deleteDelay"],
        "oauthButtonText": "Login with OAuth",
        "isInitialized": initialized,
        "isOnboarded": initialized,
        "externalDomain": settings["server"]["externalDomain"],
        "publicUsers": settings["server"]["publicUsers"],
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
