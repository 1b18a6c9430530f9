"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 08:49:51.388384
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "album_asset_audit",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("album_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_album_asset_audit")),
    )
    with op.batch_alter_table("album_asset_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_album_asset_audit_album_id"), ["album_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_album_asset_audit_deleted_at"), ["deleted_at"], unique=False)

    op.create_table(
        "album_audit",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("album_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_album_audit")),
    )
    with op.batch_alter_table("album_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_album_audit_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_album_audit_user_id"), ["user_id"], unique=False)

    op.create_table(
        "album_user_audit",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("album_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_album_user_audit")),
    )
    with op.batch_alter_table("album_user_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_album_user_audit_album_id"), ["album_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_album_user_audit_deleted_at"), ["deleted_at"], unique=False)

    op.create_table(
        "asset_audit",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_asset_audit")),
    )
    with op.batch_alter_table("asset_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_audit_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index("ix_asset_audit_owner_id_deleted_at", ["owner_id", "deleted_at"], unique=False)
        batch_op.create_index("ix_asset_audit_owner_id_seq", ["owner_id", "seq"], unique=False)

    op.create_table(
        "jobs",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("run_after", sa.DateTime(), nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_status_run_after", ["status", "run_after"], unique=False)

    op.create_table(
        "partner_audit",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("shared_by_id", sa.Uuid(), nullable=False),
        sa.Column("shared_with_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_partner_audit")),
    )
    with op.batch_alter_table("partner_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_audit_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_audit_shared_by_id"), ["shared_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_audit_shared_with_id"), ["shared_with_id"], unique=False)

    op.create_table(
        "stack_audit",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("stack_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_stack_audit")),
    )
    with op.batch_alter_table("stack_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stack_audit_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_stack_audit_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sync_clock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_clock")),
    )
    op.create_table(
        "user_audit",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_user_audit")),
    )
    with op.batch_alter_table("user_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_audit_deleted_at"), ["deleted_at"], unique=False)

    op.create_table(
        "user_metadata_audit",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_user_metadata_audit")),
    )
    with op.batch_alter_table("user_metadata_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_metadata_audit_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_metadata_audit_user_id"), ["user_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("avatar_color", sa.String(length=16), nullable=True),
        sa.Column("profile_image_path", sa.String(length=400), nullable=False),
        sa.Column("profile_changed_at", sa.DateTime(), nullable=False),
        sa.Column("should_change_password", sa.Boolean(), nullable=False),
        sa.Column("is_onboarded", sa.Boolean(), nullable=False),
        sa.Column("storage_label", sa.String(length=200), nullable=True),
        sa.Column("oauth_id", sa.String(length=200), nullable=False),
        sa.Column("pin_code", sa.String(length=200), nullable=True),
        sa.Column("quota_size_in_bytes", sa.BigInteger(), nullable=True),
        sa.Column("quota_usage_in_bytes", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("update_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_update_seq"), ["update_seq"], unique=False)

    op.create_table(
        "api_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_user_id"), ["user_id"], unique=False)

    op.create_table(
        "partners",
        sa.Column("shared_by_id", sa.Uuid(), nullable=False),
        sa.Column("shared_with_id", sa.Uuid(), nullable=False),
        sa.Column("in_timeline", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("create_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("update_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["shared_by_id"], ["users.id"], name=op.f("fk_partners_shared_by_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["shared_with_id"],
            ["users.id"],
            name=op.f("fk_partners_shared_with_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shared_by_id", "shared_with_id", name=op.f("pk_partners")),
    )
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partners_create_seq"), ["create_seq"], unique=False)
        batch_op.create_index("ix_partners_shared_with_id", ["shared_with_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partners_update_seq"), ["update_seq"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("device_os", sa.String(length=100), nullable=False),
        sa.Column("device_type", sa.String(length=100), nullable=False),
        sa.Column("app_version", sa.String(length=100), nullable=True),
        sa.Column("is_pending_sync_reset", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["sessions.id"], name=op.f("fk_sessions_parent_id_sessions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "stacks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("primary_asset_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("update_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_stacks_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stacks")),
    )
    with op.batch_alter_table("stacks", schema=None) as batch_op:
        batch_op.create_index("ix_stacks_owner_id_update_seq", ["owner_id", "update_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_stacks_update_seq"), ["update_seq"], unique=False)

    op.create_table(
        "user_metadata",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("update_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_metadata_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_user_metadata")),
    )
    with op.batch_alter_table("user_metadata", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_metadata_update_seq"), ["update_seq"], unique=False)

    op.create_table(
        "assets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("device_asset_id", sa.String(length=400), nullable=False),
        sa.Column("device_id", sa.String(length=400), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("original_path", sa.String(length=1000), nullable=False),
        sa.Column("original_file_name", sa.String(length=400), nullable=False),
        sa.Column("checksum", sa.LargeBinary(length=20), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("file_created_at", sa.DateTime(), nullable=False),
        sa.Column("file_modified_at", sa.DateTime(), nullable=False),
        sa.Column("local_date_time", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("is_favorite", sa.Boolean(), nullable=False),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("is_offline", sa.Boolean(), nullable=False),
        sa.Column("is_edited", sa.Boolean(), nullable=False),
        sa.Column("duration", sa.String(length=40), nullable=True),
        sa.Column("live_photo_video_id", sa.Uuid(), nullable=True),
        sa.Column("stack_id", sa.Uuid(), nullable=True),
        sa.Column("library_id", sa.Uuid(), nullable=True),
        sa.Column("duplicate_id", sa.Uuid(), nullable=True),
        sa.Column("thumbhash", sa.LargeBinary(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("preview_path", sa.String(length=1000), nullable=True),
        sa.Column("thumbnail_path", sa.String(length=1000), nullable=True),
        sa.Column("sidecar_path", sa.String(length=1000), nullable=True),
        sa.Column("update_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_assets_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["stack_id"], ["stacks.id"], name=op.f("fk_assets_stack_id_stacks"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        sa.UniqueConstraint("owner_id", "checksum", name=op.f("uq_assets_owner_id_checksum")),
    )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assets_owner_id_file_created_at_id", ["owner_id", "file_created_at", "id"], unique=False
        )
        batch_op.create_index("ix_assets_owner_id_id", ["owner_id", "id"], unique=False)
        batch_op.create_index("ix_assets_owner_id_update_seq", ["owner_id", "update_seq"], unique=False)
        batch_op.create_index("ix_assets_owner_id_updated_at", ["owner_id", "updated_at"], unique=False)
        batch_op.create_index("ix_assets_stack_id", ["stack_id"], unique=False)

    op.create_table(
        "session_sync_checkpoints",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("ack", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_sync_checkpoints_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "type", name=op.f("pk_session_sync_checkpoints")),
    )
    op.create_table(
        "albums",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("thumbnail_asset_id", sa.Uuid(), nullable=True),
        sa.Column("is_activity_enabled", sa.Boolean(), nullable=False),
        sa.Column("order", sa.String(length=4), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("update_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_albums_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["thumbnail_asset_id"],
            ["assets.id"],
            name=op.f("fk_albums_thumbnail_asset_id_assets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_albums")),
    )
    with op.batch_alter_table("albums", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_albums_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_albums_update_seq"), ["update_seq"], unique=False)

    op.create_table(
        "asset_exif",
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("make", sa.String(length=200), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("lens_model", sa.String(length=200), nullable=True),
        sa.Column("exif_image_width", sa.Integer(), nullable=True),
        sa.Column("exif_image_height", sa.Integer(), nullable=True),
        sa.Column("file_size_in_byte", sa.BigInteger(), nullable=True),
        sa.Column("orientation", sa.String(length=8), nullable=True),
        sa.Column("date_time_original", sa.DateTime(), nullable=True),
        sa.Column("modify_date", sa.DateTime(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("f_number", sa.Float(), nullable=True),
        sa.Column("focal_length", sa.Float(), nullable=True),
        sa.Column("iso", sa.Integer(), nullable=True),
        sa.Column("exposure_time", sa.String(length=32), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("projection_type", sa.String(length=32), nullable=True),
        sa.Column("profile_description", sa.String(length=200), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("fps", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("update_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_exif_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("asset_id", name=op.f("pk_asset_exif")),
    )
    with op.batch_alter_table("asset_exif", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_exif_update_seq"), ["update_seq"], unique=False)

    op.create_table(
        "album_assets",
        sa.Column("album_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("update_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["album_id"], ["albums.id"], name=op.f("fk_album_assets_album_id_albums"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_album_assets_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("album_id", "asset_id", name=op.f("pk_album_assets")),
    )
    with op.batch_alter_table("album_assets", schema=None) as batch_op:
        batch_op.create_index("ix_album_assets_asset_id", ["asset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_album_assets_update_seq"), ["update_seq"], unique=False)

    op.create_table(
        "album_users",
        sa.Column("album_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("create_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("update_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["album_id"], ["albums.id"], name=op.f("fk_album_users_album_id_albums"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_album_users_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("album_id", "user_id", name=op.f("pk_album_users")),
    )
    with op.batch_alter_table("album_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_album_users_create_seq"), ["create_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_album_users_update_seq"), ["update_seq"], unique=False)
        batch_op.create_index("ix_album_users_user_id", ["user_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("album_users", schema=None) as batch_op:
        batch_op.drop_index("ix_album_users_user_id")
        batch_op.drop_index(batch_op.f("ix_album_users_update_seq"))
        batch_op.drop_index(batch_op.f("ix_album_users_create_seq"))

    op.drop_table("album_users")
    with op.batch_alter_table("album_assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_album_assets_update_seq"))
        batch_op.drop_index("ix_album_assets_asset_id")

    op.drop_table("album_assets")
    with op.batch_alter_table("asset_exif", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_exif_update_seq"))

    op.drop_table("asset_exif")
    with op.batch_alter_table("albums", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_albums_update_seq"))
        batch_op.drop_index(batch_op.f("ix_albums_owner_id"))

    op.drop_table("albums")
    op.drop_table("session_sync_checkpoints")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index("ix_assets_stack_id")
        batch_op.drop_index("ix_assets_owner_id_updated_at")
        batch_op.drop_index("ix_assets_owner_id_update_seq")
        batch_op.drop_index("ix_assets_owner_id_id")
        batch_op.drop_index("ix_assets_owner_id_file_created_at_id")

    op.drop_table("assets")
    with op.batch_alter_table("user_metadata", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_metadata_update_seq"))

    op.drop_table("user_metadata")
    with op.batch_alter_table("stacks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stacks_update_seq"))
        batch_op.drop_index("ix_stacks_owner_id_update_seq")

    op.drop_table("stacks")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_user_id"))

    op.drop_table("sessions")
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_update_seq"))
        batch_op.drop_index("ix_partners_shared_with_id")
        batch_op.drop_index(batch_op.f("ix_partners_create_seq"))

    op.drop_table("partners")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_user_id"))

    op.drop_table("api_keys")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_update_seq"))

    op.drop_table("users")
    with op.batch_alter_table("user_metadata_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_metadata_audit_user_id"))
        batch_op.drop_index(batch_op.f("ix_user_metadata_audit_deleted_at"))

    op.drop_table("user_metadata_audit")
    with op.batch_alter_table("user_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_audit_deleted_at"))

    op.drop_table("user_audit")
    op.drop_table("sync_clock")
    with op.batch_alter_table("stack_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stack_audit_user_id"))
        batch_op.drop_index(batch_op.f("ix_stack_audit_deleted_at"))

    op.drop_table("stack_audit")
    with op.batch_alter_table("partner_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_audit_shared_with_id"))
        batch_op.drop_index(batch_op.f("ix_partner_audit_shared_by_id"))
        batch_op.drop_index(batch_op.f("ix_partner_audit_deleted_at"))

    op.drop_table("partner_audit")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_run_after")

    op.drop_table("jobs")
    with op.batch_alter_table("asset_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_audit_owner_id_seq")
        batch_op.drop_index("ix_asset_audit_owner_id_deleted_at")
        batch_op.drop_index(batch_op.f("ix_asset_audit_deleted_at"))

    op.drop_table("asset_audit")
    with op.batch_alter_table("album_user_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_album_user_audit_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_album_user_audit_album_id"))

    op.drop_table("album_user_audit")
    with op.batch_alter_table("album_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_album_audit_user_id"))
        batch_op.drop_index(batch_op.f("ix_album_audit_deleted_at"))

    op.drop_table("album_audit")
    with op.batch_alter_table("album_asset_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_album_asset_audit_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_album_asset_audit_album_id"))

    op.drop_table("album_asset_audit")
