"""The asset and album access policy every service calls; the SQL lives in `repositories.access`.

Reads (`read`, `view`, `download`) follow the rule documented there (owner, partner, album);
writes (`update`, `delete`, `share`...) are the owner's only. Failures answer as Immich does:
400 "Not found or no <permission> access", the same whether the asset is missing or not
allowed, so ids of other people's assets cannot be probed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy.engine import Connection, Row

from filmroll.errors import BadRequest
from filmroll.repositories import access as repo
from filmroll.repositories import albums as albums_repo
from filmroll.repositories import assets as assets_repo
from filmroll.services.auth import AuthContext

Action = Literal["read", "view", "download", "update", "delete"]
READS: frozenset[str] = frozenset({"read", "view", "download"})
"""What partners and album members may do with assets they do not own."""
AlbumRole = Literal["owner", "editor", "viewer"]


def denied(permission: str) -> BadRequest:
    return BadRequest(f"Not found or no {permission} access")


def unlocked(auth: AuthContext) -> bool:
    """Whether the caller may see its own locked assets.

    The hook for a PIN-unlocked session: filmroll has no PIN yet, so this is always true and
    owners see their locked assets as before; a later PIN feature gates them here, and every
    read path (info, files, lists) follows.
    """
    del auth
    return True


def require_assets(
    conn: Connection, auth: AuthContext, ids: Sequence[uuid.UUID], action: Action
) -> list[Row[Any]]:
    """The asset rows, or BadRequest if any is missing or `action` on it is not allowed."""
    rows = list(assets_repo.get_many(conn, ids))
    allowed = len(rows) == len(set(ids))
    if allowed and action in READS:
        foreign = [r.id for r in rows if r.owner_id != auth.user_id or r.visibility == repo.LOCKED]
        allowed = len(repo.readable_ids(conn, auth.user_id, foreign, unlocked=unlocked(auth))) == len(foreign)
    elif allowed:
        allowed = all(r.owner_id == auth.user_id for r in rows)
    if not allowed:
        raise denied(f"asset.{action}")
    return rows


def shareable(conn: Connection, auth: AuthContext, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `ids` the caller may add to or remove from an album (own or partner-readable,
    never locked)."""
    return repo.shareable_ids(conn, auth.user_id, ids)


def album_role(conn: Connection, auth: AuthContext, album: Row[Any]) -> AlbumRole | None:
    """The caller's role in `album`, or None when it is neither owner nor member."""
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
    if album is None or role is None or role not in roles:
        raise denied(permission)
    return album, role


def v1_visibilities(own: bool) -> tuple[str, ...]:
    """Visibilities v1 sync shows a viewer: its own `timeline` and `archive` assets (locked and
    hidden ones stay out of Immich's v1 apps), a partner's `timeline` ones."""
    return repo.OWNER_V1_VISIBLE if own else repo.PARTNER_SYNC_VISIBLE


def delete_named(own: bool, ever_timeline: bool) -> bool:
    """Whether losing an asset may be named to a viewer: its own, or one once on the timeline
    (the rule `repositories.access.tombstone_named_to` applies to tombstones in SQL)."""
    return own or ever_timeline
