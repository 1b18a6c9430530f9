"""SQL for the server's configuration: what an admin changed from Immich's defaults, one JSON
value in `system_metadata` under Immich's own key for it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from filmroll.repositories import system_metadata

KEY = "system-config"


def get(conn: Connection) -> dict[str, Any]:
    """The stored overrides ({} when an admin never saved one)."""
    value = system_metadata.get(conn, KEY)
    return value if isinstance(value, dict) else {}


def put(conn: Connection, value: dict[str, Any]) -> None:
    """Replace the stored overrides (an upsert, so two first saves at once cannot collide)."""
    system_metadata.put(conn, KEY, value)


def _enabled(conn: Connection, section: str) -> bool:
    """`<section>.enabled` as stored, Immich's default (true) when never saved."""
    stored = get(conn).get(section)
    return (stored.get("enabled") if isinstance(stored, dict) else None) is not False


def password_login_enabled(conn: Connection) -> bool:
    return _enabled(conn, "passwordLogin")


def trash_enabled(conn: Connection) -> bool:
    return _enabled(conn, "trash")
