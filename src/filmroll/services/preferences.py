"""User preferences: Immich's defaults, partial updates merged over them, only the difference stored.

Storing the difference (as Immich does) means a user who never changed a setting follows a
future change of its default, and the `UserMetadataV1` value a client receives is exactly
what the user chose.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from sqlalchemy.engine import Connection

from filmroll.db.engine import Database
from filmroll.errors import BadRequest
from filmroll.repositories import user_metadata, users

KEY = "preferences"

Preferences = dict[str, dict[str, Any]]

_DEFAULTS: Preferences = {
    "albums": {"defaultAssetOrder": "desc"},
    "cast": {"gCastEnabled": False},
    "download": {"archiveSize": 4 * 1024**3, "includeEmbeddedVideos": False},
    "emailNotifications": {"enabled": True, "albumInvite": True, "albumUpdate": True},
    "folders": {"enabled": False, "sidebarWeb": False},
    "memories": {"enabled": True, "duration": 5},
    "people": {"enabled": True, "sidebarWeb": False},
    "purchase": {"showSupportBadge": True, "hideBuyButtonUntil": "2022-02-12T00:00:00.000Z"},
    "ratings": {"enabled": False},
    "sharedLinks": {"enabled": True, "sidebarWeb": False},
    "tags": {"enabled": False, "sidebarWeb": False},
}


def defaults() -> Preferences:
    """A fresh copy of Immich's default preferences."""
    return copy.deepcopy(_DEFAULTS)


def overlay(base: Preferences, patch: Any) -> Preferences:
    """`base` with every known, non-null leaf of `patch` applied; unknown sections and keys are dropped."""
    merged = copy.deepcopy(base)
    if not isinstance(patch, dict):
        return merged
    for section, values in patch.items():
        if section not in merged or not isinstance(values, dict):
            continue
        for key, value in values.items():
            if key in merged[section] and value is not None:
                merged[section][key] = value
    return merged


def _same(value: Any, default: Any) -> bool:
    return type(value) is type(default) and bool(value == default)


def difference(preferences: Preferences) -> dict[str, dict[str, Any]]:
    """The leaves of `preferences` that differ from the defaults (empty values count as unset)."""
    partial: dict[str, dict[str, Any]] = {}
    for section, values in _DEFAULTS.items():
        for key, default in values.items():
            value = preferences.get(section, {}).get(key)
            if value is None or value == "" or _same(value, default):
                continue
            partial.setdefault(section, {})[key] = value
    return partial


def resolve(stored: Any) -> Preferences:
    """What a user sees: the defaults with their stored difference applied."""
    return overlay(defaults(), stored)


class PreferenceService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: uuid.UUID) -> Preferences:
        return await self.db.read(lambda c: resolve(user_metadata.get(c, user_id, KEY)))

    async def update(self, user_id: uuid.UUID, patch: dict[str, Any]) -> Preferences:
        """Apply a partial update (only the fields the client sent) and return the full result."""
        return await self.db.write(lambda c: self._update(c, user_id, patch))

    async def admin_get(self, user_id: uuid.UUID) -> Preferences:
        """Any user's preferences, soft-deleted users included (as Immich allows)."""

        def read(conn: Connection) -> Preferences:
            _require_user(conn, user_id, with_deleted=True)
            return resolve(user_metadata.get(conn, user_id, KEY))

        return await self.db.read(read)

    async def admin_update(self, user_id: uuid.UUID, patch: dict[str, Any]) -> Preferences:
        def write(conn: Connection) -> Preferences:
            _require_user(conn, user_id, with_deleted=False)
            return self._update(conn, user_id, patch)

        return await self.db.write(write)

    @staticmethod
    def _update(conn: Connection, user_id: uuid.UUID, patch: dict[str, Any]) -> Preferences:
        result: Preferences = {}

        def compute(stored: Any) -> dict[str, dict[str, Any]]:
            result.update(overlay(resolve(stored), patch))
            return difference(result)

        user_metadata.change(conn, user_id, KEY, compute)
        return result


def _require_user(conn: Connection, user_id: uuid.UUID, *, with_deleted: bool) -> None:
    if users.get(conn, user_id, with_deleted=with_deleted) is None:
        raise BadRequest("User not found")
