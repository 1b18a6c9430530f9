"""A minimal v2 client replica (dicts keyed by family and id) and the server's view to compare it with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db.schema import album_assets, album_users, albums, assets, partners
from filmroll.timefmt import iso

State = dict[str, dict[Any, Any]]

_ASSET = {"AssetV1": "asset"}
_PARTNER = {"PartnerAssetV1": "partner_asset", "PartnerAssetBackfillV1": "partner_asset"}
_ALBUM_ASSET = {
    t: "album_asset" for t in ("AlbumAssetCreateV1", "AlbumAssetUpdateV1", "AlbumAssetBackfillV1")
}


def _version(data: dict[str, Any]) -> tuple[Any, ...]:
    return (data["isFavorite"], data["visibility"], data["deletedAt"])


@dataclass
class Replica:
    """Applies stream lines the way the mobile app's database does (album deletes cascade)."""

    state: State = field(
        default_factory=lambda: {
            k: {} for k in ("asset", "partner_asset", "album_asset", "album", "album_user", "link")
        }
    )

    def apply(self, item: dict[str, Any]) -> None:
        kind, data = item["type"], item["data"]
        families = {**_ASSET, **_PARTNER, **_ALBUM_ASSET}
        if kind in families:
            self.state[families[kind]][data["id"]] = _version(data)
        elif kind == "AssetDeleteV1":
            self.state["asset"].pop(data["assetId"], None)
        elif kind == "PartnerAssetDeleteV1":
            self.state["partner_asset"].pop(data["assetId"], None)
        elif kind == "AlbumV1":
            self.state["album"][data["id"]] = data["name"]
        elif kind == "AlbumDeleteV1":
            self._drop_album(data["albumId"])
        elif kind in ("AlbumUserV1", "AlbumUserBackfillV1"):
            self.state["album_user"][(data["albumId"], data["userId"])] = data["role"]
        elif kind == "AlbumUserDeleteV1":
            self.state["album_user"].pop((data["albumId"], data["userId"]), None)
        elif kind in ("AlbumToAssetV1", "AlbumToAssetBackfillV1"):
            self.state["link"][(data["albumId"], data["assetId"])] = True
        elif kind == "AlbumToAssetDeleteV1":
            self.state["link"].pop((data["albumId"], data["assetId"]), None)

    def _drop_album(self, album_id: str) -> None:
        self.state["album"].pop(album_id, None)
        for family in ("album_user", "link"):
            for key in [k for k in self.state[family] if k[0] == album_id]:
                del self.state[family][key]

    def view(self) -> State:
        """What the user is shown: album assets are those some held album links to."""
        linked = {asset for _album, asset in self.state["link"]}
        shown = {k: dict(v) for k, v in self.state.items()}
        shown["album_asset"] = {k: v for k, v in self.state["album_asset"].items() if k in linked}
        return shown


def _asset_versions(conn: Connection, where: sa.ColumnElement[bool]) -> dict[str, tuple[Any, ...]]:
    rows = conn.execute(
        sa.select(assets.c.id, assets.c.is_favorite, assets.c.visibility, assets.c.deleted_at).where(where)
    )
    return {str(r.id): (bool(r.is_favorite), r.visibility, iso(r.deleted_at)) for r in rows}


def server_view(conn: Connection, me: uuid.UUID) -> State:
    sharers = sa.select(partners.c.shared_by_id).where(partners.c.shared_with_id == me)
    mine = sa.union(
        sa.select(albums.c.id).where(albums.c.owner_id == me),
        sa.select(album_users.c.album_id).where(album_users.c.user_id == me),
    )
    album_rows = conn.execute(sa.select(albums.c.id, albums.c.name).where(albums.c.id.in_(mine))).all()
    member_rows = conn.execute(sa.select(album_users).where(album_users.c.album_id.in_(mine))).all()
    link_rows = conn.execute(sa.select(album_assets).where(album_assets.c.album_id.in_(mine))).all()
    linked = sa.select(album_assets.c.asset_id).where(album_assets.c.album_id.in_(mine))
    return {
        "asset": _asset_versions(conn, assets.c.owner_id == me),
        "partner_asset": _asset_versions(
            conn, sa.and_(assets.c.owner_id.in_(sharers), assets.c.visibility == "timeline")
        ),
        "album_asset": _asset_versions(conn, assets.c.id.in_(linked)),
        "album": {str(r.id): r.name for r in album_rows},
        "album_user": {(str(r.album_id), str(r.user_id)): r.role for r in member_rows},
        "link": {(str(r.album_id), str(r.asset_id)): True for r in link_rows},
    }
