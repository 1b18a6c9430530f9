"""The server-wide settings Immich's admin screens edit (`/api/system-config`).

Only what differs from Immich's defaults is stored, as Immich does: the configuration an
admin sees is the defaults deep-merged with those overrides, so values never touched follow
the defaults of the running version. Filmroll honours `passwordLogin.enabled` (password
login answers 401 when it is off, see `AuthService.login`); the other settings are kept so
Immich's admin screens round-trip them.
"""

from __future__ import annotations

import copy
from typing import Any

import orjson

from filmroll.db.engine import Database
from filmroll.errors import BadRequest, PayloadTooLarge
from filmroll.repositories import system_config
from filmroll.services import events
from filmroll.services.system_config_defaults import SYSTEM_CONFIG_DEFAULTS
from filmroll.services.system_config_schema import validate

MAX_CONFIG_BYTES = 1024 * 1024
"""Largest configuration stored (its JSON); Immich's defaults take about 4 KiB, and the
only free-form fields (custom CSS, email templates, login message) stay far below this."""


def defaults() -> dict[str, Any]:
    """A fresh copy of Immich's defaults, safe for the caller to change."""
    return copy.deepcopy(SYSTEM_CONFIG_DEFAULTS)


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """`base` with `overrides` laid over it, object by object; lists and scalars replace.
    Keys `base` lacks are dropped, so settings a later version removed do not resurface."""
    merged: dict[str, Any] = {}
    for key, value in base.items():
        override = overrides.get(key, value)
        if isinstance(value, dict):
            merged[key] = merge(value, override if isinstance(override, dict) else {})
        else:
            merged[key] = copy.deepcopy(override)
    return merged


def difference(config: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """What `config` changes from `base`: the smallest overrides that `merge` turns back
    into `config`."""
    changed: dict[str, Any] = {}
    for key, value in config.items():
        default = base.get(key)
        if isinstance(value, dict) and isinstance(default, dict):
            nested = difference(value, default)
            if nested:
                changed[key] = nested
        elif value != default or type(value) is not type(default):
            changed[key] = value
    return changed


class SystemConfigService:
    def __init__(self, db: Database, bus: events.EventBus | None = None) -> None:
        self.db = db
        self.events = bus or events.EventBus()

    async def get(self) -> dict[str, Any]:
        """The configuration in effect: the defaults with what an admin saved."""
        return merge(SYSTEM_CONFIG_DEFAULTS, await self.db.read(system_config.get))

    async def update(self, body: Any) -> dict[str, Any]:
        """Validate a complete `SystemConfigDto`, keep what differs from the defaults and
        answer the configuration now in effect."""
        config, problems = validate(body)
        if problems:
            raise BadRequest(problems)
        if len(orjson.dumps(config)) > MAX_CONFIG_BYTES:
            raise PayloadTooLarge(f"Configuration is larger than the limit of {MAX_CONFIG_BYTES} bytes")
        overrides = difference(config, SYSTEM_CONFIG_DEFAULTS)
        await self.db.write(lambda conn: system_config.put(conn, overrides))
        # connected apps reload /server/config and /server/features, as Immich tells them to
        await self.events.config_updated()
        return merge(SYSTEM_CONFIG_DEFAULTS, overrides)
