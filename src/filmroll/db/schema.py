"""The one schema definition: SQLAlchemy Core tables shared by SQLite and PostgreSQL.

Every syncable row carries `update_seq`, a value of the commit-ordered change clock
(`filmroll.db.clock`); deletes and lost access are recorded in `*_audit` tables whose
primary key is a clock value too, so every sync cursor is a single integer.
Timestamps are naive UTC on both databases so comparisons behave the same everywhere.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Ts = sa.DateTime(timezone=False)
Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _uuid_pk() -> sa.Column[object]:
    return sa.Column("id", sa.Uuid(), primary_key=True)


def _seq(name: str = "update_seq", *, index: bool = True) -> sa.Column[int]:
    return sa.Column(name, Seq, nullable=False, index=index)


def _wire_forms() -> list[sa.Column[Any]]:
    """A syncable row's stored wire forms (v2 `data` object, v1 DTO part) and what they were
    rendered from: valid only while `wire_seq = update_seq` and `wire_version` is the current
    one (`sync.forms`), so a write never has to render them and a stale form is never sent."""
    return [
        sa.Column("wire_v2", sa.Text(), nullable=True),
        sa.Column("wire_v1", sa.Text(), nullable=True),
        sa.Column("wire_seq", Seq, nullable=True),
        sa.Column("wire_version", sa.SmallInteger(), nullable=True),
        # Signed 64-bit hash of `wire_v2`, stored with it (sync digests; `sync.forms.render.row_hash`).
        sa.Column("wire_hash", sa.BigInteger(), nullable=True),
    ]


def _digest_columns(*keys: str) -> tuple[str, ...]:
    """Columns of an index that answers sync digests alone: owner, bucket keys, then what
    decides whether the stored hash is fresh, and the hash."""
    return ("owner_id", *keys, "update_seq", "wire_seq", "wire_version", "wire_hash")


sync_clock = sa.Table(
    "sync_clock",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("seq", Seq, nullable=False),
    sa.Column("last_at", Ts, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    _uuid_pk(),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=True),
    sa.Column("is_admin", sa.Boolean(), nullable=False, default=False),
    sa.Column("avatar_color", sa.String(16), nullable=True),
    sa.Column("profile_image_path", sa.String(400), nullable=False, default=""),
    sa.Column("profile_changed_at", Ts, nullable=False),
    sa.Column("should_change_password", sa.Boolean(), nullable=False, default=False),
    sa.Column("is_onboarded", sa.Boolean(), nullable=False, default=False),
    sa.Column("storage_label", sa.String(200), nullable=True),
    sa.Column("oauth_id", sa.String(200), nullable=False, default=""),
    sa.Column("pin_code", sa.String(200), nullable=True),
    sa.Column("quota_size_in_bytes", sa.BigInteger(), nullable=True),
    sa.Column("quota_usage_in_bytes", sa.BigInteger(), nullable=False, default=0),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    sa.Column("deleted_at", Ts, nullable=True),
    _seq(),
)

user_audit = sa.Table(
    "user_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Uuid(), nullable=False),
    sa.Column("deleted_at", Ts, nullable=False, index=True),
)

user_directory = sa.Table(
    "user_directory",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("mode", sa.String(16), nullable=False),
    # Clock value at which this mode took effect: a session whose `UsersV1` checkpoint is
    # older was synced under the previous mode and is brought in line by its next stream.
    sa.Column("since_seq", Seq, nullable=False),
    sa.Column("changed_at", Ts, nullable=False),
)

user_metadata = sa.Table(
    "user_metadata",
    metadata,
    sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("value", sa.JSON(), nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    _seq(),
)

user_metadata_audit = sa.Table(
    "user_metadata_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("user_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("key", sa.String(32), nullable=False),
    sa.Column("deleted_at", Ts, nullable=False, index=True),
)

sessions = sa.Table(
    "sessions",
    metadata,
    _uuid_pk(),
    sa.Column(
        "user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("token_hash", sa.LargeBinary(32), nullable=False, unique=True),
    sa.Column("parent_id", sa.Uuid(), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=True),
    sa.Column("device_os", sa.String(100), nullable=False, default=""),
    sa.Column("device_type", sa.String(100), nullable=False, default=""),
    sa.Column("app_version", sa.String(100), nullable=True),
    sa.Column("is_pending_sync_reset", sa.Boolean(), nullable=False, default=False),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    sa.Column("expires_at", Ts, nullable=True),
    # Server time as of which this session's last v1 full or delta sync was answered: a v1
    # watermark later than this came from a clock running ahead, and is read as this instead.
    sa.Column("v1_synced_at", Ts, nullable=True),
    # Until when a PIN unlock lets this session read its user's locked assets (`services.locked`).
    sa.Column("pin_expires_at", Ts, nullable=True),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    _uuid_pk(),
    sa.Column(
        "user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("key_hash", sa.LargeBinary(32), nullable=False, unique=True),
    sa.Column("permissions", sa.JSON(), nullable=False),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    # Server time as of which this key's last v1 full or delta sync was answered (shown on the
    # Devices page; unlike a session's, never used to read a client's watermark).
    sa.Column("v1_synced_at", Ts, nullable=True),
)

session_sync_checkpoints = sa.Table(
    "session_sync_checkpoints",
    metadata,
    sa.Column("session_id", sa.Uuid(), sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("type", sa.String(40), primary_key=True),
    sa.Column("ack", sa.String(200), nullable=False),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
)

partners = sa.Table(
    "partners",
    metadata,
    sa.Column("shared_by_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("shared_with_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("in_timeline", sa.Boolean(), nullable=False, default=False),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    _seq("create_seq"),
    _seq(),
    sa.Index("ix_partners_shared_with_id", "shared_with_id"),
)

partner_audit = sa.Table(
    "partner_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("shared_by_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("shared_with_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("deleted_at", Ts, nullable=False, index=True),
)

stacks = sa.Table(
    "stacks",
    metadata,
    _uuid_pk(),
    sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("primary_asset_id", sa.Uuid(), nullable=False),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    _seq(),
    sa.Index("ix_stacks_owner_id_update_seq", "owner_id", "update_seq"),
)

stack_audit = sa.Table(
    "stack_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("stack_id", sa.Uuid(), nullable=False),
    sa.Column("user_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("deleted_at", Ts, nullable=False, index=True),
)


def _on_timeline(context: Any) -> bool:
    """`ever_timeline` of an inserted asset when the insert does not say: is it on the timeline."""
    return bool(context.get_current_parameters().get("visibility", "timeline") == "timeline")


assets = sa.Table(
    "assets",
    metadata,
    _uuid_pk(),
    sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("device_asset_id", sa.String(400), nullable=False, default=""),
    sa.Column("device_id", sa.String(400), nullable=False, default=""),
    sa.Column("type", sa.String(8), nullable=False),
    sa.Column("original_path", sa.String(1000), nullable=False),
    sa.Column("original_file_name", sa.String(400), nullable=False),
    sa.Column("checksum", sa.LargeBinary(20), nullable=False),
    sa.Column("file_size", sa.BigInteger(), nullable=False),
    sa.Column("file_created_at", Ts, nullable=False),
    sa.Column("file_modified_at", Ts, nullable=False),
    sa.Column("local_date_time", Ts, nullable=False),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    sa.Column("deleted_at", Ts, nullable=True),
    sa.Column("is_favorite", sa.Boolean(), nullable=False, default=False),
    sa.Column("visibility", sa.String(10), nullable=False, default="timeline"),
    sa.Column("is_offline", sa.Boolean(), nullable=False, default=False),
    sa.Column("is_edited", sa.Boolean(), nullable=False, default=False),
    sa.Column("duration", sa.String(40), nullable=True),
    sa.Column("live_photo_video_id", sa.Uuid(), nullable=True),
    sa.Column("stack_id", sa.Uuid(), sa.ForeignKey("stacks.id", ondelete="SET NULL"), nullable=True),
    sa.Column("library_id", sa.Uuid(), nullable=True),
    sa.Column("duplicate_id", sa.Uuid(), nullable=True),
    sa.Column("thumbhash", sa.LargeBinary(), nullable=True),
    sa.Column("width", sa.Integer(), nullable=True),
    sa.Column("height", sa.Integer(), nullable=True),
    sa.Column("preview_path", sa.String(1000), nullable=True),
    sa.Column("thumbnail_path", sa.String(1000), nullable=True),
    sa.Column("sidecar_path", sa.String(1000), nullable=True),
    # Set once the asset is on the timeline, never cleared: partners may be told only of such
    # assets' deletes (`repositories.access`); copied into `asset_audit` at permanent delete.
    sa.Column("ever_timeline", sa.Boolean(), nullable=False, default=_on_timeline, server_default=sa.false()),
    *_wire_forms(),
    _seq(index=False),
    sa.UniqueConstraint("owner_id", "checksum"),
    sa.Index("ix_assets_owner_id_update_seq", "owner_id", "update_seq"),
    sa.Index("ix_assets_owner_id_updated_at", "owner_id", "updated_at"),
    sa.Index("ix_assets_owner_id_id", "owner_id", "id"),
    sa.Index("ix_assets_owner_id_file_created_at_id", "owner_id", "file_created_at", "id"),
    # Covers sync digests (`sync.extensions.digests`): per-month sums read the index, not the rows.
    sa.Index("ix_assets_digest", *_digest_columns("file_created_at", "id")),
    sa.Index("ix_assets_stack_id", "stack_id"),
    sa.Index(
        "ix_assets_owner_id_local_date_time",
        *("owner_id", "local_date_time", "visibility", "deleted_at", "stack_id", "id"),
    ),
    # The daily purge finds assets trashed before a cutoff, oldest first, in batches: only the
    # trash, so each batch reads its own rows rather than scanning the library.
    sa.Index(
        "ix_assets_trashed_deleted_at",
        "deleted_at",
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
    ),
)

asset_exif = sa.Table(
    "asset_exif",
    metadata,
    sa.Column("asset_id", sa.Uuid(), sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    # The asset's owner, copied (assets never change owner) so that an owner's exif stream walks
    # its own index instead of looking up every changed exif row's asset.
    sa.Column("owner_id", sa.Uuid(), nullable=False),
    # The asset's `file_created_at`, copied by `repositories.assets` whenever it is set, so
    # that sync digests group exif by date from one covering index, as they group assets.
    sa.Column("file_created_at", Ts, nullable=False),
    sa.Column("make", sa.String(200), nullable=True),
    sa.Column("model", sa.String(200), nullable=True),
    sa.Column("lens_model", sa.String(200), nullable=True),
    sa.Column("exif_image_width", sa.Integer(), nullable=True),
    sa.Column("exif_image_height", sa.Integer(), nullable=True),
    sa.Column("file_size_in_byte", sa.BigInteger(), nullable=True),
    sa.Column("orientation", sa.String(8), nullable=True),
    sa.Column("date_time_original", Ts, nullable=True),
    sa.Column("modify_date", Ts, nullable=True),
    sa.Column("time_zone", sa.String(64), nullable=True),
    sa.Column("f_number", sa.Float(), nullable=True),
    sa.Column("focal_length", sa.Float(), nullable=True),
    sa.Column("iso", sa.Integer(), nullable=True),
    sa.Column("exposure_time", sa.String(32), nullable=True),
    sa.Column("latitude", sa.Float(), nullable=True),
    sa.Column("longitude", sa.Float(), nullable=True),
    sa.Column("city", sa.String(200), nullable=True),
    sa.Column("state", sa.String(200), nullable=True),
    sa.Column("country", sa.String(200), nullable=True),
    sa.Column("description", sa.Text(), nullable=True),
    sa.Column("projection_type", sa.String(32), nullable=True),
    sa.Column("profile_description", sa.String(200), nullable=True),
    sa.Column("rating", sa.Integer(), nullable=True),
    sa.Column("fps", sa.Float(), nullable=True),
    # Values the owner set by hand (bits of `repositories.assets.LOCKS`): metadata extraction,
    # which may run after the edit or again later, leaves them as they are, as Immich's
    # `lockedProperties` do.
    sa.Column("locked", sa.SmallInteger(), nullable=False, server_default="0"),
    sa.Column("updated_at", Ts, nullable=False),
    *_wire_forms(),
    _seq(),
    sa.Index("ix_asset_exif_owner_id_update_seq", "owner_id", "update_seq"),
    sa.Index("ix_asset_exif_digest", *_digest_columns("file_created_at", "asset_id")),
)

wire_renders = sa.Table(
    "wire_renders",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("version", sa.SmallInteger(), nullable=False),
    sa.Column("cursor", Seq, nullable=False),
)
"""How far the background renderer has brought each table's stored wire forms (`sync.forms`)."""

asset_audit = sa.Table(
    "asset_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("asset_id", sa.Uuid(), nullable=False),
    sa.Column("owner_id", sa.Uuid(), nullable=False),
    sa.Column("deleted_at", Ts, nullable=False, index=True),
    sa.Column("ever_timeline", sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Index("ix_asset_audit_owner_id_seq", "owner_id", "seq"),
    sa.Index("ix_asset_audit_owner_id_deleted_at", "owner_id", "deleted_at"),
)

albums = sa.Table(
    "albums",
    metadata,
    _uuid_pk(),
    sa.Column(
        "owner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("name", sa.String(400), nullable=False, default=""),
    sa.Column("description", sa.Text(), nullable=False, default=""),
    sa.Column(
        "thumbnail_asset_id", sa.Uuid(), sa.ForeignKey("assets.id", ondelete="SET NULL"), nullable=True
    ),
    sa.Column("is_activity_enabled", sa.Boolean(), nullable=False, default=True),
    sa.Column("order", sa.String(4), nullable=False, default="desc"),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    _seq(),
)

album_audit = sa.Table(
    "album_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("album_id", sa.Uuid(), nullable=False),
    sa.Column("user_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("deleted_at", Ts, nullable=False, index=True),
)

album_users = sa.Table(
    "album_users",
    metadata,
    sa.Column("album_id", sa.Uuid(), sa.ForeignKey("albums.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role", sa.String(8), nullable=False, default="editor"),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    _seq("create_seq"),
    _seq(),
    sa.Index("ix_album_users_user_id", "user_id"),
)

album_user_audit = sa.Table(
    "album_user_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("album_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("user_id", sa.Uuid(), nullable=False),
    sa.Column("deleted_at", Ts, nullable=False, index=True),
)

album_assets = sa.Table(
    "album_assets",
    metadata,
    sa.Column("album_id", sa.Uuid(), sa.ForeignKey("albums.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("asset_id", sa.Uuid(), sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", Ts, nullable=False),
    _seq(),
    sa.Index("ix_album_assets_asset_id", "asset_id"),
)

album_asset_audit = sa.Table(
    "album_asset_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("album_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("asset_id", sa.Uuid(), nullable=False),
    sa.Column("deleted_at", Ts, nullable=False, index=True),
)

memories = sa.Table(
    "memories",
    metadata,
    _uuid_pk(),
    sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),
    sa.Column("is_saved", sa.Boolean(), nullable=False, default=False),
    sa.Column("memory_at", Ts, nullable=False),
    sa.Column("show_at", Ts, nullable=True),
    sa.Column("hide_at", Ts, nullable=True),
    sa.Column("seen_at", Ts, nullable=True),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    sa.Column("deleted_at", Ts, nullable=True),
    _seq(index=False),
    sa.Index("ix_memories_owner_id_update_seq", "owner_id", "update_seq"),
)

memory_audit = sa.Table(
    "memory_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("memory_id", sa.Uuid(), nullable=False),
    sa.Column("user_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("deleted_at", Ts, nullable=False, index=True),
)

memory_assets = sa.Table(
    "memory_assets",
    metadata,
    sa.Column("memory_id", sa.Uuid(), sa.ForeignKey("memories.id", ondelete="CASCADE"), primary_key=True),
    # No foreign key: a permanently deleted asset's link stays until the asset's tombstone is
    # pruned, so sync can still tell the memory's owner that the asset left the memory.
    sa.Column("asset_id", sa.Uuid(), primary_key=True),
    sa.Column("created_at", Ts, nullable=False),
    _seq(),
    sa.Index("ix_memory_assets_asset_id", "asset_id"),
)

memory_asset_audit = sa.Table(
    "memory_asset_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("memory_id", sa.Uuid(), nullable=False),
    sa.Column("asset_id", sa.Uuid(), nullable=False),
    sa.Column("user_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("deleted_at", Ts, nullable=False, index=True),
)

memory_generation = sa.Table(
    "memory_generation",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("last_on_this_day", sa.Date(), nullable=False),
)
"""The last day "on this day" memories were generated for (one row), so a day is done once."""

asset_metadata = sa.Table(
    "asset_metadata",
    metadata,
    sa.Column("asset_id", sa.Uuid(), sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("key", sa.String(100), primary_key=True),
    # The asset's owner, copied (assets never change owner), so the owner's stream walks an index.
    sa.Column("owner_id", sa.Uuid(), nullable=False),
    sa.Column("value", sa.JSON(), nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    _seq(index=False),
    sa.Index("ix_asset_metadata_owner_id_update_seq", "owner_id", "update_seq"),
)

asset_metadata_audit = sa.Table(
    "asset_metadata_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("asset_id", sa.Uuid(), nullable=False),
    sa.Column("owner_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("key", sa.String(100), nullable=False),
    sa.Column("deleted_at", Ts, nullable=False, index=True),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    ),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, default="queued"),
    sa.Column("attempts", sa.Integer(), nullable=False, default=0),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("run_after", Ts, nullable=False),
    sa.Column("locked_by", sa.String(64), nullable=True),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    sa.Index("ix_jobs_status_run_after", "status", "run_after"),
)

# Background tasks that run once per cluster, not once per process (daily maintenance): a
# process runs one after moving `last_run_at` forward with a conditional update, which only
# one process can win.
cluster_tasks = sa.Table(
    "cluster_tasks",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("last_run_at", Ts, nullable=False),
    sa.Column("run_by", sa.String(64), nullable=True),
)

# --- tags and search ----------------------------------------------------------------------

tags = sa.Table(
    "tags",
    metadata,
    _uuid_pk(),
    sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # The full path (`a/b/c`); the name is its last segment. Unique per user, as in Immich.
    sa.Column("value", sa.String(1000), nullable=False),
    sa.Column("color", sa.String(16), nullable=True),
    sa.Column("parent_id", sa.Uuid(), sa.ForeignKey("tags.id", ondelete="CASCADE"), nullable=True),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    _seq(index=False),
    sa.UniqueConstraint("user_id", "value"),
    sa.Index("ix_tags_parent_id", "parent_id"),
    sa.Index("ix_tags_user_id_update_seq", "user_id", "update_seq"),
)

tag_audit = sa.Table(
    "tag_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("tag_id", sa.Uuid(), nullable=False),
    sa.Column("user_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("deleted_at", Ts, nullable=False, index=True),
)

tag_assets = sa.Table(
    "tag_assets",
    metadata,
    sa.Column("tag_id", sa.Uuid(), sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("asset_id", sa.Uuid(), sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", Ts, nullable=False),
    _seq(),
    sa.Index("ix_tag_assets_asset_id", "asset_id"),
)

tag_asset_audit = sa.Table(
    "tag_asset_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=False),
    sa.Column("tag_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("asset_id", sa.Uuid(), nullable=False),
    sa.Column("deleted_at", Ts, nullable=False, index=True),
)

# Search: distinct place and camera values per owner are read by skipping through these
# indexes (one probe per distinct value), so suggestions, places and explore stay fast on
# large libraries; the place index also serves state and city narrowed by country and state.
SEARCH_INDEXES = (
    sa.Index(
        "ix_asset_exif_owner_id_country_state_city",
        asset_exif.c.owner_id,
        asset_exif.c.country,
        asset_exif.c.state,
        asset_exif.c.city,
    ),
    sa.Index("ix_asset_exif_owner_id_state", asset_exif.c.owner_id, asset_exif.c.state),
    sa.Index("ix_asset_exif_owner_id_city", asset_exif.c.owner_id, asset_exif.c.city),
    sa.Index(
        "ix_asset_exif_owner_id_make_model", asset_exif.c.owner_id, asset_exif.c.make, asset_exif.c.model
    ),
    sa.Index("ix_asset_exif_owner_id_model", asset_exif.c.owner_id, asset_exif.c.model),
    sa.Index("ix_asset_exif_owner_id_lens_model", asset_exif.c.owner_id, asset_exif.c.lens_model),
    # The access rule asks whether an asset is the motion part of a (locked) still: an index
    # probe instead of a pass over the assets for every row a search walks.
    sa.Index("ix_assets_live_photo_video_id", assets.c.live_photo_video_id),
    # Only the locked stills: PostgreSQL gathers those first when it checks a page of assets
    # against them, and the whole-table index above made that a pass over every asset.
    sa.Index(
        "ix_assets_locked_live_photo_video_id",
        assets.c.live_photo_video_id,
        postgresql_where=assets.c.visibility == "locked",
        sqlite_where=assets.c.visibility == "locked",
    ),
)

# Search, PostgreSQL only: trigram indexes of the accent-folded text (`f_unaccent`, migration
# 0025) let the case- and accent-insensitive substring filters on file name and description
# find their few matches without reading an owner's whole library.
TRIGRAM_INDEXES = tuple(
    sa.Index(
        f"ix_{column.table.name}_{column.name}_trgm",
        sa.func.f_unaccent(column).label("folded"),
        postgresql_using="gin",
        postgresql_ops={"folded": "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql")
    for column in (assets.c.original_file_name, asset_exif.c.description)
)

# Search, SQLite only: the same substring filters read an FTS5 trigram index (a side table
# keyed by integer, the index over it and FTS5's shadow tables, all named with this prefix),
# which triggers keep in step with `assets` and `asset_exif`. SQLAlchemy cannot describe
# virtual tables or triggers, so the migration creates them and schema comparisons skip them.
SQLITE_SEARCH_PREFIX = "asset_search_"
SQLITE_SEARCH_TRIGGERS = (
    "asset_search_text_ai",
    "asset_search_text_ad",
    "asset_search_text_au",
    "assets_search_ai",
    "assets_search_au",
    "assets_search_ad",
    "asset_exif_search_ai",
    "asset_exif_search_au",
    "asset_exif_search_ad",
)


_TRIGRAM_NAMES = frozenset(i.name for i in TRIGRAM_INDEXES)


def described(_object: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any) -> bool:
    """Whether a database object belongs in schema comparisons (Alembic's `include_object`):
    not SQLite's search tables, nor the trigram indexes of expressions, which Alembic cannot
    reflect (the search tests check both are there and used)."""
    if type_ == "table" and name is not None and name.startswith(SQLITE_SEARCH_PREFIX):
        return False
    return not (type_ == "index" and name in _TRIGRAM_NAMES)


AUDIT_TABLES = (
    user_audit,
    user_metadata_audit,
    partner_audit,
    stack_audit,
    asset_audit,
    album_audit,
    album_user_audit,
    album_asset_audit,
    memory_audit,
    memory_asset_audit,
    asset_metadata_audit,
    tag_audit,
    tag_asset_audit,
)

# --- shared links and album activity ------------------------------------------------------

shared_links = sa.Table(
    "shared_links",
    metadata,
    _uuid_pk(),
    sa.Column(
        "user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    # The random key is shown to the link's owner (base64url); requests find the link by its
    # sha256, so no comparison ever runs on the secret itself.
    sa.Column("key", sa.LargeBinary(64), nullable=False),
    sa.Column("key_hash", sa.LargeBinary(32), nullable=False, unique=True),
    sa.Column("slug", sa.String(200), nullable=True, unique=True),
    sa.Column("type", sa.String(10), nullable=False),
    sa.Column(
        "album_id", sa.Uuid(), sa.ForeignKey("albums.id", ondelete="CASCADE"), nullable=True, index=True
    ),
    sa.Column("description", sa.Text(), nullable=True),
    sa.Column("password", sa.Text(), nullable=True),
    sa.Column("allow_upload", sa.Boolean(), nullable=False),
    sa.Column("allow_download", sa.Boolean(), nullable=False),
    sa.Column("show_metadata", sa.Boolean(), nullable=False),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("expires_at", Ts, nullable=True),
)

shared_link_assets = sa.Table(
    "shared_link_assets",
    metadata,
    sa.Column("link_id", sa.Uuid(), sa.ForeignKey("shared_links.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("asset_id", sa.Uuid(), sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", Ts, nullable=False),
    sa.Index("ix_shared_link_assets_asset_id", "asset_id"),
)

activities = sa.Table(
    "activities",
    metadata,
    _uuid_pk(),
    sa.Column("album_id", sa.Uuid(), sa.ForeignKey("albums.id", ondelete="CASCADE"), nullable=False),
    sa.Column("asset_id", sa.Uuid(), sa.ForeignKey("assets.id", ondelete="CASCADE"), nullable=True),
    sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("comment", sa.Text(), nullable=True),
    sa.Column("is_liked", sa.Boolean(), nullable=False),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    sa.Index("ix_activities_album_id_asset_id", "album_id", "asset_id"),
    sa.Index("ix_activities_asset_id", "asset_id"),
    sa.Index("ix_activities_user_id", "user_id"),
)

# --- server-wide state --------------------------------------------------------------------

system_metadata = sa.Table(
    "system_metadata",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),  # JSON text
)

version_history = sa.Table(
    "version_history",
    metadata,
    _uuid_pk(),
    sa.Column("created_at", Ts, nullable=False, index=True),
    sa.Column("version", sa.String(32), nullable=False),
)

notifications = sa.Table(
    "notifications",
    metadata,
    _uuid_pk(),
    sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", Ts, nullable=False),
    sa.Column("updated_at", Ts, nullable=False),
    sa.Column("deleted_at", Ts, nullable=True),
    sa.Column("level", sa.String(10), nullable=False),
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("description", sa.Text(), nullable=True),
    sa.Column("data", sa.Text(), nullable=True),  # JSON text
    sa.Column("read_at", Ts, nullable=True),
    sa.Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
)
