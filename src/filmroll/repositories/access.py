"""SQL of the one asset access rule: which assets a viewer may read, and through which path.

Every endpoint and sync form asks these predicates rather than writing its own:

- **owner**: every own asset in every state (locked ones, and the motion part of a locked live
  photo, only with `unlocked`: a PIN-unlocked session, see `services.access.unlocked`);
- **partner** (a live share from the owner to the viewer): the owner's `timeline` assets that
  are not trashed, plus a `hidden` asset that is the live-photo video of a readable asset;
- **album** (the viewer owns or belongs to an album holding the asset): assets that are not
  trashed and not locked (archived and hidden ones too, as Immich);
- **shared link** (a visitor with a link's key or slug): the link's own assets, or its album's,
  that are not trashed and not locked, never the owner's other assets (`link_readable`);
- anyone else: nothing.

Sync sends metadata, not files, and follows Immich there: partners receive the owner's
`timeline` assets with trashed ones flagged by `deletedAt`, album members every linked asset
(trashed ones flagged). Album links never hold a locked asset (adding refuses one, locking
unlinks it), so album sync needs no visibility filter. Deletes name an asset to a partner only
if it was ever on the timeline (`ever_timeline`), so an asset kept locked or hidden from its
upload on is never revealed to anyone but its owner.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db.schema import (
    album_asset_audit,
    album_assets,
    album_audit,
    album_users,
    albums,
    asset_audit,
    assets,
    partners,
    shared_link_assets,
    shared_links,
    users,
)

Assets = Any
"""`assets` or an alias of it."""

TIMELINE = "timeline"
LOCKED = "locked"
HIDDEN = "hidden"
OWNER_V1_VISIBLE = ("timeline", "archive")
"""What v1 sync shows an owner: locked and hidden assets stay out of Immich's v1 apps."""
PARTNER_SYNC_VISIBLE = ("timeline",)
"""What every sync form shows a partner (trashed assets included, flagged)."""


# --- relations ----------------------------------------------------------------------------


def partner_rows_of(viewer: uuid.UUID) -> sa.Select[Any]:
    """Owners with a partner row sharing with `viewer`: what sync follows (a soft-deleted
    owner's rows stay until the permanent delete, as Immich keeps them)."""
    return sa.select(partners.c.shared_by_id).where(partners.c.shared_with_id == viewer)


def live_sharers_of(viewer: uuid.UUID) -> sa.Select[Any]:
    """Owners sharing with `viewer` who are not soft-deleted: what point reads follow."""
    return (
        sa.select(partners.c.shared_by_id)
        .join(users, users.c.id == partners.c.shared_by_id)
        .where(partners.c.shared_with_id == viewer, users.c.deleted_at.is_(None))
    )


def albums_of(viewer: uuid.UUID) -> sa.CompoundSelect[Any]:
    """Albums `viewer` owns or is a member of."""
    return sa.union(
        sa.select(albums.c.id).where(albums.c.owner_id == viewer),
        sa.select(album_users.c.album_id).where(album_users.c.user_id == viewer),
    )


def album_of(viewer: uuid.UUID, album_id: Any) -> sa.ColumnElement[bool]:
    """The album (a column correlated with the outer row) is one `viewer` owns or is a member of.

    Two primary-key probes per row. The same test written `album_id IN albums_of(viewer)`
    made SQLite probe once per album of the viewer and PostgreSQL compare with every one of
    them: per row of an album stream, a thousand steps for a viewer with a thousand albums.
    """
    owned, member = albums.alias("viewer_album"), album_users.alias("viewer_member")
    return sa.or_(
        sa.exists().where(owned.c.id == album_id, owned.c.owner_id == viewer),
        sa.exists().where(member.c.album_id == album_id, member.c.user_id == viewer),
    )


def in_albums_of(viewer: uuid.UUID, asset_id: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """The asset is linked to an album `viewer` owns or is a member of: its own links, each
    asked `album_of`, rather than every link of the viewer's albums gathered first."""
    link = album_assets.alias("viewer_link")
    return sa.exists().where(link.c.asset_id == asset_id, album_of(viewer, link.c.album_id))


# --- point reads --------------------------------------------------------------------------


def owner_reads(viewer: uuid.UUID, a: Assets = assets, *, unlocked: bool) -> sa.ColumnElement[bool]:
    """Own assets; without `unlocked`, neither locked ones nor the motion part of a locked
    live photo (hidden itself, but it shows the locked photo)."""
    own: sa.ColumnElement[bool] = a.c.owner_id == viewer
    if unlocked:
        return own
    still = assets.alias("locked_still")
    locked_still = sa.exists().where(still.c.live_photo_video_id == a.c.id, still.c.visibility == LOCKED)
    return sa.and_(own, a.c.visibility != LOCKED, ~locked_still)


def partner_reads(viewer: uuid.UUID, a: Assets = assets) -> sa.ColumnElement[bool]:
    """A live sharer's timeline asset that is not trashed."""
    return sa.and_(
        a.c.owner_id.in_(live_sharers_of(viewer)), a.c.visibility == TIMELINE, a.c.deleted_at.is_(None)
    )


def album_shows(a: Assets = assets) -> sa.ColumnElement[bool]:
    """An album lists and serves the asset to its members: not trashed, not locked."""
    return sa.and_(a.c.deleted_at.is_(None), a.c.visibility != LOCKED)


def album_reads(viewer: uuid.UUID, a: Assets = assets) -> sa.ColumnElement[bool]:
    """In one of the viewer's albums, and shown by it."""
    return sa.and_(album_shows(a), in_albums_of(viewer, a.c.id))


def _direct_reads(viewer: uuid.UUID, a: Assets, *, unlocked: bool) -> sa.ColumnElement[bool]:
    return sa.or_(owner_reads(viewer, a, unlocked=unlocked), partner_reads(viewer, a), album_reads(viewer, a))


def readable(viewer: uuid.UUID, a: Assets = assets, *, unlocked: bool) -> sa.ColumnElement[bool]:
    """`viewer` may read the asset (info, thumbnail, playback, original) by some path.

    The motion part of a live photo is hidden; it is readable with its still, since the app
    plays it wherever it shows the still.
    """
    still = assets.alias("still")
    direct = _direct_reads(viewer, still, unlocked=unlocked)
    return sa.or_(_direct_reads(viewer, a, unlocked=unlocked), _motion_of(a, still, direct))


def _motion_of(a: Assets, still: Assets, still_shown: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """`a` is the hidden, untrashed motion part of a live photo `still` (same owner) for which
    `still_shown` holds: what makes a live photo's video readable wherever its still is."""
    return sa.and_(
        a.c.visibility == HIDDEN,
        a.c.deleted_at.is_(None),
        sa.exists().where(
            still.c.live_photo_video_id == a.c.id,
            still.c.owner_id == a.c.owner_id,
            still_shown,
        ),
    )


def shareable(viewer: uuid.UUID, a: Assets = assets) -> sa.ColumnElement[bool]:
    """`viewer` may put the asset in an album or take it out: own or partner-readable, never locked."""
    return sa.and_(a.c.visibility != LOCKED, sa.or_(a.c.owner_id == viewer, partner_reads(viewer, a)))


def _ids_where(conn: Connection, ids: Iterable[uuid.UUID], allowed: sa.ColumnElement[bool]) -> set[uuid.UUID]:
    wanted = list(set(ids))
    if not wanted:
        return set()
    query = sa.select(assets.c.id).where(assets.c.id.in_(wanted), allowed)
    return {uuid.UUID(str(r)) for r in conn.execute(query).scalars()}


def readable_ids(
    conn: Connection, viewer: uuid.UUID, ids: Iterable[uuid.UUID], *, unlocked: bool
) -> set[uuid.UUID]:
    """Which of `ids` `viewer` may read."""
    return _ids_where(conn, ids, readable(viewer, unlocked=unlocked))


def shareable_ids(conn: Connection, viewer: uuid.UUID, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `ids` `viewer` may add to or remove from an album."""
    return _ids_where(conn, ids, shareable(viewer))


# --- shared links -------------------------------------------------------------------------


def _link_shows(link_id: uuid.UUID, a: Assets) -> sa.ColumnElement[bool]:
    """The link names the asset (an individual link's asset, or an asset of an album link's
    album) and shows it: not trashed, not locked, as albums show assets."""
    named = sa.select(shared_link_assets.c.asset_id).where(shared_link_assets.c.link_id == link_id)
    in_album = (
        sa.select(album_assets.c.asset_id)
        .join(shared_links, shared_links.c.album_id == album_assets.c.album_id)
        .where(shared_links.c.id == link_id)
    )
    return sa.and_(album_shows(a), sa.or_(a.c.id.in_(named), a.c.id.in_(in_album)))


def link_readable(link_id: uuid.UUID, a: Assets = assets) -> sa.ColumnElement[bool]:
    """A shared link's visitor may read the asset: exactly what the link shows, plus the hidden
    motion part of a live photo it shows. Never anything else of the owner's."""
    still = assets.alias("link_still")
    return sa.or_(_link_shows(link_id, a), _motion_of(a, still, _link_shows(link_id, still)))


def link_readable_ids(conn: Connection, link_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `ids` a shared link's visitor may read."""
    return _ids_where(conn, ids, link_readable(link_id))


# --- sync ---------------------------------------------------------------------------------


def partner_synced(viewer: uuid.UUID, a: Assets = assets) -> sa.ColumnElement[bool]:
    """A partner's asset that sync sends `viewer` (trashed ones flagged)."""
    return sa.and_(a.c.owner_id.in_(partner_rows_of(viewer)), sharer_synced(a))


def sharer_synced(a: Assets = assets) -> sa.ColumnElement[bool]:
    """`partner_synced` for one owner the caller read from `partner_rows_of` (a sync page is
    read one partner at a time, along that partner's own index)."""
    synced: sa.ColumnElement[bool] = a.c.visibility == TIMELINE
    return synced


def sharer_lost(a: Assets = assets) -> sa.ColumnElement[bool]:
    """An asset off the timeline that a viewer the owner shares with (`partner_rows_of`) was
    once entitled to: a delete line."""
    return sa.and_(a.c.visibility != TIMELINE, a.c.ever_timeline.is_(True))


def sync_sees(viewer: uuid.UUID, asset_id: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """Sync still shows `viewer` the asset by some path: own, a partner's timeline, or an album."""
    return sa.or_(
        sa.exists().where(
            assets.c.id == asset_id, sa.or_(assets.c.owner_id == viewer, partner_synced(viewer))
        ),
        in_albums_of(viewer, asset_id),
    )


def saw_link_removal(viewer: uuid.UUID, audit: Any = album_asset_audit) -> sa.ColumnElement[bool]:
    """`viewer` had the album when the link was removed: it owns the album, joined it before, or
    lost it after. A member who joins later is never told of assets removed before it came."""
    joined_before = sa.exists().where(
        album_users.c.album_id == audit.c.album_id,
        album_users.c.user_id == viewer,
        album_users.c.create_seq < audit.c.seq,
    )
    lost_after = sa.exists().where(
        album_audit.c.album_id == audit.c.album_id,
        album_audit.c.user_id == viewer,
        album_audit.c.seq > audit.c.seq,
    )
    owned = audit.c.album_id.in_(sa.select(albums.c.id).where(albums.c.owner_id == viewer))
    return sa.or_(owned, joined_before, lost_after)


def tombstone_named_to(viewer: uuid.UUID, audit: Any = asset_audit) -> sa.ColumnElement[bool]:
    """A permanent delete may be named to `viewer`: its own asset, or one once on the timeline."""
    return sa.or_(audit.c.owner_id == viewer, audit.c.ever_timeline.is_(True))
