"""wire forms: stored sync encodings of asset and exif rows, and the renderer's cursors

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TABLES = ("assets", "asset_exif")


def upgrade() -> None:
    """Nullable columns only: existing rows start without stored forms, which sync renders on
    the fly until the background renderer has caught up, so the upgrade itself is instant."""
    seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    for table in _TABLES:
        op.add_column(table, sa.Column("wire_v2", sa.Text(), nullable=True))
        op.add_column(table, sa.Column("wire_v1", sa.Text(), nullable=True))
        op.add_column(table, sa.Column("wire_seq", seq, nullable=True))
        op.add_column(table, sa.Column("wire_version", sa.SmallInteger(), nullable=True))
    op.create_table(
        "wire_renders",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("cursor", seq, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_wire_renders")),
    )


def downgrade() -> None:
    op.drop_table("wire_renders")
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            for column in ("wire_version", "wire_seq", "wire_v1", "wire_v2"):
                batch.drop_column(column)
