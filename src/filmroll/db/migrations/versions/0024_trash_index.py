"""trash index

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 23:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The daily purge reads trashed assets by `deleted_at`; a partial index holds just those."""
    op.create_index(
        "ix_assets_trashed_deleted_at",
        "assets",
        ["deleted_at"],
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_assets_trashed_deleted_at", table_name="assets")
