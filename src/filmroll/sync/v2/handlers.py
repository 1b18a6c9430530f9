"""Per-request-type handlers of the v2 stream, as data: each type is a tuple of steps, deletes
first, then backfill, then upserts (`HANDLERS`).

Each step turns the run into encoded lines. Lost access becomes explicit deletes, so a
client never keeps rows it may no longer see: a partner that stops sharing yields a delete
for each of their assets and stacks, and a partner asset that leaves the timeline is a
delete for its viewers.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

import anyio
import orjson
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import assets as assets_table
from filmroll.db.schema import stacks as stacks_table
from filmroll.sync.forms.queries import ASSETS, FormTable
from filmroll.sync.forms.queries import EXIF as EXIF_FORMS
from filmroll.sync.forms.renderer import completed
from filmroll.sync.v2 import asset_metadata as asset_metadata_sync
from filmroll.sync.v2 import checkpoints
from filmroll.sync.v2 import memories as memory_sync
from filmroll.sync.v2 import queries as repo
from filmroll.sync.v2.acks import ack, backfill_ack
from filmroll.sync.v2.lines import (
    EMPTY,
    line,
    stored_lines,
    sync_album,
    sync_album_to_asset,
    sync_album_user,
    sync_auth_user,
    sync_partner,
    sync_stack,
    sync_user,
    sync_user_metadata,
    sync_user_metadata_delete,
)
from filmroll.sync.v2.run import Run, Source, merge
from filmroll.sync.v2.types import ALBUM_ASSET_LOSS

Lines = AsyncIterator[bytes]
Tagged = AsyncIterator[tuple[int, bytes]]
Mapper = Callable[[Any], dict[str, Any] | orjson.Fragment]
Relations = Callable[[Connection, uuid.UUID, int, int], Sequence[Row[Any]]]
Step = Callable[[Run], Lines]
"""One part of a request type's answer (its deletes, a backfill or its upserts), as line blobs."""


class IdsOf(Protocol):
    """Ids of one owner's rows after `after_id`, in id order."""

    def __call__(
        self, conn: Connection, owner: uuid.UUID, after_id: uuid.UUID | None, limit: int
    ) -> Sequence[Row[Any]]: ...


def bind(fn: Callable[..., Sequence[Row[Any]]], *args: Any) -> Source:
    """A row source with its leading arguments (viewer, album, owner...) fixed."""
    return lambda conn, after, upper, limit: fn(conn, *args, after, upper, limit)


def by_id(fn: Callable[..., Sequence[Row[Any]]]) -> Callable[[Row[Any]], Source]:
    """A backfill source over one relation's rows, given the relation's id."""
    return lambda rel: bind(fn, rel.id)


@dataclass(frozen=True)
class Stored:
    """The mapper of asset and exif lines: their stored v2 form, rendered first where stale.

    Sources mapped by it are wrapped (`_source`) so each page is completed in its own read.
    """

    table: FormTable

    def __call__(self, row: Any) -> orjson.Fragment:
        return orjson.Fragment(row.wire)


ASSET = Stored(ASSETS)
EXIF = Stored(EXIF_FORMS)


def _source(source: Source, mapper: Mapper) -> Source:
    if not isinstance(mapper, Stored):
        return source
    table = mapper.table
    return lambda conn, after, upper, limit: completed(conn, table, source(conn, after, upper, limit))


def composed(entity: str, forms: FormTable, query: Callable[..., Sequence[Row[Any]]]) -> Step:
    """The owner's asset or exif lines, each batch composed by the database from the stored
    forms: on PostgreSQL from one query streaming to the end (`queries.LineStream`), else (or
    once the stream met a stale form) a query per batch (`queries.own_blob`); a batch with a
    stale form, or past the sequences the composed ack covers, is read again row by row and
    completed, as `rows` would."""

    def source(
        conn: Connection, me: uuid.UUID, lines: repo.LineStream, after: int, upper: int, limit: int
    ) -> repo.Blob:
        if upper <= MAX_COMPOSED_SEQ:
            blob = lines.batch(conn, after, limit) or repo.own_blob(
                conn, forms.name, entity, me, after, upper, limit
            )
            if not blob.stale:
                return blob
        page = completed(conn, forms, query(conn, me, after, upper, limit))
        last = int(page[-1].seq) if page else after
        return repo.Blob(stored_lines(entity, page), last, len(page), 0)

    async def step(run: Run) -> Lines:
        lines = repo.LineStream(forms.name, entity, run.me, run.upper)
        run.db.on_close(lines.close)  # should this generator never be closed
        try:
            async with aclosing(
                run.blobs(partial(source, me=run.me, lines=lines), run.after(entity))
            ) as blobs:
                async for blob in blobs:
                    yield blob
        finally:
            # A step left early (an estimate's sample, a cancelled request) frees the
            # connection for the next one; the read waits for a batch still being read.
            with anyio.CancelScope(shield=True):
                await run.db.read(lines.finish)

    return step


MAX_COMPOSED_SEQ = (1 << 48) - 1
"""Sequences whose ack the database composes (`queries.ACK_HEAD` plus 12 hex digits)."""


def _field(name: str, column: str) -> Mapper:
    return lambda row: {name: str(getattr(row, column))}


async def tagged(run: Run, entity: str, source: Source, mapper: Mapper, after: int | None = None) -> Tagged:
    start = run.after(entity) if after is None else after
    async for row in run.rows(_source(source, mapper), start):
        yield int(row.seq), line(entity, mapper(row), ack(entity, int(row.seq)))


async def plain(run: Run, entity: str, source: Source, mapper: Mapper) -> Lines:
    """Each batch of `source` as one blob of lines."""
    stored = isinstance(mapper, Stored)
    async for page in run.pages(_source(source, mapper), run.after(entity)):
        if stored:
            yield stored_lines(entity, page)
        else:
            yield b"".join([line(entity, mapper(row), ack(entity, row.seq)) for row in page])


async def backfill(
    run: Run,
    entity: str,
    upsert_type: str,
    relations: Relations,
    source_of: Callable[[Row[Any]], Source],
    mapper: Mapper,
) -> Lines:
    """Send older rows of relations (partners, album memberships) that began after the client's cursor."""
    done = run.checkpoints.get(entity)
    rels = await run.db.read(lambda c: relations(c, run.me, done.seq if done else 0, run.upper))
    upsert = run.checkpoints.get(upsert_type)
    if upsert is None:
        if rels:
            final = backfill_ack(entity, int(rels[-1].create_seq), None)
            await run.db.write(lambda c: checkpoints.upsert(c, run.session_id, {entity: final}))
        return
    for rel in rels:
        resumed = done is not None and done.seq == rel.create_seq
        if resumed and done is not None and done.complete:
            continue
        start = done.extra - 1 if resumed and done is not None and done.extra is not None else 0
        create_seq = int(rel.create_seq)
        async for page in run.pages(_source(source_of(rel), mapper), start, min(upsert.seq, run.upper)):
            yield b"".join(
                [line(entity, mapper(row), backfill_ack(entity, create_seq, row.seq)) for row in page]
            )
        yield line("SyncAckV1", EMPTY, backfill_ack(entity, int(rel.create_seq), None))


async def unshare_deletes(run: Run, entity: str, key: str, ids_of: IdsOf) -> Tagged:
    """A delete for every asset or stack of each partner who stopped sharing with the caller.

    All lines of one unshare carry the ack just below it and a `SyncAckV1` closes it, so a
    client interrupted half-way resumes the whole unshare instead of skipping its rest.
    """
    audits = await run.db.read(lambda c: repo.unshares(c, run.me, run.after(entity), run.upper))
    for audit in audits:
        seq, owner = int(audit.seq), audit.shared_by_id
        last: uuid.UUID | None = None
        while True:
            page = await run.db.read(partial(ids_of, owner=owner, after_id=last, limit=run.batch))
            for row in page:
                yield seq, line(entity, {key: str(row.id)}, ack(entity, seq - 1))
            if len(page) < run.batch:
                break
            last = page[-1].id
        yield seq, line("SyncAckV1", EMPTY, ack(entity, seq))


async def users(run: Run) -> Lines:
    """The user directory: every user (`all`) or only users related to the caller (`related`:
    itself, partners either way, owners and members of its albums, a relation that begins
    re-sending the user). As in Immich, a soft-deleted user is still a `UserV1` line, with
    `deletedAt` set (a restore sends it again with `deletedAt: null`); only the hard delete
    (the user audit table) or, under `related`, the end of the last relation is a
    `UserDeleteV1`.

    A session whose `UserV1` checkpoint predates the mode in force was synced under the
    other mode, so it catches up: every user it now sees is sent and, when the session had
    synced users before, a delete goes out for every user it no longer sees. Those lines
    keep the checkpoints where they were and `SyncAckV1` lines at the run's bound close the
    catch-up, so an interrupted one is redone, never skipped.
    """
    after_delete, after_upsert = run.after("UserDeleteV1"), run.after("UserV1")

    def load(conn: Connection) -> tuple[bool, list[tuple[int, uuid.UUID]], list[tuple[int, Row[Any]]]]:
        mode, since = repo.user_directory(conn)
        catch_up = after_upsert < since
        gone: dict[uuid.UUID, int] = {}

        def lost(user_id: uuid.UUID, seq: int) -> None:
            gone[user_id] = max(gone.get(user_id, 0), int(seq))

        for row in repo.user_deletes(conn, after_delete, run.upper, 1 << 30):
            lost(row.user_id, row.seq)
        found: list[tuple[int, Row[Any]]] = []
        if mode == "all":
            start = 0 if catch_up else after_upsert
            found = [(int(row.seq), row) for row in repo.directory_users(conn, start, run.upper)]
        else:
            related = repo.related_users(conn, run.me)
            rows = repo.users_by_id(conn, list(related))
            shown = {row.id for row in rows}
            for audit in repo.partner_deletes_involving(conn, run.me, after_delete, run.upper, 1 << 30):
                other = audit.shared_with_id if audit.shared_by_id == run.me else audit.shared_by_id
                if other not in shown:
                    lost(other, audit.seq)
            for row in repo.album_relation_losses(conn, run.me, after_delete, run.upper):
                if row.user_id not in shown:
                    lost(row.user_id, row.seq)
            for row in rows:
                seq = max(int(row.update_seq), related[row.id])
                if row.id in shown and (catch_up or after_upsert < seq) and seq <= run.upper:
                    found.append((seq, row))
            if catch_up and (after_upsert or after_delete):
                for user_id in repo.all_user_ids(conn) - shown:
                    lost(user_id, after_delete)
        by_seq = sorted((seq, user_id) for user_id, seq in gone.items())
        return catch_up, by_seq, sorted(found, key=lambda f: f[0])

    catch_up, gone, found = await run.db.read(load)
    for seq, user_id in gone:
        acked = after_delete if catch_up else seq
        yield line("UserDeleteV1", {"userId": str(user_id)}, ack("UserDeleteV1", acked))
    if catch_up and gone:
        yield line("SyncAckV1", EMPTY, ack("UserDeleteV1", run.upper))
    for seq, row in found:
        yield line("UserV1", sync_user(row), ack("UserV1", after_upsert if catch_up else seq))
    if catch_up:
        yield line("SyncAckV1", EMPTY, ack("UserV1", run.upper))


def rows(entity: str, query: Callable[..., Sequence[Row[Any]]], mapper: Mapper) -> Step:
    """Every row of `query(conn, me, after, upper, limit)` past the entity's checkpoint."""
    return lambda run: plain(run, entity, bind(query, run.me), mapper)


def backfilled(
    entity: str,
    upsert_type: str,
    relations: Relations,
    per_relation: Callable[[Row[Any]], Source],
    mapper: Mapper,
) -> Step:
    """Older rows of relations (partners, album memberships) that began after the client's cursor."""
    return lambda run: backfill(run, entity, upsert_type, relations, per_relation, mapper)


def partner_asset_deletes(run: Run) -> Lines:
    """Tombstones, assets that left the timeline and every asset of a partner who stopped sharing,
    merged by sequence. An asset the caller still sees through an album is spared when the request
    also syncs album assets: apps like Immich's keep one row per asset, so a delete here would drop
    it from the album too (the album stream deletes it when that ends)."""
    entity, as_delete = "PartnerAssetDeleteV1", _field("assetId", "asset_id")
    keep = "AlbumAssetsV1" in run.requested
    unshared = partial(repo.owner_ids, assets_table, except_in_albums_of=run.me if keep else None)
    return merge(
        tagged(run, entity, bind(repo.partner_asset_deletes, run.me), as_delete),
        tagged(run, entity, bind(repo.partner_assets_hidden, run.me, keep), as_delete),
        unshare_deletes(run, entity, "assetId", unshared),
    )


def partner_stack_deletes(run: Run) -> Lines:
    entity = "PartnerStackDeleteV1"
    return merge(
        tagged(run, entity, bind(repo.partner_stack_deletes, run.me), _field("stackId", "stack_id")),
        unshare_deletes(run, entity, "stackId", partial(repo.owner_ids, stacks_table)),
    )


def album_pass(run: Run, prefix: str) -> repo.AlbumPass:
    """Which album memberships this run backfills and which links the client already knows.

    A membership already being backfilled when the run starts (the backfill checkpoint's
    relation) is left out of `fresh_from`: part of it went out in an earlier run, so its
    assets must still be eligible as updates.
    """
    done = run.checkpoints.get(f"{prefix}BackfillV1")
    created = run.checkpoints.get(f"{prefix}CreateV1")
    return repo.AlbumPass(
        me=run.me,
        fresh_from=0 if done is None else done.seq + 1,
        bound=None if created is None else min(created.seq, run.upper),
        update_after=run.after(f"{prefix}UpdateV1"),
    )


def album_split(prefix: str, album_rows: repo.AlbumRows, mapper: Mapper) -> tuple[Step, ...]:
    """Backfill, then updates of known album assets, then creates of newly linked ones.

    Each asset goes out at most once per run however many albums show it: the three
    steps share one `AlbumPass`, computed from the checkpoints the run started with.
    """
    create_type, update_type = f"{prefix}CreateV1", f"{prefix}UpdateV1"

    def backfill_step(run: Run) -> Lines:
        p = album_pass(run, prefix)
        per_album: Callable[[Row[Any]], Source] = lambda rel: bind(  # noqa: E731
            repo.album_rows_of, album_rows, p, rel.id, int(rel.create_seq)
        )
        return backfill(run, f"{prefix}BackfillV1", create_type, repo.memberships, per_album, mapper)

    async def updates(run: Run) -> Lines:
        p = album_pass(run, prefix)
        if p.bound is not None:
            async for payload in plain(run, update_type, bind(repo.album_updates, album_rows, p), mapper):
                yield payload

    async def creates(run: Run) -> Lines:
        """New links; the first one is preceded by the update type's ack at the run's bound."""
        p, first = album_pass(run, prefix), True
        async for payload in plain(run, create_type, bind(repo.album_creates, album_rows, p), mapper):
            if first:
                yield line("SyncAckV1", EMPTY, ack(update_type, run.upper))
                first = False
            yield payload

    return backfill_step, updates, creates


def _loss_line(row: Row[Any], last_of_seq: bool) -> bytes:
    """An `AssetDeleteV1`; every line but the last at its sequence acks just below it (resumable)."""
    seq = int(row.seq)
    return line(
        "AssetDeleteV1",
        {"assetId": str(row.asset_id)},
        ack(ALBUM_ASSET_LOSS, seq if last_of_seq else seq - 1),
    )


async def album_asset_losses(run: Run) -> Lines:
    """Deletes for assets the caller saw only through albums it lost.

    Immich has no delete row for album assets, so its clients keep them; this sends
    `AssetDeleteV1`, which the Immich app applies to its one asset table, for each asset no
    longer visible by any path (own, partner timeline, another album).
    """
    start = run.after(ALBUM_ASSET_LOSS)
    cursor: tuple[int, uuid.UUID | None] = (start, None)
    held: Row[Any] | None = None
    while True:
        page = await run.db.read(
            partial(
                repo.album_asset_losses,
                me=run.me,
                start=start,
                upper=run.upper,
                cursor=cursor,
                limit=run.batch,
            )
        )
        out = []
        for row in page:
            if held is not None:
                out.append(_loss_line(held, int(row.seq) != int(held.seq)))
            held = row
        if out:
            yield b"".join(out)
        if len(page) < run.batch:
            break
        cursor = (int(page[-1].seq), page[-1].asset_id)
    if held is not None:
        yield _loss_line(held, True)


def sync_album_user_delete(row: Any) -> dict[str, Any]:
    return {"albumId": str(row.album_id), "userId": str(row.user_id)}


def sync_partner_delete(row: Any) -> dict[str, Any]:
    return {"sharedById": str(row.shared_by_id), "sharedWithId": str(row.shared_with_id)}


HANDLERS: dict[str, tuple[Step, ...]] = {
    "AuthUsersV1": (rows("AuthUserV1", repo.auth_user, sync_auth_user),),
    "UsersV1": (users,),
    "PartnersV1": (
        rows("PartnerDeleteV1", repo.partner_deletes_involving, sync_partner_delete),
        rows("PartnerV1", repo.partner_upserts, sync_partner),
    ),
    "AssetsV1": (
        rows("AssetDeleteV1", repo.own_asset_deletes, _field("assetId", "asset_id")),
        composed("AssetV1", ASSETS, repo.own_assets),
    ),
    "StacksV1": (
        rows("StackDeleteV1", repo.own_stack_deletes, _field("stackId", "stack_id")),
        rows("StackV1", repo.own_stacks, sync_stack),
    ),
    "PartnerAssetsV1": (
        partner_asset_deletes,
        backfilled("PartnerAssetBackfillV1", "PartnerAssetV1", repo.partners_of,
                   by_id(repo.owner_timeline_assets), ASSET),
        rows("PartnerAssetV1", repo.partner_assets, ASSET),
    ),
    "PartnerStacksV1": (
        partner_stack_deletes,
        backfilled("PartnerStackBackfillV1", "PartnerStackV1", repo.partners_of,
                   by_id(repo.owner_stacks), sync_stack),
        rows("PartnerStackV1", repo.partner_stacks, sync_stack),
    ),
    "AlbumAssetsV1": (album_asset_losses, *album_split("AlbumAsset", repo.ALBUM_ASSETS, ASSET)),
    "AlbumsV1": (
        rows("AlbumDeleteV1", repo.album_deletes, _field("albumId", "album_id")),
        rows("AlbumV1", repo.albums_of, sync_album),
    ),
    "AlbumUsersV1": (
        rows("AlbumUserDeleteV1", repo.album_user_deletes, sync_album_user_delete),
        backfilled("AlbumUserBackfillV1", "AlbumUserV1", repo.memberships,
                   by_id(repo.album_user_rows_of), sync_album_user),
        rows("AlbumUserV1", repo.album_user_rows, sync_album_user),
    ),
    "AlbumToAssetsV1": (
        rows("AlbumToAssetDeleteV1", repo.album_link_deletes, sync_album_to_asset),
        backfilled("AlbumToAssetBackfillV1", "AlbumToAssetV1", repo.memberships,
                   by_id(repo.album_links_of), sync_album_to_asset),
        rows("AlbumToAssetV1", repo.album_links, sync_album_to_asset),
    ),
    "AssetExifsV1": (composed("AssetExifV1", EXIF_FORMS, repo.own_exif),),
    "AlbumAssetExifsV1": album_split("AlbumAssetExif", repo.ALBUM_EXIF, EXIF),
    "PartnerAssetExifsV1": (
        backfilled("PartnerAssetExifBackfillV1", "PartnerAssetExifV1", repo.partners_of,
                   by_id(repo.owner_timeline_exif), EXIF),
        rows("PartnerAssetExifV1", repo.partner_exif, EXIF),
    ),
    "UserMetadataV1": (
        rows("UserMetadataDeleteV1", repo.own_metadata_deletes, sync_user_metadata_delete),
        rows("UserMetadataV1", repo.own_metadata, sync_user_metadata),
    ),
    "MemoriesV1": (
        rows("MemoryDeleteV1", memory_sync.memory_deletes, memory_sync.sync_memory_delete),
        rows("MemoryV1", memory_sync.own_memories, memory_sync.sync_memory),
    ),
    "MemoryToAssetsV1": (memory_sync.link_deletes, memory_sync.link_upserts),
    "AssetMetadataV1": (
        rows("AssetMetadataDeleteV1", asset_metadata_sync.own_metadata_deletes,
             asset_metadata_sync.sync_asset_metadata_delete),
        rows("AssetMetadataV1", asset_metadata_sync.own_metadata, asset_metadata_sync.sync_asset_metadata),
    ),
}  # fmt: skip
"""Each request type as its steps, in order: deletes, then backfill, then upserts. Request types
without an entry (people, faces, edits) send no rows."""
