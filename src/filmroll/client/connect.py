"""Credentials for a mirror: reuse the session stored with the replica, or log in, or an API key.

Sync v2 progress lives on the server per session, so a mirror keeps its session token in
its replica and uses it again next time; a new login would start the stream from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass

from filmroll.client.errors import AuthFailed, ReplicaMismatch
from filmroll.client.http import Api
from filmroll.client.replica import Replica

TOKEN = "token"
USER_ID = "user_id"
EMAIL = "email"
SERVER = "server"


@dataclass(frozen=True)
class Credentials:
    email: str | None = None
    password: str | None = None
    api_key: str | None = None


async def _stored_session(url: str, replica: Replica, creds: Credentials) -> Api | None:
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


async def connect(url: str, replica: Replica, creds: Credentials) -> Api:
    """An authenticated client for this replica; refuses a replica of another user."""
    if creds.api_key:
        api = Api(url, api_key=creds.api_key)
    else:
        found = await _stored_session(url, replica, creds)
        if found is not None:
            api = found
        elif creds.email and creds.password:
            api = Api(url)
            try:
                await api.login(creds.email, creds.password)
            except BaseException:
                await api.aclose()
                raise
        else:
            raise AuthFailed("no credentials: give --email and --password, or --api-key")
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
