"""Current lines of chosen rows, in stream format (`POST /api/sync/rows`).

A client that found a difference (a digest mismatch, a doubt after an outage) asks for the
rows it names instead of a whole stream. Each id gets its upsert line as the stream would send
it now, or, when the caller can no longer see the row, the delete line the stream uses for
it. Visibility is the stream's: the same access predicates as its queries (own rows, partners'
timeline assets, albums the caller owns or is a member of).

The acks on these lines name the rows' own change sequences; they describe the row, not the
caller's place in the stream, so a client must not send them to `/sync/ack`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db.schema import albums, asset_exif, assets, stacks
from filmroll.repositories import access
from filmroll.sync.forms.queries import ASSETS, EXIF, FormTable
from filmroll.sync.forms.renderer import completed
from filmroll.sync.sql import wired
from filmroll.sync.v2.acks import ack
from filmroll.sync.v2.lines import line, stored_lines, sync_album, sync_stack
from filmroll.sync.v2.queries import asset_columns, exif_columns

Visible = Callable[[uuid.UUID, Sequence[uuid.UUID] | None], sa.Select[Any]]


@dataclass(frozen=True)
class RowKind:
    """How one request type's rows are looked up by id and written as lines.

    `select(me, ids)` selects the rows among `ids` (all when None) the caller sees, with
    `row_id` and `seq`;
    `forms` marks rows carrying a stored wire form (`wire`, `key`), else `mapper` builds
    `data`. `delete` is the delete line's type and key, or None when the kind has none (exif
    goes with its asset).
    """

    entity: str
    select: Visible
    forms: FormTable | None = None
    mapper: Callable[[Any], dict[str, Any]] | None = None
    delete: tuple[str, str] | None = None


def _among(column: Any, ids: Sequence[uuid.UUID] | None) -> sa.ColumnElement[bool]:
    """Rows among `ids`; every row when None (digests read whole kinds)."""
    return column.in_(ids) if ids is not None else sa.true()


def _own_assets(me: uuid.UUID, ids: Sequence[uuid.UUID] | None) -> sa.Select[Any]:
    return sa.select(*asset_columns(), assets.c.id.label("row_id"), assets.c.update_seq.label("seq")).where(
        _among(assets.c.id, ids), assets.c.owner_id == me
    )


def _partner_assets(me: uuid.UUID, ids: Sequence[uuid.UUID] | None) -> sa.Select[Any]:
    return sa.select(*asset_columns(), assets.c.id.label("row_id"), assets.c.update_seq.label("seq")).where(
        _among(assets.c.id, ids), access.partner_synced(me)
    )


def _own_exif(me: uuid.UUID, ids: Sequence[uuid.UUID] | None) -> sa.Select[Any]:
    return sa.select(
        *exif_columns(), asset_exif.c.asset_id.label("row_id"), asset_exif.c.update_seq.label("seq")
    ).where(_among(asset_exif.c.asset_id, ids), asset_exif.c.owner_id == me)


def _partner_exif(me: uuid.UUID, ids: Sequence[uuid.UUID] | None) -> sa.Select[Any]:
    return (
        sa.select(*exif_columns(), asset_exif.c.asset_id.label("row_id"), assets.c.update_seq.label("seq"))
        .join(assets, assets.c.id == asset_exif.c.asset_id)
        .where(_among(asset_exif.c.asset_id, ids), access.partner_synced(me))
    )


def _own_stacks(me: uuid.UUID, ids: Sequence[uuid.UUID] | None) -> sa.Select[Any]:
    return sa.select(stacks, stacks.c.id.label("row_id"), stacks.c.update_seq.label("seq")).where(
        _among(stacks.c.id, ids), stacks.c.owner_id == me
    )


def _partner_stacks(me: uuid.UUID, ids: Sequence[uuid.UUID] | None) -> sa.Select[Any]:
    return sa.select(stacks, stacks.c.id.label("row_id"), stacks.c.update_seq.label("seq")).where(
        _among(stacks.c.id, ids), stacks.c.owner_id.in_(access.partner_rows_of(me))
    )


def _albums(me: uuid.UUID, ids: Sequence[uuid.UUID] | None) -> sa.Select[Any]:
    return sa.select(albums, albums.c.id.label("row_id"), albums.c.update_seq.label("seq")).where(
        _among(albums.c.id, ids), albums.c.id.in_(access.albums_of(me))
    )


KINDS: dict[str, RowKind] = {
    "AssetsV1": RowKind("AssetV1", _own_assets, forms=ASSETS, delete=("AssetDeleteV1", "assetId")),
    "PartnerAssetsV1": RowKind(
        "PartnerAssetV1", _partner_assets, forms=ASSETS, delete=("PartnerAssetDeleteV1", "assetId")
    ),
    "AssetExifsV1": RowKind("AssetExifV1", _own_exif, forms=EXIF),
    "PartnerAssetExifsV1": RowKind("PartnerAssetExifV1", _partner_exif, forms=EXIF),
    "StacksV1": RowKind("StackV1", _own_stacks, mapper=sync_stack, delete=("StackDeleteV1", "stackId")),
    "PartnerStacksV1": RowKind(
        "PartnerStackV1", _partner_stacks, mapper=sync_stack, delete=("PartnerStackDeleteV1", "stackId")
    ),
    "AlbumsV1": RowKind("AlbumV1", _albums, mapper=sync_album, delete=("AlbumDeleteV1", "albumId")),
}
"""Request types whose rows can be fetched by id."""


def lines(conn: Connection, kind: RowKind, me: uuid.UUID, ids: Sequence[uuid.UUID], upper: int) -> bytes:
    """The lines for `ids`: upserts in id order as given, then deletes for the ids not seen."""
    wanted = list(dict.fromkeys(ids))
    found = conn.execute(wired(conn.dialect.name, kind.select(me, wanted))).all() if wanted else []
    if kind.forms is not None:
        rows: Sequence[Any] = completed(conn, kind.forms, found)
        body = stored_lines(kind.entity, rows)
    else:
        assert kind.mapper is not None
        body = b"".join(line(kind.entity, kind.mapper(row), ack(kind.entity, int(row.seq))) for row in found)
    if kind.delete is None:
        return body
    seen = {str(row.row_id) for row in found}
    entity, key = kind.delete
    gone = [line(entity, {key: str(i)}, ack(entity, upper)) for i in wanted if str(i) not in seen]
    return body + b"".join(gone)
