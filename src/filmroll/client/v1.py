"""Sync v1 fallback, as the Immich app's legacy timeline does it: full sync, then delta sync.

The watermark is the client's own clock, read before each request. A full sync pages every
synced user by `id` up to `updatedUntil = now`, drops local assets the server no longer
listed, and is followed at once by a delta from that same `now`, so an asset changed while
the pages were read comes back in the same run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from filmroll.client.errors import ServerError
from filmroll.client.http import Api, iso_now
from filmroll.client.replica import Replica, canonical, delete_asset, upsert_asset, wipe
from filmroll.client.v2 import OnBatch, SyncStats

PAGE = 10_000
SHARE_RACES = 3
"""Full syncs restarted when a partner stops sharing between listing partners and paging them."""
ETAG = "sync.v1.etag"
USERS = "sync.v1.users"

#: Fields of AssetResponseDto that depend on how the asset was fetched, not on the asset.
_VOLATILE = ("exifInfo", "stack")


def asset_data(dto: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in dto.items() if k not in _VOLATILE}


def _put(replica: Replica, page: Sequence[Mapping[str, Any]], me: str) -> None:
    with replica.transaction() as conn:
        for dto in page:
            mine = dto["ownerId"] == me
            upsert_asset(conn, asset_data(dto), own=mine, partner=not mine)
            exif = dto.get("exifInfo")
            if exif is None:
                conn.execute("DELETE FROM exif WHERE asset_id = ?", [dto["id"]])
            else:
                conn.execute(
                    "INSERT INTO exif (asset_id, data) VALUES (?, ?) "
                    "ON CONFLICT (asset_id) DO UPDATE SET data = excluded.data",
                    [dto["id"], canonical(exif)],
                )


async def _notify(on_batch: OnBatch | None, entity_type: str, count: int) -> None:
    if on_batch is not None:
        result = on_batch(entity_type, count)
        if result is not None:
            await result


async def full_sync(
    api: Api, replica: Replica, me: str, users: Sequence[str], limit: int, on_batch: OnBatch | None
) -> str:
    """Replace every synced user's assets with the server's list; returns the watermark used."""
    until = iso_now()
    for user in users:
        seen: set[str] = set()
        last: str | None = None
        while True:
            page = await api.full_sync(user, until, limit, last)
            _put(replica, page, me)
            seen.update(str(dto["id"]) for dto in page)
            await _notify(on_batch, "AssetResponseDto", len(page))
            if len(page) < limit:
                break
            last = str(page[-1]["id"])
        with replica.transaction() as conn:
            local = [r[0] for r in conn.execute("SELECT id FROM assets WHERE owner_id = ?", [user])]
            for asset_id in local:
                if asset_id not in seen:
                    delete_asset(conn, asset_id)
    with replica.transaction() as conn:
        marks = ", ".join("?" for _ in users)
        gone = [
            r[0] for r in conn.execute(f"SELECT id FROM assets WHERE owner_id NOT IN ({marks})", list(users))
        ]
        for asset_id in gone:
            delete_asset(conn, asset_id)
    return until


async def delta_sync(
    api: Api, replica: Replica, me: str, users: Sequence[str], since: str, on_batch: OnBatch | None
) -> tuple[bool, int]:
    """Apply changes since `since`; (False, 0) when the server wants a full sync instead."""
    now = iso_now()
    delta = await api.delta_sync(since, users)
    if delta.get("needsFullSync"):
        return False, 0
    upserted, deleted = delta.get("upserted") or [], delta.get("deleted") or []
    _put(replica, upserted, me)
    with replica.transaction() as conn:
        for asset_id in deleted:
            delete_asset(conn, str(asset_id))
        replica.put(ETAG, now, conn)
    await _notify(on_batch, "AssetResponseDto", len(upserted) + len(deleted))
    return True, len(upserted) + len(deleted)


async def sync_v1(
    api: Api, replica: Replica, *, limit: int = PAGE, on_batch: OnBatch | None = None
) -> SyncStats:
    """Bring the replica's assets up to date with `POST /sync/full-sync` and `/sync/delta-sync`."""
    stats = SyncStats("v1")
    if replica.get("mode") != "v1":
        with replica.transaction() as conn:
            wipe(conn)
            replica.put("mode", "v1", conn)
            replica.put("session", None, conn)
    me = str((await api.me())["id"])
    users = await _timeline_users(api, me)
    since = replica.get(ETAG)
    if since is not None and replica.get(USERS) == ",".join(users):
        done, count = await delta_sync(api, replica, me, users, since, on_batch)
        if done:
            stats.add("AssetResponseDto", count)
            return stats
    stats.full = True
    for attempt in range(SHARE_RACES):
        try:
            until = await full_sync(api, replica, me, users, limit, on_batch)
            break
        except ServerError as exc:
            if exc.status != 400 or attempt == SHARE_RACES - 1:
                raise
            users = await _timeline_users(api, me)  # a partner stopped sharing while we paged
    with replica.transaction() as conn:
        replica.put(ETAG, until, conn)
        replica.put(USERS, ",".join(users), conn)
    stats.add("AssetResponseDto", replica.count("assets"))
    _done, count = await delta_sync(api, replica, me, users, until, on_batch)
    stats.add("AssetResponseDto", count)
    return stats


async def _timeline_users(api: Api, me: str) -> list[str]:
    """The caller and every partner sharing their timeline with it, as delta sync expects them."""
    partners = [str(p["id"]) for p in await api.partners_sharing_with_me()]
    return sorted({me, *partners})
