"""tags and search indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_SEARCH_INDEXES = {
    "ix_asset_exif_owner_id_country_state_city": ["owner_id", "country", "state", "city"],
    "ix_asset_exif_owner_id_state": ["owner_id", "state"],
    "ix_asset_exif_owner_id_city": ["owner_id", "city"],
    "ix_asset_exif_owner_id_make_model": ["owner_id", "make", "model"],
    "ix_asset_exif_owner_id_model": ["owner_id", "model"],
    "ix_asset_exif_owner_id_lens_model": ["owner_id", "lens_model"],
}


def upgrade() -> None:
    """Tags start empty; the search indexes are built over the existing exif rows."""
    seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    ts = sa.DateTime(timezone=False)
    op.create_table(
        "tags",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.String(1000), nullable=False),
        sa.Column("color", sa.String(16), nullable=True),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("updated_at", ts, nullable=False),
        sa.Column("update_seq", seq, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tags_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["tags.id"], name=op.f("fk_tags_parent_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("user_id", "value", name=op.f("uq_tags_user_id_value")),
    )
    op.create_index("ix_tags_parent_id", "tags", ["parent_id"])
    op.create_index("ix_tags_user_id_update_seq", "tags", ["user_id", "update_seq"])
    op.create_table(
        "tag_audit",
        sa.Column("seq", seq, autoincrement=False, nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", ts, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_tag_audit")),
    )
    op.create_index("ix_tag_audit_user_id", "tag_audit", ["user_id"])
    op.create_index("ix_tag_audit_deleted_at", "tag_audit", ["deleted_at"])
    op.create_table(
        "tag_assets",
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("update_seq", seq, nullable=False),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_tag_assets_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_tag_assets_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tag_id", "asset_id", name=op.f("pk_tag_assets")),
    )
    op.create_index("ix_tag_assets_asset_id", "tag_assets", ["asset_id"])
    op.create_index("ix_tag_assets_update_seq", "tag_assets", ["update_seq"])
    op.create_table(
        "tag_asset_audit",
        sa.Column("seq", seq, autoincrement=False, nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", ts, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_tag_asset_audit")),
    )
    op.create_index("ix_tag_asset_audit_tag_id", "tag_asset_audit", ["tag_id"])
    op.create_index("ix_tag_asset_audit_deleted_at", "tag_asset_audit", ["deleted_at"])
    for name, columns in _SEARCH_INDEXES.items():
        op.create_index(name, "asset_exif", columns)
    op.create_index("ix_assets_live_photo_video_id", "assets", ["live_photo_video_id"])


def downgrade() -> None:
    op.drop_index("ix_assets_live_photo_video_id", table_name="assets")
    for name in _SEARCH_INDEXES:
        op.drop_index(name, table_name="asset_exif")
    op.drop_table("tag_asset_audit")
    op.drop_table("tag_assets")
    op.drop_table("tag_audit")
    op.drop_table("tags")
