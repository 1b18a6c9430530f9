"""memories and asset metadata

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _seq_pk() -> sa.Column[int]:
    return sa.Column("seq", _SEQ, autoincrement=False, nullable=False)


def upgrade() -> None:
    op.create_table(
        "memories",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("is_saved", sa.Boolean(), nullable=False),
        sa.Column("memory_at", sa.DateTime(), nullable=False),
        sa.Column("show_at", sa.DateTime(), nullable=True),
        sa.Column("hide_at", sa.DateTime(), nullable=True),
        sa.Column("seen_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("update_seq", _SEQ, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_memories_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memories")),
    )
    op.create_index("ix_memories_owner_id_update_seq", "memories", ["owner_id", "update_seq"])

    op.create_table(
        "memory_audit",
        _seq_pk(),
        sa.Column("memory_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_memory_audit")),
    )
    op.create_index(op.f("ix_memory_audit_user_id"), "memory_audit", ["user_id"])
    op.create_index(op.f("ix_memory_audit_deleted_at"), "memory_audit", ["deleted_at"])

    op.create_table(
        "memory_assets",
        sa.Column("memory_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("update_seq", _SEQ, nullable=False),
        sa.ForeignKeyConstraint(
            ["memory_id"],
            ["memories.id"],
            name=op.f("fk_memory_assets_memory_id_memories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("memory_id", "asset_id", name=op.f("pk_memory_assets")),
    )
    op.create_index("ix_memory_assets_asset_id", "memory_assets", ["asset_id"])
    op.create_index(op.f("ix_memory_assets_update_seq"), "memory_assets", ["update_seq"])

    op.create_table(
        "memory_asset_audit",
        _seq_pk(),
        sa.Column("memory_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_memory_asset_audit")),
    )
    op.create_index(op.f("ix_memory_asset_audit_user_id"), "memory_asset_audit", ["user_id"])
    op.create_index(op.f("ix_memory_asset_audit_deleted_at"), "memory_asset_audit", ["deleted_at"])

    op.create_table(
        "memory_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_on_this_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_generation")),
    )
    # The one state row exists from the start, so concurrent runs always have a row to lock.
    op.execute("INSERT INTO memory_generation (id, last_on_this_day) VALUES (1, '2000-01-01')")

    op.create_table(
        "asset_metadata",
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("update_seq", _SEQ, nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_metadata_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("asset_id", "key", name=op.f("pk_asset_metadata")),
    )
    op.create_index("ix_asset_metadata_owner_id_update_seq", "asset_metadata", ["owner_id", "update_seq"])

    op.create_table(
        "asset_metadata_audit",
        _seq_pk(),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_asset_metadata_audit")),
    )
    op.create_index(op.f("ix_asset_metadata_audit_owner_id"), "asset_metadata_audit", ["owner_id"])
    op.create_index(op.f("ix_asset_metadata_audit_deleted_at"), "asset_metadata_audit", ["deleted_at"])


def downgrade() -> None:
    for table in (
        "asset_metadata_audit",
        "asset_metadata",
        "memory_generation",
        "memory_asset_audit",
        "memory_assets",
        "memory_audit",
        "memories",
    ):
        op.drop_table(table)
