"""system metadata and version history

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "system_metadata",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_system_metadata")),
    )
    op.create_table(
        "version_history",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_history")),
    )
    op.create_index(op.f("ix_version_history_created_at"), "version_history", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_version_history_created_at"), table_name="version_history")
    op.drop_table("version_history")
    op.drop_table("system_metadata")
