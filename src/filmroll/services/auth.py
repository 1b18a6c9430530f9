"""Authentication: token sources in Immich's order, sessions, API keys, passwords."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection, Row

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.errors import BadRequest, Forbidden, Unauthorized
from filmroll.repositories import api_keys, sessions, system_config, users
from filmroll.security import digest, hash_password, new_token, verify_password
from filmroll.services import events, locked
from filmroll.services.permissions import PERMISSION_SET, allows

_SESSION_TOUCH = timedelta(hours=1)
_DUMMY_HASH = hash_password(new_token())
"""Verified against when the email is unknown (or has no password), to equalise login timing."""
_SESSION_HEADERS = ("x-immich-user-token", "x-immich-session-token")


@dataclass(frozen=True, slots=True)
class LinkGrant:
    """The shared link a visitor came through and what it allows (`services.shared_links`)."""

    id: uuid.UUID
    album_id: uuid.UUID | None
    allow_upload: bool
    allow_download: bool
    show_metadata: bool


@dataclass(frozen=True, slots=True)
class AuthContext:
    """Who is calling: the user, and either their session or their API key's permissions."""

    user: Row[Any]
    session_id: uuid.UUID | None = None
    permissions: tuple[str, ...] | None = None
    pin_expires_at: datetime | None = None
    """Until when the session is PIN-unlocked (`services.locked`)."""
    link: LinkGrant | None = None
    """Set for a shared-link visitor: `user` is then the link's owner, whose rights it never has."""
    api_key_id: uuid.UUID | None = None
    """The API key the caller authenticated with (its v1 syncs are recorded for the Devices page)."""

    @property
    def user_id(self) -> uuid.UUID:
        return uuid.UUID(str(self.user.id))

    @property
    def is_admin(self) -> bool:
        return bool(self.user.is_admin)


@dataclass(frozen=True, slots=True)
class Credentials:
    """The raw token sources of a request."""

    headers: Mapping[str, str]
    query: Mapping[str, str]
    cookies: Mapping[str, str]

    def session_token(self) -> str | None:
        for name in _SESSION_HEADERS:
            if value := self.headers.get(name):
                return value
        if value := self.query.get("sessionKey"):
            return value
        match = re.match(r"(?i)bearer\s+(\S+)", self.headers.get("authorization", ""))
        if match:
            return match.group(1)
        return self.cookies.get("immich_access_token") or None

    def api_key(self) -> str | None:
        return self.headers.get("x-api-key") or self.query.get("apiKey") or None


def parse_user_agent(agent: str) -> tuple[str, str, str | None]:
    """(deviceOS, deviceType, appVersion) from a User-Agent, as far as Immich clients reveal them."""
    if match := re.match(r"Immich_(Android|iOS)_([\w.+-]+)", agent):
        return match.group(1), "Mobile", match.group(2)
    for os_name in ("Windows", "Android", "iPhone", "Mac OS", "Linux"):
        if os_name in agent:
            return ("iOS" if os_name == "iPhone" else os_name), "Browser" if "Mozilla" in agent else "", None
    return "", "", None


class AuthService:
    """Rules for signing up, logging in and checking credentials."""

    def __init__(self, db: Database, session_days: int, bus: events.EventBus | None = None) -> None:
        self.db = db
        self.session_days = session_days
        self.events = bus or events.EventBus()

    async def authenticate(
        self, creds: Credentials, permission: str | None, user_agent: str = ""
    ) -> AuthContext:
        if token := creds.session_token():
            return await self._by_session(token, user_agent)
        if key := creds.api_key():
            return await self._by_api_key(key, permission)
        raise Unauthorized("Authentication required")

    async def _by_session(self, token: str, user_agent: str) -> AuthContext:
        def find(conn: Connection) -> tuple[Row[Any], Row[Any]] | None:
            return sessions.find_valid(conn, digest(token), utcnow())

        found = await self.db.read(find)
        if found is None:
            raise Unauthorized("Invalid user token")
        session, user = found
        device_os, device_type, version = parse_user_agent(user_agent)
        if utcnow() - session.updated_at > _SESSION_TOUCH or (version and version != session.app_version):
            values: dict[str, Any] = {"updated_at": utcnow()}
            if version:
                values.update(app_version=version, device_os=device_os, device_type=device_type)
            await self.db.write(lambda c: sessions.update(c, session.id, values))
        pin_expires_at = await locked.keep_alive(self.db, session)
        return AuthContext(user=user, session_id=session.id, pin_expires_at=pin_expires_at)

    async def _by_api_key(self, key: str, permission: str | None) -> AuthContext:
        found = await self.db.read(lambda c: api_keys.find_valid(c, digest(key)))
        if found is None:
            raise Unauthorized("Invalid API key")
        row, user = found
        granted = list(row.permissions)
        if permission is not None and not allows(granted, permission):
            raise Forbidden(f"Missing required permission: {permission}")
        return AuthContext(user=user, permissions=tuple(granted), api_key_id=row.id)

    async def admin_sign_up(self, email: str, name: str, password: str) -> Row[Any]:
        def create(conn: Connection) -> Row[Any]:
            if users.admin_exists(conn):
                raise BadRequest("The server already has an admin")
            return users.insert(
                conn,
                {
                    "email": email.lower(),
                    "name": name,
                    "password_hash": hash_password(password),
                    "is_admin": True,
                },
            )

        return await self.db.write(create)

    async def login(self, email: str, password: str, user_agent: str) -> tuple[str, Row[Any]]:
        """Check the password; an unknown email costs the same hash verification as a known
        one, so response times do not reveal which accounts exist. An admin may turn password
        login off in the system config (`passwordLogin.enabled`), as in Immich."""
        if not await self.db.read(system_config.password_login_enabled):
            raise Unauthorized("Password login has been disabled")
        user = await self.db.read(lambda c: users.get_by_email(c, email.lower()))
        stored = user.password_hash if user is not None else None
        matches = verify_password(stored or _DUMMY_HASH, password)
        if user is None or not stored or not matches:
            raise Unauthorized("Incorrect email or password")
        token = await self.create_session(user.id, user_agent)
        return token, user

    async def create_session(self, user_id: uuid.UUID, user_agent: str) -> str:
        """A login session; device fields come from the User-Agent."""
        token, _row = await self._new_session(user_id, user_agent)
        return token

    async def create_child_session(
        self,
        auth: AuthContext,
        user_agent: str,
        *,
        duration: timedelta | None = None,
        device_os: str | None = None,
        device_type: str | None = None,
    ) -> tuple[str, Row[Any]]:
        """`POST /api/sessions`: a session under the caller's, e.g. for a casting device.

        As in Immich, `duration` sets the expiry (otherwise the configured session lifetime
        applies) and the given device fields override what the User-Agent reveals.
        """
        if auth.session_id is None:
            raise BadRequest("This endpoint can only be used with a session token")
        return await self._new_session(
            auth.user_id,
            user_agent,
            parent_id=auth.session_id,
            duration=duration,
            device_os=device_os,
            device_type=device_type,
        )

    async def _new_session(
        self,
        user_id: uuid.UUID,
        user_agent: str,
        *,
        parent_id: uuid.UUID | None = None,
        duration: timedelta | None = None,
        device_os: str | None = None,
        device_type: str | None = None,
    ) -> tuple[str, Row[Any]]:
        token = new_token()
        agent_os, agent_type, version = parse_user_agent(user_agent)
        now = utcnow()
        values = {
            "user_id": user_id,
            "token_hash": digest(token),
            "parent_id": parent_id,
            "device_os": agent_os if device_os is None else device_os,
            "device_type": agent_type if device_type is None else device_type,
            "app_version": version,
            "created_at": now,
            "updated_at": now,
            "expires_at": now + (duration or timedelta(days=self.session_days)),
        }
        row = await self.db.write(lambda c: sessions.insert(c, values))
        return token, row

    async def logout(self, auth: AuthContext) -> None:
        if auth.session_id is not None:
            session_id = auth.session_id
            async with self.events.collect() as outbox:
                await self.db.write(lambda c: sessions.delete(c, session_id))
                events.sessions_deleted(outbox, [session_id])

    async def change_password(
        self, auth: AuthContext, password: str, new_password: str, invalidate_sessions: bool
    ) -> Row[Any]:
        if not verify_password(auth.user.password_hash, password):
            raise BadRequest("Wrong password")

        def change(conn: Connection) -> Row[Any]:
            row = users.update(conn, auth.user_id, {"password_hash": hash_password(new_password)})
            if invalidate_sessions:
                sessions.delete_for_user(conn, auth.user_id, keep=auth.session_id)
            assert row is not None
            return row

        return await self.db.write(change)

    # API keys

    async def create_api_key(
        self, auth: AuthContext, name: str, permissions: Sequence[str]
    ) -> tuple[str, Row[Any]]:
        self._check_permissions(auth, permissions)
        secret = new_token()
        now = utcnow()
        values = {
            "user_id": auth.user_id,
            "name": name,
            "key_hash": digest(secret),
            "permissions": list(permissions),
            "created_at": now,
            "updated_at": now,
        }
        row = await self.db.write(lambda c: api_keys.insert(c, values))
        return secret, row

    @staticmethod
    def _check_permissions(auth: AuthContext, permissions: Sequence[str]) -> None:
        unknown = [p for p in permissions if p not in PERMISSION_SET]
        if unknown:
            raise BadRequest(
                [f"each value in permissions must be one of the Permission values ({p})" for p in unknown]
            )
        if auth.permissions is not None:
            missing = [p for p in permissions if not allows(list(auth.permissions), p)]
            if missing:
                raise BadRequest(f"Cannot grant permissions you do not have: {', '.join(missing)}")

    async def list_api_keys(self, auth: AuthContext) -> Sequence[Row[Any]]:
        return await self.db.read(lambda c: api_keys.list_for_user(c, auth.user_id))

    async def get_api_key(self, auth: AuthContext, key_id: uuid.UUID) -> Row[Any]:
        row = await self.db.read(lambda c: api_keys.get(c, auth.user_id, key_id))
        if row is None:
            raise BadRequest("API Key not found")
        return row

    async def current_api_key(self, auth: AuthContext, creds: Credentials) -> Row[Any]:
        key = creds.api_key()
        if auth.permissions is None or key is None:
            raise Forbidden("Not authenticated with an API key")
        found = await self.db.read(lambda c: api_keys.find_valid(c, digest(key)))
        if found is None:
            raise Unauthorized("Invalid API key")
        return found[0]

    async def update_api_key(
        self, auth: AuthContext, key_id: uuid.UUID, name: str | None, permissions: Sequence[str] | None
    ) -> Row[Any]:
        await self.get_api_key(auth, key_id)
        values: dict[str, Any] = {"updated_at": utcnow()}
        if name is not None:
            values["name"] = name
        if permissions is not None:
            self._check_permissions(auth, permissions)
            values["permissions"] = list(permissions)

        def update(conn: Connection) -> Row[Any]:
            api_keys.update(conn, key_id, values)
            row = api_keys.get(conn, auth.user_id, key_id)
            assert row is not None
            return row

        return await self.db.write(update)

    async def delete_api_key(self, auth: AuthContext, key_id: uuid.UUID) -> None:
        await self.get_api_key(auth, key_id)
        await self.db.write(lambda c: api_keys.delete(c, key_id))

    # Sessions

    async def list_sessions(self, auth: AuthContext) -> Sequence[Row[Any]]:
        return await self.db.read(lambda c: sessions.list_for_user(c, auth.user_id))

    async def _own_session(self, auth: AuthContext, session_id: uuid.UUID) -> Row[Any]:
        row = await self.db.read(lambda c: sessions.get(c, session_id))
        if row is None or row.user_id != auth.user_id:
            raise BadRequest("Not found or no session access")
        return row

    async def delete_session(self, auth: AuthContext, session_id: uuid.UUID) -> None:
        await self._own_session(auth, session_id)
        async with self.events.collect() as outbox:
            await self.db.write(lambda c: sessions.delete(c, session_id))
            events.sessions_deleted(outbox, [session_id])

    async def delete_other_sessions(self, auth: AuthContext) -> None:
        def delete(conn: Connection) -> None:
            events.user_sessions_deleted(conn, outbox, auth.user_id, keep=auth.session_id)
            sessions.delete_for_user(conn, auth.user_id, keep=auth.session_id)

        async with self.events.collect() as outbox:
            await self.db.write(delete)

    async def update_session(
        self, auth: AuthContext, session_id: uuid.UUID, pending_reset: bool | None
    ) -> Row[Any]:
        await self._own_session(auth, session_id)

        def update(conn: Connection) -> Row[Any]:
            if pending_reset:
                sessions.update(conn, session_id, {"is_pending_sync_reset": True, "updated_at": utcnow()})
            row = sessions.get(conn, session_id)
            assert row is not None
            return row

        return await self.db.write(update)
