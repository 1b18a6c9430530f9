"""Python client for filmroll and Immich servers: login, upload, sync v2 (or v1) into a replica."""

from filmroll.client.errors import (
    AuthFailed,
    ClientError,
    NotSupported,
    ReplicaMismatch,
    ServerError,
    StreamInterrupted,
    Unreachable,
)
from filmroll.client.http import Api
from filmroll.client.replica import Replica
from filmroll.client.sync import synchronize
from filmroll.client.v1 import sync_v1
from filmroll.client.v2 import SyncStats, sync_v2

__all__ = [
    "Api",
    "AuthFailed",
    "ClientError",
    "NotSupported",
    "Replica",
    "ReplicaMismatch",
    "ServerError",
    "StreamInterrupted",
    "SyncStats",
    "Unreachable",
    "sync_v1",
    "sync_v2",
    "synchronize",
]
