"""The locked folder: a user's PIN code and the sessions it unlocks.

A user sets a six-digit PIN once; entering it unlocks the current session for `UNLOCK_FOR`,
and an unlocked session that keeps being used is kept unlocked `KEEP_ALIVE` past its last
request, as Immich does, so it locks itself a few minutes after the app stops using it. Only an
unlocked session reads or changes its user's locked assets (`services.access.unlocked`); API
keys have no session and never unlock. Removing a PIN (by its owner or an admin) or an admin
replacing it locks every session of the user, so no unlock outlives the PIN it was made with.

PINs are hashed like passwords. Hashing and checking run in a worker thread: an argon2 check
takes tens of milliseconds and would otherwise stall every other request. Six digits are a
million guesses, which a stolen session could try in hours; so, unlike Immich, after
`FREE_TRIES` wrong PINs or passwords in a row a user's next check waits (`backoff`), doubling up
to a quarter of an hour, whichever session or key asks. The count lives in the server process
(one process per data directory) and a right answer clears it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import anyio
from sqlalchemy.engine import Connection, Row

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.errors import AppError, BadRequest, Unauthorized
from filmroll.repositories import sessions, users
from filmroll.security import hash_password, verify_password

if TYPE_CHECKING:
    from filmroll.services.auth import AuthContext

UNLOCK_FOR = timedelta(minutes=15)
"""How long a PIN unlock lasts (Immich's elevated-permission time)."""
KEEP_ALIVE = timedelta(minutes=5)
"""An unlocked session used this close to its expiry is kept unlocked this long after the use."""
_EXTEND_BELOW = KEEP_ALIVE - timedelta(seconds=30)
"""Extend only when this little is left: at most one write per session every 30 s, not one
per thumbnail the app fetches."""
SESSION_ONLY = "This endpoint can only be used with a session token"
FREE_TRIES = 5
"""Wrong PINs or passwords in a row before checks are spaced out."""
FIRST_WAIT = 30.0
LONGEST_WAIT = 900.0


class TooManyTries(AppError):
    status = 429


def backoff(failures: int) -> float:
    """Seconds the next check waits after `failures` wrong answers in a row."""
    if failures < FREE_TRIES:
        return 0.0
    return min(FIRST_WAIT * 2.0 ** min(failures - FREE_TRIES, 16), LONGEST_WAIT)


MAX_TRACKED = 10_000
"""Counts kept at most; beyond it, counts no longer holding back a check are forgotten first."""


class Guesses:
    """Wrong answers in a row per key (a user's PIN, a shared link, a client address), and the
    time before which each key's next check is refused (`backoff`, after its free tries)."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, float]] = {}

    def begin(self, keys: Sequence[tuple[str, int]]) -> None:
        """Refuse while any of `keys` (each with its free tries) waits; else count this attempt
        as wrong until `right` says otherwise, so guesses sent at once cannot all slip through
        before the first is counted."""
        now = time.monotonic()
        wait = max(self._seen.get(key, (0, 0.0))[1] - now for key, _free in keys)
        if wait > 0:
            raise TooManyTries(f"Too many wrong attempts, try again in {int(wait) + 1} seconds")
        if len(self._seen) >= MAX_TRACKED:
            self._forget(now)
        for key, free in keys:
            failures = self._seen.get(key, (0, 0.0))[0] + 1
            self._seen[key] = (failures, now + backoff(failures - free + FREE_TRIES))

    def right(self, keys: Sequence[tuple[str, int]]) -> None:
        for key, _free in keys:
            self._seen.pop(key, None)

    def __len__(self) -> int:
        return len(self._seen)

    def _forget(self, now: float) -> None:
        """Drop the counts no longer holding a check back; if still too many, those whose wait
        ends soonest."""
        for key in [k for k, (_failures, not_before) in self._seen.items() if not_before <= now]:
            del self._seen[key]
        if len(self._seen) >= MAX_TRACKED:
            for key, _value in sorted(self._seen.items(), key=lambda item: item[1][1])[: MAX_TRACKED // 2]:
                del self._seen[key]


@dataclass(frozen=True, slots=True)
class AuthStatus:
    """What `GET /api/auth/status` reports."""

    pin_code: bool
    password: bool
    is_elevated: bool
    expires_at: datetime | None
    pin_expires_at: datetime | None


def is_unlocked(pin_expires_at: datetime | None, now: datetime | None = None) -> bool:
    return pin_expires_at is not None and pin_expires_at > (now or utcnow())


async def keep_alive(db: Database, session: Row[Any]) -> datetime | None:
    """The session's unlock expiry after this request: moved to `KEEP_ALIVE` from now when an
    unlocked session is used near its end, otherwise as stored."""
    now, current = utcnow(), session.pin_expires_at
    if not is_unlocked(current, now) or current - now >= _EXTEND_BELOW:
        return current  # type: ignore[no-any-return]
    later = now + KEEP_ALIVE
    await db.write(lambda c: sessions.extend_pin_expires_at(c, session.id, later, now))
    return later


def admin_pin_value(pin_code: str | None) -> str | None:
    """The stored form of a PIN an admin sets (`PUT /api/admin/users/{id}`); None or "" removes it."""
    return hash_password(pin_code) if pin_code else None


def lock_all(conn: Connection, user_id: uuid.UUID) -> None:
    """Lock every session of the user, in the caller's transaction (its PIN changed hands)."""
    sessions.lock_all(conn, user_id)


class LockedFolderService:
    """PIN set-up, change and reset, and unlocking or locking the caller's session."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._guesses = Guesses()
        """Per user: wrong answers in a row, and when the next check may run."""

    async def status(self, auth: AuthContext) -> AuthStatus:
        user = await self._user(auth)
        session_id = auth.session_id
        session = None if session_id is None else await self.db.read(lambda c: sessions.get(c, session_id))
        return AuthStatus(
            pin_code=bool(user.pin_code),
            password=bool(user.password_hash),
            is_elevated=session is not None and is_unlocked(auth.pin_expires_at),
            expires_at=None if session is None else session.expires_at,
            pin_expires_at=None if session is None else session.pin_expires_at,
        )

    async def setup(self, auth: AuthContext, pin_code: str) -> None:
        hashed = await anyio.to_thread.run_sync(hash_password, pin_code)

        def store(conn: Connection) -> None:
            user = users.get(conn, auth.user_id)
            if user is None:
                raise Unauthorized("Invalid user token")
            if user.pin_code:
                raise BadRequest("User already has a PIN code")
            users.update(conn, auth.user_id, {"pin_code": hashed})

        await self.db.write(store)

    async def change(
        self, auth: AuthContext, new_pin_code: str, *, pin_code: str | None, password: str | None
    ) -> None:
        """Replace the PIN after checking the current one or the password; unlocks stay."""
        checked = await self._check(auth, pin_code=pin_code, password=password)
        hashed = await anyio.to_thread.run_sync(hash_password, new_pin_code)
        await self.db.write(lambda c: self._replace(c, auth.user_id, checked, hashed))

    async def reset(self, auth: AuthContext, *, pin_code: str | None, password: str | None) -> None:
        """Remove the PIN after checking it or the password, and lock every session."""
        checked = await self._check(auth, pin_code=pin_code, password=password)
        await self.db.write(lambda c: self._replace(c, auth.user_id, checked, None))

    async def unlock(self, auth: AuthContext, pin_code: str | None) -> None:
        """Unlock the calling session with the PIN; the password does not unlock (as in Immich)."""
        session_id = self._session(auth)
        await self._check(auth, pin_code=pin_code, password=None)
        until = utcnow() + UNLOCK_FOR
        await self.db.write(lambda c: sessions.set_pin_expires_at(c, session_id, until))

    async def lock(self, auth: AuthContext) -> None:
        session_id = self._session(auth)
        await self.db.write(lambda c: sessions.set_pin_expires_at(c, session_id, None))

    @staticmethod
    def _session(auth: AuthContext) -> uuid.UUID:
        if auth.session_id is None:
            raise BadRequest(SESSION_ONLY)
        return auth.session_id

    async def _user(self, auth: AuthContext) -> Row[Any]:
        user = await self.db.read(lambda c: users.get(c, auth.user_id))
        if user is None:
            raise Unauthorized("Invalid user token")
        return user

    async def _check(self, auth: AuthContext, *, pin_code: str | None, password: str | None) -> str:
        """The stored PIN hash, once the password (preferred when given) or the PIN matches it."""
        user = await self._user(auth)
        if not user.pin_code:
            raise BadRequest("User does not have a PIN code")
        if not password and not pin_code:
            raise BadRequest("Either password or pinCode is required")
        keys = [(f"user:{auth.user_id}", FREE_TRIES)]
        self._guesses.begin(keys)
        if password:
            stored, secret, wrong = user.password_hash, password, "Wrong password"
        else:
            stored, secret, wrong = user.pin_code, str(pin_code), "Wrong PIN code"
        if not await anyio.to_thread.run_sync(verify_password, stored, secret):
            raise BadRequest(wrong)
        self._guesses.right(keys)
        return str(user.pin_code)

    @staticmethod
    def _replace(conn: Connection, user_id: uuid.UUID, checked: str, hashed: str | None) -> None:
        """Store the new PIN unless another request replaced the checked one meanwhile."""
        user = users.get(conn, user_id)
        if user is None or user.pin_code != checked:
            raise BadRequest("Wrong PIN code")
        users.update(conn, user_id, {"pin_code": hashed})
        if hashed is None:
            sessions.lock_all(conn, user_id)
