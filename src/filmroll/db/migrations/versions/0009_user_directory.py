"""user directory and profile images

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The user directory mode in force and since when. No row means `related` since the start,
    which is how every existing session was synced; the server writes the row at start-up."""
    op.create_table(
        "user_directory",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("since_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_directory")),
    )


def downgrade() -> None:
    op.drop_table("user_directory")
