"""Current lines of chosen rows, in stream format (`POST /api/sync/rows`).

A client that found a difference (a digest mismatch, a doubt after an outage) asks for the
rows it names instead of a whole stream. Each id gets its upsert line as the stream would send
it now, or, when the caller can no longer see the row, the delete line the stream uses for
it. Visibility is the stream's: the same access predicates as its queries (own rows, partners'
timeline assets, albums the caller owns or is a member of, the user directory in force).

Album assets and their exif (`AlbumAssetsV1`, `AlbumAssetExifsV1`) come as update lines and
have no delete line: an asset no album of the caller's shows may still be theirs or a
partner's, so such keys are left out, as exif's are.

Rows are named by their key: the id, or for links without one (album members, album assets)
`albumId:userId` / `albumId:assetId`, the fields of their delete line joined by a colon.

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

from filmroll.db.schema import album_assets, album_users, albums, asset_exif, assets, stacks, users
from filmroll.errors import BadRequest
from filmroll.repositories import access
from filmroll.repositories.users import directory
from filmroll.sync.forms.queries import ASSETS, EXIF, FormTable
from filmroll.sync.forms.renderer import completed
from filmroll.sync.sql import wired
from filmroll.sync.v2.acks import ack
from filmroll.sync.v2.lines import (
    line,
    stored_lines,
    sync_album,
    sync_album_to_asset,
    sync_album_user,
    sync_stack,
    sync_user,
)
from filmroll.sync.v2.queries import asset_columns, exif_columns, related_users

Visible = Callable[[Connection, uuid.UUID, Sequence[str] | None], sa.Select[Any]]
"""`(conn, me, keys)`: the rows among `keys` (all when None) the caller sees."""


@dataclass(frozen=True)
class RowKind:
    """How one request type's rows are looked up by key and written as lines.

    `select(conn, me, keys)` selects the rows among `keys` (all when None) the caller sees,
    with `seq` and the key columns `fields` name (`row_id` for kinds keyed by one id);
    `forms` marks rows carrying a stored wire form (`wire`, `key`), else `mapper` builds
    `data`. `delete` is the delete line's type, or None when the kind has none (exif goes
    with its asset); its data holds the key under `fields`. `wire` is False for kinds the
    stream reads in database form (users), so the lines here are byte-equal to its own.
    """

    entity: str
    select: Visible
    fields: tuple[str, ...] = ("assetId",)
    forms: FormTable | None = None
    mapper: Callable[[Any], dict[str, Any]] | None = None
    delete: str | None = None
    wire: bool = True

    def key_of(self, row: Any) -> str:
        """The row's key: its id, or its link's ids joined by a colon."""
        if len(self.fields) == 1:
            return _usual(row.row_id)
        return f"{_usual(row.album_id)}:{_usual(row.other_id)}"

    def parse(self, key: str) -> str:
        """A key in its usual form (lowercase, dashes); a malformed one is a 400."""
        parts = key.split(":")
        try:
            if len(parts) != len(self.fields):
                raise ValueError(key)
            return ":".join(str(uuid.UUID(part)) for part in parts)
        except ValueError:
            shape = ":".join(f"<{f}>" for f in self.fields) if len(self.fields) > 1 else "a UUID"
            raise BadRequest([f"each id must be {shape}"]) from None


def _usual(value: Any) -> str:
    """An id from the database in its usual form: already so when it is 36 characters (a UUID
    object, or the wire text of one), 32 hex digits as SQLite stores it otherwise. Parsing
    every id again cost a digest of 200,000 album links a second."""
    text = str(value)
    return text if len(text) == 36 else str(uuid.UUID(text))


def _among(column: Any, keys: Sequence[str] | None) -> sa.ColumnElement[bool]:
    """Rows among `keys` (their first id for links); every row when None (digests read whole kinds)."""
    if keys is None:
        return sa.true()
    found: sa.ColumnElement[bool] = column.in_(list(dict.fromkeys(uuid.UUID(k.split(":")[0]) for k in keys)))
    return found


def _own_assets(_conn: Connection, me: uuid.UUID, ids: Sequence[str] | None) -> sa.Select[Any]:
    return sa.select(*asset_columns(), assets.c.id.label("row_id"), assets.c.update_seq.label("seq")).where(
        _among(assets.c.id, ids), assets.c.owner_id == me
    )


def _partner_assets(_conn: Connection, me: uuid.UUID, ids: Sequence[str] | None) -> sa.Select[Any]:
    return sa.select(*asset_columns(), assets.c.id.label("row_id"), assets.c.update_seq.label("seq")).where(
        _among(assets.c.id, ids), access.partner_synced(me)
    )


def _own_exif(_conn: Connection, me: uuid.UUID, ids: Sequence[str] | None) -> sa.Select[Any]:
    return sa.select(
        *exif_columns(), asset_exif.c.asset_id.label("row_id"), asset_exif.c.update_seq.label("seq")
    ).where(_among(asset_exif.c.asset_id, ids), asset_exif.c.owner_id == me)


def _partner_exif(_conn: Connection, me: uuid.UUID, ids: Sequence[str] | None) -> sa.Select[Any]:
    return (
        sa.select(*exif_columns(), asset_exif.c.asset_id.label("row_id"), assets.c.update_seq.label("seq"))
        .join(assets, assets.c.id == asset_exif.c.asset_id)
        .where(_among(asset_exif.c.asset_id, ids), access.partner_synced(me))
    )


def album_linked(me: uuid.UUID) -> sa.Select[Any]:
    """Ids of the assets linked to an album `me` owns or is a member of: what the album asset
    streams send (own and partners' assets included, trashed and locked ones too: the stream
    asks only that the link's album be `me`'s), each once however many albums show it."""
    return sa.select(album_assets.c.asset_id).where(album_assets.c.album_id.in_(access.albums_of(me)))


def _album_assets(_conn: Connection, me: uuid.UUID, ids: Sequence[str] | None) -> sa.Select[Any]:
    """Assets linked to the albums the caller owns or is in (the stream's `AlbumAssetsV1`)."""
    return sa.select(*asset_columns(), assets.c.id.label("row_id"), assets.c.update_seq.label("seq")).where(
        _among(assets.c.id, ids), assets.c.id.in_(album_linked(me))
    )


def _album_exif(_conn: Connection, me: uuid.UUID, ids: Sequence[str] | None) -> sa.Select[Any]:
    """Exif of those assets (the stream's `AlbumAssetExifsV1`)."""
    return sa.select(
        *exif_columns(), asset_exif.c.asset_id.label("row_id"), asset_exif.c.update_seq.label("seq")
    ).where(_among(asset_exif.c.asset_id, ids), asset_exif.c.asset_id.in_(album_linked(me)))


def _own_stacks(_conn: Connection, me: uuid.UUID, ids: Sequence[str] | None) -> sa.Select[Any]:
    return sa.select(stacks, stacks.c.id.label("row_id"), stacks.c.update_seq.label("seq")).where(
        _among(stacks.c.id, ids), stacks.c.owner_id == me
    )


def _partner_stacks(_conn: Connection, me: uuid.UUID, ids: Sequence[str] | None) -> sa.Select[Any]:
    return sa.select(stacks, stacks.c.id.label("row_id"), stacks.c.update_seq.label("seq")).where(
        _among(stacks.c.id, ids), stacks.c.owner_id.in_(access.partner_rows_of(me))
    )


def _albums(_conn: Connection, me: uuid.UUID, ids: Sequence[str] | None) -> sa.Select[Any]:
    return sa.select(albums, albums.c.id.label("row_id"), albums.c.update_seq.label("seq")).where(
        _among(albums.c.id, ids), albums.c.id.in_(access.albums_of(me))
    )


def _album_members(_conn: Connection, me: uuid.UUID, keys: Sequence[str] | None) -> sa.Select[Any]:
    """Members of the albums the caller owns or is in (the stream's `AlbumUsersV1`)."""
    return sa.select(
        album_users, album_users.c.user_id.label("other_id"), album_users.c.update_seq.label("seq")
    ).where(_among(album_users.c.album_id, keys), album_users.c.album_id.in_(access.albums_of(me)))


def _album_links(_conn: Connection, me: uuid.UUID, keys: Sequence[str] | None) -> sa.Select[Any]:
    """Assets of the albums the caller owns or is in, as links (the stream's `AlbumToAssetsV1`)."""
    return sa.select(
        album_assets, album_assets.c.asset_id.label("other_id"), album_assets.c.update_seq.label("seq")
    ).where(_among(album_assets.c.album_id, keys), album_assets.c.album_id.in_(access.albums_of(me)))


def _directory(conn: Connection, me: uuid.UUID, ids: Sequence[str] | None) -> sa.Select[Any]:
    """The users the stream's `UsersV1` keeps: everyone (`all`, soft-deleted users included,
    as in Immich) or the caller's related users (`related`)."""
    mode, _since = directory(conn)
    shown = sa.true() if mode == "all" else users.c.id.in_(list(related_users(conn, me)))
    return sa.select(users, users.c.id.label("row_id"), users.c.update_seq.label("seq")).where(
        _among(users.c.id, ids), shown
    )


KINDS: dict[str, RowKind] = {
    "AssetsV1": RowKind("AssetV1", _own_assets, forms=ASSETS, delete="AssetDeleteV1"),
    "PartnerAssetsV1": RowKind(
        "PartnerAssetV1", _partner_assets, forms=ASSETS, delete="PartnerAssetDeleteV1"
    ),
    "AssetExifsV1": RowKind("AssetExifV1", _own_exif, forms=EXIF),
    "PartnerAssetExifsV1": RowKind("PartnerAssetExifV1", _partner_exif, forms=EXIF),
    # an asset no album of the caller's shows is not gone (it may be theirs, or a partner's):
    # album assets have no delete line here, like exif; such keys are left out
    "AlbumAssetsV1": RowKind("AlbumAssetUpdateV1", _album_assets, forms=ASSETS),
    "AlbumAssetExifsV1": RowKind("AlbumAssetExifUpdateV1", _album_exif, forms=EXIF),
    "StacksV1": RowKind("StackV1", _own_stacks, ("stackId",), mapper=sync_stack, delete="StackDeleteV1"),
    "PartnerStacksV1": RowKind(
        "PartnerStackV1", _partner_stacks, ("stackId",), mapper=sync_stack, delete="PartnerStackDeleteV1"
    ),
    "AlbumsV1": RowKind("AlbumV1", _albums, ("albumId",), mapper=sync_album, delete="AlbumDeleteV1"),
    "AlbumUsersV1": RowKind(
        "AlbumUserV1",
        _album_members,
        ("albumId", "userId"),
        mapper=sync_album_user,
        delete="AlbumUserDeleteV1",
    ),
    "AlbumToAssetsV1": RowKind(
        "AlbumToAssetV1",
        _album_links,
        ("albumId", "assetId"),
        mapper=sync_album_to_asset,
        delete="AlbumToAssetDeleteV1",
    ),
    "UsersV1": RowKind(
        "UserV1", _directory, ("userId",), mapper=sync_user, delete="UserDeleteV1", wire=False
    ),
}
"""Request types whose rows can be fetched by key."""


def select_all(conn: Connection, kind: RowKind, me: uuid.UUID, keys: Sequence[str] | None) -> list[Any]:
    """The visible rows among `keys` (all when None), in the form the stream reads them."""
    query = kind.select(conn, me, keys)
    if kind.wire:
        query = wired(conn.dialect.name, query)
    found = conn.execute(query).all()
    if keys is None or len(kind.fields) == 1:
        return list(found)
    wanted = set(keys)
    return [row for row in found if kind.key_of(row) in wanted]


def lines(conn: Connection, kind: RowKind, me: uuid.UUID, keys: Sequence[str], upper: int) -> bytes:
    """The lines for `keys`: upserts of the rows the caller sees, then deletes for the others."""
    wanted = list(dict.fromkeys(kind.parse(k) for k in keys))
    found = select_all(conn, kind, me, wanted) if wanted else []
    if kind.forms is not None:
        rows: Sequence[Any] = completed(conn, kind.forms, found)
        body = stored_lines(kind.entity, rows)
    else:
        assert kind.mapper is not None
        body = b"".join(line(kind.entity, kind.mapper(row), ack(kind.entity, int(row.seq))) for row in found)
    if kind.delete is None:
        return body
    seen = {kind.key_of(row) for row in found}
    entity = kind.delete
    gone = [
        line(entity, dict(zip(kind.fields, key.split(":"), strict=True)), ack(entity, upper))
        for key in wanted
        if key not in seen
    ]
    return body + b"".join(gone)
