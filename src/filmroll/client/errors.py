"""Client-side failures, each with a message fit to show a user without a traceback."""

from __future__ import annotations


class ClientError(Exception):
    """Base of every error the sync client reports to its caller."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Unreachable(ClientError):
    """The server could not be reached (refused, DNS, timeout)."""


class AuthFailed(ClientError):
    """Credentials were refused (401) or lack a permission (403)."""


class NotSupported(ClientError):
    """The server does not offer an endpoint (404) or refuses it for this kind of login."""


class ServerError(ClientError):
    """The server answered with an unexpected status or cut a response short."""


class StreamInterrupted(ServerError):
    """A sync stream ended before its `SyncCompleteV1` line; what was acked so far is kept."""


class ReplicaMismatch(ClientError):
    """The target folder holds a replica of a different server or user."""
