"""Sync v2 request and entity types (Immich v2.7.5) and the fixed order handlers run in."""

from __future__ import annotations

from typing import Final

REQUEST_TYPES: Final[tuple[str, ...]] = (
    "AlbumsV1", "AlbumUsersV1", "AlbumToAssetsV1", "AlbumAssetsV1", "AlbumAssetExifsV1", "AssetsV1",
    "AssetExifsV1", "AssetEditsV1", "AssetMetadataV1", "AuthUsersV1", "MemoriesV1", "MemoryToAssetsV1",
    "PartnersV1", "PartnerAssetsV1", "PartnerAssetExifsV1", "PartnerStacksV1", "StacksV1", "UsersV1",
    "PeopleV1", "AssetFacesV1", "AssetFacesV2", "UserMetadataV1",
)  # fmt: skip

ENTITY_TYPES: Final[tuple[str, ...]] = (
    "AuthUserV1", "UserV1", "UserDeleteV1", "AssetV1", "AssetDeleteV1", "AssetExifV1", "AssetEditV1",
    "AssetEditDeleteV1", "AssetMetadataV1", "AssetMetadataDeleteV1", "PartnerV1", "PartnerDeleteV1",
    "PartnerAssetV1", "PartnerAssetBackfillV1", "PartnerAssetDeleteV1", "PartnerAssetExifV1",
    "PartnerAssetExifBackfillV1", "PartnerStackBackfillV1", "PartnerStackDeleteV1", "PartnerStackV1",
    "AlbumV1", "AlbumDeleteV1", "AlbumUserV1", "AlbumUserBackfillV1", "AlbumUserDeleteV1",
    "AlbumAssetCreateV1", "AlbumAssetUpdateV1", "AlbumAssetBackfillV1", "AlbumAssetExifCreateV1",
    "AlbumAssetExifUpdateV1", "AlbumAssetExifBackfillV1", "AlbumToAssetV1", "AlbumToAssetDeleteV1",
    "AlbumToAssetBackfillV1", "MemoryV1", "MemoryDeleteV1", "MemoryToAssetV1", "MemoryToAssetDeleteV1",
    "StackV1", "StackDeleteV1", "PersonV1", "PersonDeleteV1", "AssetFaceV1", "AssetFaceV2",
    "AssetFaceDeleteV1", "UserMetadataV1", "UserMetadataDeleteV1", "SyncAckV1", "SyncResetV1",
    "SyncCompleteV1",
)  # fmt: skip

SYNC_TYPES_ORDER: Final[tuple[str, ...]] = (
    "AuthUsersV1", "UsersV1", "PartnersV1", "AssetsV1", "StacksV1", "PartnerAssetsV1", "PartnerStacksV1",
    "AlbumAssetsV1", "AlbumsV1", "AlbumUsersV1", "AlbumToAssetsV1", "AssetExifsV1", "AlbumAssetExifsV1",
    "PartnerAssetExifsV1", "MemoriesV1", "MemoryToAssetsV1", "PeopleV1", "AssetFacesV1", "AssetFacesV2",
    "UserMetadataV1", "AssetMetadataV1", "AssetEditsV1",
)  # fmt: skip

ALBUM_ASSET_LOSS: Final = "AlbumAssetDeleteV1"
"""Ack type of the deletes for album-only assets a user lost; not an Immich entity type, but
clients echo acks back verbatim, and it gives those deletes their own checkpoint."""
FILMROLL_ACK_TYPES: Final[tuple[str, ...]] = (ALBUM_ASSET_LOSS,)

REQUEST_TYPE_SET: Final = frozenset(REQUEST_TYPES)
ENTITY_TYPE_SET: Final = frozenset(ENTITY_TYPES)
ACK_TYPE_SET: Final = ENTITY_TYPE_SET | frozenset(FILMROLL_ACK_TYPES)


def ordered(requested: list[str]) -> list[str]:
    """Requested types in handler order; the client's order and duplicates do not matter."""
    wanted = set(requested)
    return [t for t in SYNC_TYPES_ORDER if t in wanted]
