"""The asset and album access policy every service calls; the SQL lives in `repositories.access`.

Reads (`read`, `view`, `download`) follow the rule documented there (owner, partner, album);
writes (`update`, `delete`, `share`...) are the owner's only. Locked assets are read and
changed only through a PIN-unlocked session (`unlocked`). Failures answer as Immich does:
400 "Not found or no <permission> access", the same whether the asset is missing or not
allowed, so ids of other people's assets cannot be probed. A shared link's visitor acts as the
link's owner but has none of the owner's rights: it reads what the link shows and nothing else.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.engine import Connection, Row

from filmroll.errors import BadRequest, Unauthorized
from filmroll.repositories import access as repo
from filmroll.repositories import albums as albums_repo
from filmroll.repositories import assets as assets_repo
from filmroll.services import locked
from filmroll.services.auth import AuthContext, LinkGrant

Action = Literal["read", "view", "download", "update", "delete"]
READS: frozenset[str] = frozenset({"read", "view", "download"})
"""What partners and album members may do with assets they do not own."""
AlbumRole = Literal["owner", "editor", "viewer"]


def denied(permission: str) -> BadRequest:
    return BadRequest(f"Not found or no {permission} access")


def unlocked(auth: AuthContext) -> bool:
    """Whether the caller may read and change its own locked assets: only a session unlocked
    with the user's PIN, until its unlock expires (`services.locked`); never an API key.

    Every point read (info, thumbnails, originals, playback) and every asset write asks this,
    so a locked session cannot see a locked photo nor move it out of the locked folder.
    """
    return locked.is_unlocked(auth.pin_expires_at)


def answering_change(auth: AuthContext) -> AuthContext:
    """The caller, allowed to read its own locked assets while answering a change it just made.

    `PUT /api/assets/{id}` answers with the asset as changed, as Immich does, also when the
    change moved it into the locked folder from a locked session: the change already proved
    the caller owns it, and the answer shows only what the caller itself sent there.
    """
    return replace(auth, pin_expires_at=datetime.max)


def require_unlocked(auth: AuthContext) -> None:
    """For requests that ask for locked assets as such (a `visibility=locked` listing or
    search): Immich's 401 unless the session is unlocked."""
    if not unlocked(auth):
        raise Unauthorized("Elevated permission is required")


def require_assets(
    conn: Connection, auth: AuthContext, ids: Sequence[uuid.UUID], action: Action
) -> list[Row[Any]]:
    """The asset rows, or BadRequest if any is missing or `action` on it is not allowed."""
    if auth.link is not None:
        return _link_assets(conn, auth.link, ids, action)
    rows = list(assets_repo.get_many(conn, ids))
    allowed = len(rows) == len(set(ids))
    if allowed and action in READS:
        may_unlock = unlocked(auth)
        # Own assets need the rule only when a locked session may not read them: locked ones,
        # and hidden ones (the motion part of a locked live photo).
        guarded = () if may_unlock else (repo.LOCKED, repo.HIDDEN)
        checked = [r.id for r in rows if r.owner_id != auth.user_id or r.visibility in guarded]
        allowed = len(repo.readable_ids(conn, auth.user_id, checked, unlocked=may_unlock)) == len(checked)
    elif allowed:
        may_unlock = unlocked(auth)
        allowed = all(
            r.owner_id == auth.user_id and (may_unlock or r.visibility != repo.LOCKED) for r in rows
        )
    if not allowed:
        raise denied(f"asset.{action}")
    return rows


def shareable(conn: Connection, auth: AuthContext, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `ids` the caller may add to or remove from an album (own or partner-readable,
    never locked). A shared link's visitor may share nothing: what it uploads is linked by the
    upload itself, and the owner's other assets are not its to give away."""
    if auth.link is not None:
        return set()
    return repo.shareable_ids(conn, auth.user_id, ids)


def album_role(conn: Connection, auth: AuthContext, album: Row[Any]) -> AlbumRole | None:
    """The caller's role in `album`, or None when it is neither owner nor member. A shared
    link's visitor views its link's album, and edits it when the link allows uploads."""
    if auth.link is not None:
        if auth.link.album_id != album.id:
            return None
        return "editor" if auth.link.allow_upload else "viewer"
    if album.owner_id == auth.user_id:
        return "owner"
    member = albums_repo.member(conn, album.id, auth.user_id)
    return None if member is None else ("editor" if member.role == "editor" else "viewer")


def require_album(
    conn: Connection, auth: AuthContext, album_id: uuid.UUID, permission: str, roles: Sequence[AlbumRole]
) -> tuple[Row[Any], AlbumRole]:
    """The album and the caller's role; BadRequest naming `permission` unless the role is in `roles`."""
    album = albums_repo.get(conn, album_id)
    role = None if album is None else album_role(conn, auth, album)
    if auth.link is not None and not _link_may(auth.link, permission):
        role = None
    if album is None or role is None or role not in roles:
        raise denied(permission)
    return album, role


def _link_may(link: LinkGrant, permission: str) -> bool:
    """All a shared link's visitor may do with its album: read it, download it when the link
    allows downloads, add to it when the link allows uploads (and then only what it may share,
    which is nothing: see `shareable`)."""
    return (
        permission == "album.read"
        or (permission == "album.download" and link.allow_download)
        or (permission == "albumAsset.create" and link.allow_upload)
    )


def _link_assets(
    conn: Connection, link: LinkGrant, ids: Sequence[uuid.UUID], action: Action
) -> list[Row[Any]]:
    """A shared link's visitor reads exactly what its link shows (`repositories.access`),
    takes originals only when the link allows downloads, and changes nothing."""
    rows = list(assets_repo.get_many(conn, ids))
    allowed = (
        len(rows) == len(set(ids))
        and action in READS
        and (action != "download" or link.allow_download)
        and len(repo.link_readable_ids(conn, link.id, ids)) == len(rows)
    )
    if not allowed:
        raise denied(f"asset.{action}")
    return rows


def v1_visibilities(own: bool) -> tuple[str, ...]:
    """Visibilities v1 sync shows a viewer: its own `timeline` and `archive` assets (locked and
    hidden ones stay out of Immich's v1 apps), a partner's `timeline` ones."""
    return repo.OWNER_V1_VISIBLE if own else repo.PARTNER_SYNC_VISIBLE


def delete_named(own: bool, ever_timeline: bool) -> bool:
    """Whether losing an asset may be named to a viewer: its own, or one once on the timeline
    (the rule `repositories.access.tombstone_named_to` applies to tombstones in SQL)."""
    return own or ever_timeline
