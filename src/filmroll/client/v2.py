"""Sync v2 consumer: stream, apply each run of same-type lines in one transaction, then ack.

The server keeps the checkpoints (per session), so a run that dies anywhere resumes from
the last acked batch: a batch is acked only after its transaction committed, and a batch
that was committed but not acked is simply sent again and re-applied (every apply is an
idempotent upsert or delete, and the resent lines come in the original order).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from filmroll.client.errors import ClientError, NotSupported, ServerError, StreamInterrupted
from filmroll.client.http import Api, stream_lines
from filmroll.client.repair import (
    LEGACY_RESET,
    Kind,
    RepairStats,
    after_reset,
    covered,
    keep_only_repairable,
    repair,
)
from filmroll.client.replica import Replica, wipe

#: Every request type the replica stores (the Immich app's list, minus what filmroll lacks).
TYPES: tuple[str, ...] = (
    "AuthUsersV1", "UsersV1", "PartnersV1", "AssetsV1", "StacksV1", "PartnerAssetsV1", "PartnerStacksV1",
    "AlbumAssetsV1", "AlbumsV1", "AlbumUsersV1", "AlbumToAssetsV1", "AssetExifsV1", "AlbumAssetExifsV1",
    "PartnerAssetExifsV1", "UserMetadataV1",
)  # fmt: skip

BATCH_LINES = 1000
MAX_RESETS = 3
RESET_ACK = "SyncResetV1|reset"

Item = dict[str, Any]
OnBatch = Callable[[str, int], Awaitable[None] | None]
OnTotal = Callable[[int], None]
"""Told how many lines the coming stream holds, before it starts (progress bars, ETAs)."""


@dataclass
class SyncStats:
    """What one sync run did, per entity type."""

    protocol: str
    applied: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    resets: int = 0
    full: bool = False
    repairs: list[RepairStats] = field(default_factory=list)
    """Repairs by difference this run made (after a reset, or a failed digest check)."""

    def add(self, entity_type: str, count: int) -> None:
        self.applied[entity_type] = self.applied.get(entity_type, 0) + count
        self.batches += 1

    @property
    def lines(self) -> int:
        return sum(self.applied.values())


def acks_of(batch: Sequence[Item]) -> list[str]:
    """The last ack of a batch; for `SyncAckV1` runs, the last ack of each type they carry."""
    if batch[0]["type"] != "SyncAckV1":
        return [str(batch[-1]["ack"])]
    latest: dict[str, str] = {}
    for item in batch:
        ack = str(item["ack"])
        latest[ack.split("|", 1)[0]] = ack
    return list(latest.values())


def session_key(token: str) -> str:
    """Identifies the session a replica's progress belongs to, without storing the token twice."""
    return hashlib.sha256(token.encode()).hexdigest()


class StreamConsumer:
    """Reads one stream into the replica; `reset` is set when the server asked for a reset."""

    def __init__(
        self, api: Api, replica: Replica, stats: SyncStats, batch_lines: int, on_batch: OnBatch | None
    ) -> None:
        self.api = api
        self.replica = replica
        self.stats = stats
        self.batch_lines = batch_lines
        self.on_batch = on_batch
        self.reset = False
        self.complete = False
        self.repairable: tuple[str, ...] = ()
        """On `SyncResetV1`, the request types to keep for a repair instead of wiping them."""

    async def flush(self, batch: list[Item]) -> None:
        entity_type = str(batch[0]["type"])
        with self.replica.transaction() as conn:
            if entity_type == "SyncResetV1" and self.repairable:
                keep_only_repairable(conn, self.repairable)
                self.replica.put(REPAIR_PENDING, ",".join(self.repairable), conn)
            else:
                for item in batch:
                    self.replica.apply(conn, item)
        await self.api.ack([RESET_ACK] if entity_type == "SyncResetV1" else acks_of(batch))
        self.stats.add(entity_type, len(batch))
        self.reset = self.reset or entity_type == "SyncResetV1"
        self.complete = self.complete or entity_type == "SyncCompleteV1"
        if self.on_batch is not None:
            result = self.on_batch(entity_type, len(batch))
            if result is not None:
                await result

    async def run(self, types: Sequence[str], *, reset: bool, fresh: Callable[[], None] | None) -> None:
        resp = await self.api.open_stream(types, reset=reset)
        try:
            if fresh is not None:
                fresh()
            batch: list[Item] = []
            async for item in stream_lines(resp):
                if batch and (item["type"] != batch[0]["type"] or len(batch) >= self.batch_lines):
                    await self.flush(batch)
                    batch = []
                batch.append(item)
            if batch:
                await self.flush(batch)
        finally:
            await resp.aclose()
        if not (self.complete or self.reset):
            raise StreamInterrupted("sync stream ended before it was complete; run again to resume")


async def announce(api: Api, types: Sequence[str], reset: bool, on_total: OnTotal) -> None:
    """Tell `on_total` the size of the coming stream; a server without estimates (or one that
    refuses it) only costs the progress bar its total."""
    try:
        found = await api.estimate(types, reset=reset)
    except ClientError:
        return
    if found is not None:
        on_total(int(found["lines"]))


REPAIR_PENDING = "repair.pending"
"""Replica meta key set while a repair after a reset is unfinished, to the request types it
covers (comma-separated; "1" from versions that repaired only own assets and exif): the next
run finishes it before streaming (the server forgot the session's checkpoints when the reset
was acked)."""


def pending_kinds(value: str) -> tuple[Kind, ...]:
    """The kinds a pending repair after a reset covers (`REPAIR_PENDING`)."""
    return after_reset(LEGACY_RESET if value == "1" else value.split(","))


async def _repair(
    api: Api,
    replica: Replica,
    stats: SyncStats,
    *,
    after_reset: bool,
    types: Sequence[str] = TYPES,
    kinds: Sequence[Kind] = (),
) -> bool:
    """Repair by difference (after a reset `kinds`, storing the checkpoints their top-level
    digests gave; on a check every digested kind the stream asked for); False when the server
    has no digests (the caller starts over)."""
    if not after_reset:
        kinds = covered(types)
    try:
        done = await repair(api, replica, kinds)
    except NotSupported:
        return False
    if after_reset:
        await api.ack(done.acks)
        replica.put(REPAIR_PENDING, None)
    stats.repairs.append(done)
    return True


async def sync_v2(
    api: Api,
    replica: Replica,
    *,
    types: Sequence[str] = TYPES,
    batch_lines: int = BATCH_LINES,
    on_batch: OnBatch | None = None,
    on_total: OnTotal | None = None,
    check: bool = False,
) -> SyncStats:
    """Bring the replica up to date over `POST /sync/stream` (Immich wants a session token).

    A replica that belongs to another session (or was filled by v1) starts over with
    `reset: true`, so server progress and local rows always describe the same history.
    `on_total` hears the line count of each stream first, from filmroll's `/sync/estimate`
    (not called by servers without it).

    When the server asks for a reset, a filmroll server is not asked for the whole library
    again: every digested kind the stream asks for (own and partner assets, exif and stacks,
    albums, album members and links, the assets and exif of albums, users) is repaired by
    difference (`client.repair`) and the stream resumes from the checkpoints the digests
    gave, sending only what has no digest in full; servers without digests get the full
    download. With `check`, the digests of
    every kind streamed are compared after the stream and differences repaired.
    """
    key = session_key(api.token or api.api_key or "")
    stats = SyncStats("v2")
    start_over = replica.get("mode") != "v2" or replica.get("session") != key

    def adopt() -> None:
        with replica.transaction() as conn:
            wipe(conn)
            replica.put("mode", "v2", conn)
            replica.put("session", key, conn)
        stats.full = True

    pending = replica.get(REPAIR_PENDING)
    if (
        not start_over
        and pending
        and not await _repair(api, replica, stats, after_reset=True, kinds=pending_kinds(pending))
    ):
        start_over = True
    for _ in range(MAX_RESETS + 1):
        consumer = StreamConsumer(api, replica, stats, batch_lines, on_batch)
        if not start_over:
            consumer.repairable = tuple(kind.request_type for kind in after_reset(types))
        if on_total is not None:
            await announce(api, types, start_over, on_total)
        await consumer.run(types, reset=start_over, fresh=adopt if start_over else None)
        start_over = False
        if not consumer.reset:
            if check:
                await _repair(api, replica, stats, after_reset=False, types=types)
            return stats
        stats.resets += 1
        if consumer.repairable and await _repair(
            api, replica, stats, after_reset=True, kinds=after_reset(consumer.repairable)
        ):
            continue
        replica.wipe()
        replica.put(REPAIR_PENDING, None)
        stats.full = True
    raise ServerError("the server keeps asking for a sync reset")
