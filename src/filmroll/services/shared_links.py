"""Shared links: public, key- or slug-addressed views of one album or a few assets.

The owner creates, lists, edits and deletes links; a visitor presents the link's key
(`?key=`, header `x-immich-share-key`) or slug (`?slug=`, `x-immich-share-slug`) and becomes an
`AuthContext` whose `user` is the owner but whose `link` says what it may do. That visitor:

- may call only the routes in `LINK_ROUTES` (anything else answers 403, as Immich);
- reads exactly what the link shows (`repositories.access.link_readable`), through the same
  access rule every read path asks, originals only when the link allows downloads;
- needs the password first when the link has one: `POST /api/shared-links/login` sets the
  `immich_shared_link_token` cookie, which every later request of the visitor carries;
- may upload when the link allows it; the upload is its owner's and is added to the link's
  album (or to the individual link) in the same transaction (`attach_upload`);
- sees assets without their metadata when the link does not show metadata.

Keys are 50 random bytes; requests find a link by the key's SHA-256, never by comparing the
secret. Passwords are kept as given, since Immich's apps show them back to the owner, and are
compared in constant time; the cookie token is SHA-256 of the link id and password, as Immich's.
Expired links, links of deleted users, and unknown keys all answer 401 "Invalid share key".

A link's password is often short and chosen by a person, and its key is public to everyone it
was sent to; so, unlike Immich, wrong passwords are spaced out (`Guesses`): after
`FREE_TRIES` wrong ones in a row for a link, or `ADDRESS_FREE_TRIES` from one client address
across links, the next check of that link or address answers 429 for 30 s, doubling up to a
quarter of an hour, as wrong PINs do. The counts live in the server process and a right
password clears them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy.exc
from sqlalchemy.engine import Connection, Row

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.errors import BadRequest, Forbidden, Unauthorized
from filmroll.repositories import access as access_repo
from filmroll.repositories import albums as albums_repo
from filmroll.repositories import shared_links as repo
from filmroll.repositories import users as users_repo
from filmroll.services import access
from filmroll.services.albums import AlbumService, AlbumView
from filmroll.services.auth import AuthContext, Credentials, LinkGrant
from filmroll.services.locked import FREE_TRIES, Guesses

LinkType = Literal["ALBUM", "INDIVIDUAL"]
KEY_BYTES = 50
TOKEN_COOKIE = "immich_shared_link_token"

LINK_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/shared-links/me"),
        ("POST", "/shared-links/login"),
        ("PUT", "/shared-links/{id}/assets"),
        ("POST", "/assets"),
        ("GET", "/assets/{id}"),
        ("GET", "/assets/{id}/thumbnail"),
        ("GET", "/assets/{id}/original"),
        ("GET", "/assets/{id}/video/playback"),
        ("GET", "/albums/{id}"),
        ("PUT", "/albums/{id}/assets"),
        ("GET", "/timeline/buckets"),
        ("GET", "/timeline/bucket"),
        ("POST", "/download/info"),
        ("POST", "/download/archive"),
    }
)
"""(method, path template under `/api`) of every route a link's visitor may call: Immich's shared-link
routes that filmroll serves and whose services follow `auth.link`. A route added here must
read through `services.access`, never through the owner id alone."""
PASSWORD_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {("GET", "/shared-links/me"), ("POST", "/shared-links/login")}
)
"""Routes a password-protected link's visitor may call before logging in: they answer the
password question themselves."""

_VISITOR: ContextVar[LinkGrant | None] = ContextVar("filmroll_link_visitor", default=None)
ADDRESS_FREE_TRIES = 4 * FREE_TRIES
"""Wrong passwords in a row from one client address, over every link, before its checks are
spaced out: looser than a link's own count, since a reverse proxy that does not forward
client addresses makes every visitor one address."""


def bind_visitor(auth: AuthContext) -> None:
    """Remember, for the rest of this request, the link the caller came through: the upload
    route hands the upload service only the owner's id."""
    _VISITOR.set(auth.link)


def visitor() -> LinkGrant | None:
    """The link of the current request's caller, if it is a shared-link visitor."""
    return _VISITOR.get()


def presented(creds: Credentials) -> tuple[str | None, str | None]:
    """(key, slug) the request presents; a key wins over a slug, both over other credentials."""
    key = creds.headers.get("x-immich-share-key") or creds.query.get("key") or None
    slug = creds.headers.get("x-immich-share-slug") or creds.query.get("slug") or None
    return key, slug


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


def _key_digest(key: str) -> bytes | None:
    """SHA-256 of the key's bytes: 100 characters are hex, anything else base64url (Immich)."""
    try:
        raw = bytes.fromhex(key) if len(key) == 100 else base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    except (ValueError, binascii.Error):
        return None
    return hashlib.sha256(raw).digest() if raw else None


def token_of(link_id: uuid.UUID, password: str) -> str:
    """The cookie token that proves the password of one link."""
    return base64.b64encode(hashlib.sha256(f"{link_id}-{password}".encode()).digest()).decode()


def cookie_tokens(cookies: Mapping[str, str]) -> list[str]:
    return [t for t in cookies.get(TOKEN_COOKIE, "").split(",") if t]


def _proves(row: Row[Any], tokens: Sequence[str]) -> bool:
    expected = token_of(row.id, row.password).encode()
    return any(hmac.compare_digest(t.encode(), expected) for t in tokens)


def _password_matches(row: Row[Any], password: str) -> bool:
    return bool(row.password) and hmac.compare_digest(password.encode(), str(row.password).encode())


def grant(row: Row[Any]) -> LinkGrant:
    return LinkGrant(
        id=row.id,
        album_id=row.album_id,
        allow_upload=bool(row.allow_upload),
        allow_download=bool(row.allow_download),
        show_metadata=bool(row.show_metadata),
    )


def attach_upload(conn: Connection, link: LinkGrant, asset_id: uuid.UUID, values: Mapping[str, Any]) -> None:
    """Add a visitor's new upload to its link's album or individual link, in the upload's own
    transaction; refuse (rolling the upload back) a locked upload, which no link may show, and
    a live photo whose video the link does not show."""
    if values.get("visibility") == access_repo.LOCKED:
        raise BadRequest("Uploads through a shared link cannot go to the locked folder")
    video_id = values.get("live_photo_video_id")
    if video_id is not None and not access_repo.link_readable_ids(conn, link.id, [video_id]):
        raise BadRequest("livePhotoVideoId must be one of your videos")
    if link.album_id is not None:
        albums_repo.add_assets(conn, link.album_id, [asset_id])
        album = albums_repo.get(conn, link.album_id)
        if album is not None:  # bumped as any addition bumps it; the first asset becomes its cover
            albums_repo.update(
                conn, link.album_id, {"thumbnail_asset_id": album.thumbnail_asset_id or asset_id}
            )
    else:
        repo.add_assets(conn, link.id, [asset_id], utcnow())


@dataclass(frozen=True, slots=True)
class LinkInput:
    """`SharedLinkCreateDto` after parsing."""

    type: LinkType
    album_id: uuid.UUID | None
    asset_ids: Sequence[uuid.UUID]
    description: str | None
    password: str | None
    slug: str | None
    expires_at: datetime | None
    allow_upload: bool
    allow_download: bool
    show_metadata: bool


@dataclass(frozen=True, slots=True)
class LinkView:
    """A link with what its response shows: its assets (individual links) or its album."""

    link: Row[Any]
    assets: Sequence[Row[Any]]
    album: AlbumView | None


def _unique(ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(ids))


class SharedLinkService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.guesses = Guesses()

    # --- visitors -------------------------------------------------------------------------

    async def authenticate(
        self, creds: Credentials, route: tuple[str, str] | None, permission: str | None
    ) -> AuthContext:
        """The visitor of the link the request presents (see the module docstring for the rules)."""
        key, slug = presented(creds)
        digest = _key_digest(key) if key else None
        message = "Invalid share key" if key else "Invalid share slug"

        def find(conn: Connection) -> tuple[Row[Any], Row[Any]] | None:
            if key:
                row = repo.find_with_owner(conn, key_hash=digest) if digest else None
            else:
                row = repo.find_with_owner(conn, slug=slug)
            user = users_repo.get(conn, row.user_id) if row is not None else None
            return (row, user) if row is not None and user is not None else None

        found = await self.db.read(find)
        if found is None or (found[0].expires_at is not None and found[0].expires_at <= utcnow()):
            raise Unauthorized(message)
        row, user = found
        if route not in LINK_ROUTES:
            raise Forbidden("Forbidden")
        if row.password and route not in PASSWORD_ROUTES and not _proves(row, cookie_tokens(creds.cookies)):
            raise Unauthorized("Password required")
        if permission == "asset.upload" and not row.allow_upload:
            raise Unauthorized("Unauthorized")
        return AuthContext(user=user, link=grant(row))

    async def mine(self, auth: AuthContext, tokens: Sequence[str]) -> LinkView:
        """`GET /api/shared-links/me`: the visitor's link, once its password is proven."""
        link = self._visitor_link(auth)

        def load(conn: Connection) -> LinkView:
            row = repo.get(conn, link.id)
            if row is None:
                raise Unauthorized("Invalid share key")
            if row.password and not _proves(row, tokens):
                raise Unauthorized("Password required")
            return self._view(conn, row)

        return await self.db.read(load)

    async def login(self, auth: AuthContext, password: str, client: str | None) -> tuple[LinkView, str]:
        """`POST /api/shared-links/login`: the link and the token proving its password; wrong
        passwords from the same link or `client` address are spaced out (`Guesses`)."""
        link = self._visitor_link(auth)
        keys = [(f"link:{link.id}", FREE_TRIES)]
        if client:
            keys.append((f"address:{client}", ADDRESS_FREE_TRIES))

        row = await self.db.read(lambda conn: repo.get(conn, link.id))
        if row is None:
            raise Unauthorized("Invalid share key")
        if not row.password:
            raise BadRequest("Shared link is not password protected")
        # Counted and checked on the event loop, with no await in between: concurrent guesses
        # are counted one after the other.
        self.guesses.begin(keys)
        if not _password_matches(row, password):
            raise Unauthorized("Invalid password")
        self.guesses.right(keys)
        view = await self.db.read(lambda conn: self._view(conn, row))
        return view, token_of(row.id, row.password)

    @staticmethod
    def _visitor_link(auth: AuthContext) -> LinkGrant:
        if auth.link is None:
            raise Forbidden("Forbidden")
        return auth.link

    # --- owners ---------------------------------------------------------------------------

    async def list_links(
        self, auth: AuthContext, *, link_id: uuid.UUID | None, album_id: uuid.UUID | None
    ) -> list[LinkView]:
        def load(conn: Connection) -> list[LinkView]:
            rows = repo.list_owned(conn, auth.user_id, link_id=link_id, album_id=album_id)
            shown = repo.shown_assets(conn, [r.id for r in rows if r.type == "INDIVIDUAL"])
            return [self._view(conn, r, shown.get(r.id, [])) for r in rows]

        return await self.db.read(load)

    async def get(self, auth: AuthContext, link_id: uuid.UUID) -> LinkView:
        def load(conn: Connection) -> LinkView:
            return self._view(conn, self._owned(conn, auth, link_id))

        return await self.db.read(load)

    async def create(self, auth: AuthContext, data: LinkInput) -> LinkView:
        """Album links need the right to share the album (its owner), individual links the
        right to share every asset (own or a partner's, never locked)."""

        def create(conn: Connection) -> LinkView:
            album_id: uuid.UUID | None = None
            asset_ids: list[uuid.UUID] = []
            if data.type == "ALBUM":
                if data.album_id is None:
                    raise BadRequest("Invalid albumId")
                access.require_album(conn, auth, data.album_id, "album.share", ("owner",))
                album_id = data.album_id
            else:
                asset_ids = _unique(data.asset_ids)
                if not asset_ids:
                    raise BadRequest("Invalid assetIds")
                if len(access.shareable(conn, auth, asset_ids)) != len(asset_ids):
                    raise access.denied("asset.share")
            key = secrets.token_bytes(KEY_BYTES)
            slug = data.slug or None
            values: dict[str, Any] = {
                "user_id": auth.user_id,
                "key": key,
                "key_hash": hashlib.sha256(key).digest(),
                "slug": slug,
                "type": data.type,
                "album_id": album_id,
                "description": data.description or None,
                "password": data.password or None,
                "expires_at": data.expires_at,
                "allow_upload": data.allow_upload,
                # A link that hides metadata never hands out originals, which carry it.
                "allow_download": data.allow_download and data.show_metadata,
                "show_metadata": data.show_metadata,
            }
            self._check_slug(conn, slug, None)
            try:
                with conn.begin_nested():
                    row = repo.insert(conn, values, asset_ids, utcnow())
            except sqlalchemy.exc.IntegrityError as exc:
                raise BadRequest("Failed to save shared link") from exc
            return self._view(conn, row)

        return await self.db.write(create)

    async def update(self, auth: AuthContext, link_id: uuid.UUID, values: dict[str, Any]) -> LinkView:
        """Change the given fields (`SharedLinkEditDto`); an empty slug or password removes it."""
        changes = dict(values)
        for name in ("slug", "password"):
            if name in changes:
                changes[name] = changes[name] or None

        def update(conn: Connection) -> LinkView:
            self._owned(conn, auth, link_id)
            if "slug" in changes:
                self._check_slug(conn, changes["slug"], link_id)
            try:
                with conn.begin_nested():
                    repo.update(conn, link_id, changes)
            except sqlalchemy.exc.IntegrityError as exc:
                raise BadRequest("Failed to save shared link") from exc
            return self._view(conn, self._owned(conn, auth, link_id))

        return await self.db.write(update)

    async def delete(self, auth: AuthContext, link_id: uuid.UUID) -> None:
        def delete(conn: Connection) -> None:
            self._owned(conn, auth, link_id)
            repo.delete(conn, link_id)

        await self.db.write(delete)

    async def add_assets(
        self, auth: AuthContext, link_id: uuid.UUID, ids: Sequence[uuid.UUID]
    ) -> list[dict[str, Any]]:
        """Add assets to an individual link. A visitor may address only its own link and can
        add nothing it does not already see (`access.shareable`)."""

        def add(conn: Connection) -> list[dict[str, Any]]:
            if auth.link is not None:
                row = repo.get(conn, link_id) if link_id == auth.link.id else None
                if row is None:
                    raise BadRequest("Shared link not found")
            else:
                row = self._owned(conn, auth, link_id)
            if row.type != "INDIVIDUAL":
                raise BadRequest("Invalid shared link type")
            present = repo.asset_ids(conn, link_id)
            allowed = access.shareable(conn, auth, [i for i in _unique(ids) if i not in present])
            results: list[dict[str, Any]] = []
            added: list[uuid.UUID] = []
            for asset_id in ids:
                if asset_id in present or asset_id in added:
                    results.append({"assetId": str(asset_id), "success": False, "error": "duplicate"})
                elif asset_id not in allowed:
                    results.append({"assetId": str(asset_id), "success": False, "error": "no_permission"})
                else:
                    added.append(asset_id)
                    results.append({"assetId": str(asset_id), "success": True})
            repo.add_assets(conn, link_id, added, utcnow())
            return results

        return await self.db.write(add)

    async def remove_assets(
        self, auth: AuthContext, link_id: uuid.UUID, ids: Sequence[uuid.UUID]
    ) -> list[dict[str, Any]]:
        def remove(conn: Connection) -> list[dict[str, Any]]:
            row = self._owned(conn, auth, link_id)
            if row.type != "INDIVIDUAL":
                raise BadRequest("Invalid shared link type")
            present = repo.asset_ids(conn, link_id)
            results: list[dict[str, Any]] = []
            removed: list[uuid.UUID] = []
            for asset_id in ids:
                if asset_id in present and asset_id not in removed:
                    removed.append(asset_id)
                    results.append({"assetId": str(asset_id), "success": True})
                else:
                    results.append({"assetId": str(asset_id), "success": False, "error": "not_found"})
            repo.remove_assets(conn, link_id, removed)
            return results

        return await self.db.write(remove)

    # --- rules ----------------------------------------------------------------------------

    @staticmethod
    def _owned(conn: Connection, auth: AuthContext, link_id: uuid.UUID) -> Row[Any]:
        """The caller's own link; a visitor owns none, whatever its link's owner does."""
        row = None if auth.link is not None else repo.get_owned(conn, auth.user_id, link_id)
        if row is None:
            raise BadRequest("Shared link not found")
        return row

    @staticmethod
    def _check_slug(conn: Connection, slug: str | None, link_id: uuid.UUID | None) -> None:
        if slug is not None and repo.slug_taken(conn, slug, except_id=link_id):
            raise BadRequest("Failed to save shared link")

    @staticmethod
    def _view(conn: Connection, row: Row[Any], shown: Sequence[Row[Any]] | None = None) -> LinkView:
        if row.type == "ALBUM":
            album = albums_repo.get(conn, row.album_id) if row.album_id is not None else None
            view = AlbumService._view(conn, album, with_assets=False) if album is not None else None
            return LinkView(row, [], view)
        if shown is None:
            shown = repo.shown_assets(conn, [row.id])[row.id]
        return LinkView(row, shown, None)
