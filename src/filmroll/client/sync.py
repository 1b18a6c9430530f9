"""Pick the protocol: sync v2 when the server offers it to this login, else v1 full/delta sync."""

from __future__ import annotations

from filmroll.client.errors import AuthFailed, NotSupported
from filmroll.client.http import Api
from filmroll.client.replica import Replica
from filmroll.client.v1 import sync_v1
from filmroll.client.v2 import BATCH_LINES, OnBatch, OnTotal, SyncStats, sync_v2


async def synchronize(
    api: Api,
    replica: Replica,
    *,
    batch_lines: int = BATCH_LINES,
    on_batch: OnBatch | None = None,
    on_total: OnTotal | None = None,
) -> SyncStats:
    """v2 first; a server without it (404) or refusing it to API keys (403) gets v1."""
    try:
        return await sync_v2(api, replica, batch_lines=batch_lines, on_batch=on_batch, on_total=on_total)
    except NotSupported:
        pass
    except AuthFailed as exc:
        if exc.status != 403:
            raise
    return await sync_v1(api, replica, on_batch=on_batch)
