"""exif locks

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Which EXIF values the owner set by hand, so metadata extraction keeps them. A plain
    ADD COLUMN on SQLite too: rebuilding the table (batch mode) would drop the triggers of
    SQLite's search index (migration 0023)."""
    op.add_column("asset_exif", sa.Column("locked", sa.SmallInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    """SQLite 3.35+ drops a column in place; the search triggers never read this one."""
    op.drop_column("asset_exif", "locked")
