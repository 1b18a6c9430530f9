"""Server-wide state Immich keeps in system metadata: the admin's onboarding flag and the
history of versions the server has run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection

from filmroll import IMMICH_API_VERSION
from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.repositories import system_metadata

ADMIN_ONBOARDING = "admin-onboarding"

SERVER_VERSION = "{}.{}.{}".format(*IMMICH_API_VERSION)
"""The version `/server/version` reports, as Immich writes it (no `v`): it is the one Immich's
clients compare against, so it is also the one the history records."""

_RELEASES = "https://github.com/immich-app/immich/releases/download"


@dataclass(frozen=True, slots=True)
class VersionEntry:
    id: str
    created_at: datetime
    version: str


def apk_links(version: str = SERVER_VERSION) -> dict[str, str]:
    """Immich's Android builds attached to its GitHub release of `version`: filmroll ships no
    app of its own, Immich's app of the matching release is the one that speaks its API."""
    base = f"{_RELEASES}/v{version}"
    return {
        "arm64v8a": f"{base}/app-arm64-v8a-release.apk",
        "armeabiv7a": f"{base}/app-armeabi-v7a-release.apk",
        "universal": f"{base}/app-release.apk",
        "x86_64": f"{base}/app-x86_64-release.apk",
    }


class SystemMetadataService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def admin_onboarding(self) -> bool:
        """False until an admin says otherwise (no row, or a row without a boolean)."""
        value = await self.db.read(lambda c: system_metadata.get(c, ADMIN_ONBOARDING))
        return isinstance(value, dict) and value.get("isOnboarded") is True

    async def set_admin_onboarding(self, is_onboarded: bool) -> None:
        value = {"isOnboarded": is_onboarded}
        await self.db.write(lambda c: system_metadata.put(c, ADMIN_ONBOARDING, value))

    async def record_version(self, version: str = SERVER_VERSION) -> bool:
        """Append `version` unless it is already the latest entry, so restarts add nothing
        while an upgrade (or a downgrade) adds one entry; True when an entry was added."""

        def record(conn: Connection) -> bool:
            system_metadata.lock_version_history(conn)
            if system_metadata.latest_version(conn) == version:
                return False
            system_metadata.add_version(conn, version, utcnow())
            return True

        return await self.db.write(record)

    async def version_history(self) -> list[VersionEntry]:
        rows = await self.db.read(system_metadata.versions)
        return [VersionEntry(id=str(r.id), created_at=r.created_at, version=r.version) for r in rows]
