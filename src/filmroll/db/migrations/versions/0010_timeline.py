"""timeline buckets and older timeline endpoints

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 07:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Timeline months filter one owner's assets by capture time; the other columns let both
    # databases count every month (stacks collapsed, as the web timeline asks) from the index
    # alone, without reading the wide asset rows.
    op.create_index(
        "ix_assets_owner_id_local_date_time",
        "assets",
        ["owner_id", "local_date_time", "visibility", "deleted_at", "stack_id", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_assets_owner_id_local_date_time", table_name="assets")
