"""Routes: /api/shared-links (owners manage links; visitors open them with `?key=` or `?slug=`)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from filmroll.api.albums import album_response
from filmroll.api.deps import AnyKeyAuth, Perm, Svc
from filmroll.api.dto import MAX_DESCRIPTION, MAX_NAME, Description, IdList, Model, Timestamp
from filmroll.api.routing import GuardedRoute
from filmroll.api.uuids import Uuid
from filmroll.mappers.asset import asset_response
from filmroll.services.auth import AuthContext
from filmroll.services.shared_links import TOKEN_COOKIE, LinkInput, LinkView, cookie_tokens, encode_key
from filmroll.timefmt import iso, to_naive_utc

router = APIRouter(prefix="/shared-links", tags=["Shared links"], route_class=GuardedRoute)

_TOKEN_AGE = 24 * 3600
"""The password cookie lasts a day, as Immich's."""
Slug = Annotated[str, Field(max_length=MAX_NAME)]
Password = Annotated[str, Field(max_length=MAX_DESCRIPTION)]


class _LinkSettings(Model):
    """What a link's owner sets both when creating and when editing it."""

    description: Description | None = None
    password: Password | None = None
    slug: Slug | None = None
    expires_at: Timestamp | None = None
    allow_upload: bool | None = None
    allow_download: bool | None = None
    show_metadata: bool | None = None


class SharedLinkCreateDto(_LinkSettings):
    type: Literal["ALBUM", "INDIVIDUAL"]
    asset_ids: IdList | None = None
    album_id: Uuid | None = None


class SharedLinkEditDto(_LinkSettings):
    change_expiry_time: bool | None = None


class SharedLinkLoginDto(Model):
    password: str


class AssetIdsDto(Model):
    asset_ids: IdList


def link_response(view: LinkView) -> dict[str, Any]:
    """`SharedLinkResponseDto`; assets lose their metadata when the caller is a visitor of a
    link that hides it (`mappers.asset.hide_metadata`)."""
    link = view.link
    body: dict[str, Any] = {
        "id": str(link.id),
        "description": link.description,
        "password": link.password,
        "userId": str(link.user_id),
        "key": encode_key(link.key),
        "type": link.type,
        "createdAt": iso(link.created_at),
        "expiresAt": iso(link.expires_at),
        "assets": [asset_response(dict(a._mapping), link.user_id) for a in view.assets],
        "allowUpload": bool(link.allow_upload),
        "allowDownload": bool(link.allow_download),
        "showMetadata": bool(link.show_metadata),
        "slug": link.slug,
    }
    if view.album is not None:
        album = album_response(view.album, link.user_id)
        body["album"] = {**album, "assets": [], "hasSharedLink": True, "shared": True}
    return body


def _address(request: Request) -> str | None:
    """The client address wrong link passwords are counted under (the proxy's forwarded
    address when uvicorn trusts the proxy)."""
    return request.client.host if request.client is not None else None


def _set_token(request: Request, response: Response, token: str) -> None:
    """Add the link's token to the visitor's cookie, keeping those of other links."""
    tokens = cookie_tokens(request.cookies)
    if token not in tokens:
        tokens.append(token)
    response.set_cookie(
        TOKEN_COOKIE,
        ",".join(tokens),
        max_age=_TOKEN_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


@router.get("")
async def list_links(
    auth: Annotated[AuthContext, Perm("sharedLink.read")],
    svc: Svc,
    album_id: Annotated[uuid.UUID | None, Query(alias="albumId")] = None,
    id: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    return [link_response(v) for v in await svc.shared_links.list_links(auth, link_id=id, album_id=album_id)]


@router.post("", status_code=201)
async def create_link(
    body: SharedLinkCreateDto, auth: Annotated[AuthContext, Perm("sharedLink.create")], svc: Svc
) -> dict[str, Any]:
    show_metadata = True if body.show_metadata is None else body.show_metadata
    data = LinkInput(
        type=body.type,
        album_id=body.album_id,
        asset_ids=body.asset_ids or [],
        description=body.description,
        password=body.password,
        slug=body.slug,
        expires_at=to_naive_utc(body.expires_at) if body.expires_at is not None else None,
        allow_upload=True if body.allow_upload is None else body.allow_upload,
        allow_download=True if body.allow_download is None else body.allow_download,
        show_metadata=show_metadata,
    )
    return link_response(await svc.shared_links.create(auth, data))


@router.get("/me")
async def my_link(
    request: Request,
    response: Response,
    auth: AnyKeyAuth,
    svc: Svc,
    password: str | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """The visitor's link. `password` (deprecated) logs in as `POST /login` does; `token`
    (deprecated) stands for the cookie. Any API key gets past authentication and is then
    refused as no visitor ("Forbidden"), as in Immich."""
    if password:
        view, proof = await svc.shared_links.login(auth, password, _address(request))
        _set_token(request, response, proof)
        return link_response(view)
    tokens = cookie_tokens(request.cookies) + ([token] if token else [])
    return link_response(await svc.shared_links.mine(auth, tokens))


@router.post("/login", status_code=201)
async def login(
    body: SharedLinkLoginDto, request: Request, response: Response, auth: AnyKeyAuth, svc: Svc
) -> dict[str, Any]:
    view, proof = await svc.shared_links.login(auth, body.password, _address(request))
    _set_token(request, response, proof)
    return link_response(view)


@router.get("/{id}")
async def get_link(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("sharedLink.read")], svc: Svc
) -> dict[str, Any]:
    return link_response(await svc.shared_links.get(auth, id))


@router.patch("/{id}")
async def update_link(
    id: uuid.UUID,
    body: SharedLinkEditDto,
    auth: Annotated[AuthContext, Perm("sharedLink.update")],
    svc: Svc,
) -> dict[str, Any]:
    given = body.model_fields_set
    values: dict[str, Any] = {}
    for field in ("description", "password", "slug"):
        if field in given:
            values[field] = getattr(body, field)
    for field in ("allow_upload", "allow_download", "show_metadata"):
        if getattr(body, field) is not None:
            values[field] = getattr(body, field)
    if body.change_expiry_time and body.expires_at is None:
        values["expires_at"] = None
    elif "expires_at" in given:
        values["expires_at"] = to_naive_utc(body.expires_at) if body.expires_at is not None else None
    return link_response(await svc.shared_links.update(auth, id, values))


@router.delete("/{id}", status_code=204)
async def delete_link(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("sharedLink.delete")], svc: Svc
) -> Response:
    await svc.shared_links.delete(auth, id)
    return Response(status_code=204)


@router.put("/{id}/assets")
async def add_assets(id: uuid.UUID, body: AssetIdsDto, auth: AnyKeyAuth, svc: Svc) -> list[dict[str, Any]]:
    """Immich asks API keys for no permission here (visitors of a link call it too)."""
    return await svc.shared_links.add_assets(auth, id, body.asset_ids)


@router.delete("/{id}/assets")
async def remove_assets(
    id: uuid.UUID, body: AssetIdsDto, auth: Annotated[AuthContext, Perm("sharedLink.update")], svc: Svc
) -> list[dict[str, Any]]:
    return await svc.shared_links.remove_assets(auth, id, body.asset_ids)
