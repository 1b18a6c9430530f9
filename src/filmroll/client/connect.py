"""Credentials for a mirror: reuse the session stored with the replica, or log in, or an API key.

Sync v2 progress lives on the server per session, so a mirror keeps its session token in
its replica and uses it again next time; a new login would start the stream from scratch.
Credentials given by the user are still checked every time: a wrong password or API key
stops the run instead of quietly syncing with the stored session.
"""

from __future__ import annotations

from dataclasses import dataclass

from filmroll.client.errors import AuthFailed, ClientError, ReplicaMismatch
from filmroll.client.http import Api
from filmroll.client.replica import Replica

TOKEN = "token"
USER_ID = "user_id"
EMAIL = "email"
SERVER = "server"


@dataclass(frozen=True)
class Credentials:
    """What the user gave; `checked` means the password already logged in once this process."""

    email: str | None = None
    password: str | None = None
    api_key: str | None = None
    checked: bool = False


async def _stored_session(url: str, replica: Replica, creds: Credentials) -> Api | None:
    """The replica's own session, if it belongs to `creds.email` and the server still honours it."""
    token = replica.get(TOKEN)
    if token is None or (creds.email and creds.email.lower() != replica.get(EMAIL)):
        return None
    api = Api(url, token=token)
    try:
        await api.me()
    except AuthFailed:
        await api.aclose()
        if creds.password is None:
            raise AuthFailed(
                "the stored session is no longer valid; log in again with --email and --password"
            ) from None
        return None
    except BaseException:
        await api.aclose()
        raise
    return api


async def _login(url: str, email: str, password: str) -> Api:
    api = Api(url)
    try:
        await api.login(email, password)
    except BaseException:
        await api.aclose()
        raise
    return api


async def _discard(api: Api) -> None:
    """Log a session out that is not needed after all; a failure only leaves it to expire."""
    try:
        await api.logout()
    except ClientError:
        pass
    finally:
        await api.aclose()


async def _with_password(url: str, replica: Replica, creds: Credentials, email: str, password: str) -> Api:
    """Check the password by logging in, then keep the stored session (and its sync progress)
    when it belongs to the same user and is still valid; otherwise use the new session."""
    fresh = None if creds.checked else await _login(url, email, password)
    try:
        stored = await _stored_session(url, replica, creds)
    except BaseException:
        if fresh is not None:
            await _discard(fresh)
        raise
    if stored is None:
        return fresh if fresh is not None else await _login(url, email, password)
    if fresh is not None:
        await _discard(fresh)
    return stored


async def connect(url: str, replica: Replica, creds: Credentials) -> Api:
    """An authenticated client for this replica; refuses a replica of another user.

    Given credentials that the server refuses end the attempt (`AuthFailed`): the stored
    session is a shortcut for the same user, never a fallback for a wrong password.
    """
    if creds.api_key:
        api = Api(url, api_key=creds.api_key)
    elif creds.email and creds.password:
        api = await _with_password(url, replica, creds, creds.email, creds.password)
    else:
        found = await _stored_session(url, replica, creds)
        if found is None:
            raise AuthFailed("no credentials: give --email and --password, or --api-key")
        api = found
    try:
        await _bind(api, replica)
    except BaseException:
        await api.aclose()
        raise
    return api


async def _bind(api: Api, replica: Replica) -> None:
    me = await api.me()
    known = replica.get(USER_ID)
    if known is not None and known != str(me["id"]):
        raise ReplicaMismatch(
            f"this folder mirrors another user ({replica.get(EMAIL)}); use a different target folder"
        )
    with replica.transaction() as conn:
        replica.put(USER_ID, str(me["id"]), conn)
        replica.put(EMAIL, str(me["email"]).lower(), conn)
        replica.put(SERVER, api.base, conn)
        if api.token is not None:
            replica.put(TOKEN, api.token, conn)
