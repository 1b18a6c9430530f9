"""wire forms: stored sync encodings of asset and exif rows, the renderer's cursors, and the
owner of each exif row

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
    """Existing rows start without stored forms (sync renders them on the fly until the
    background renderer has caught up), so nothing is rendered here; each exif row gets its
    asset's owner, one UPDATE over the table."""
    seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    for table in _TABLES:
        op.add_column(table, sa.Column("wire_v2", sa.Text(), nullable=True))
        op.add_column(table, sa.Column("wire_v1", sa.Text(), nullable=True))
        op.add_column(table, sa.Column("wire_seq", seq, nullable=True))
        op.add_column(table, sa.Column("wire_version", sa.SmallInteger(), nullable=True))
    op.add_column("asset_exif", sa.Column("owner_id", sa.Uuid(), nullable=True))
    op.execute(
        "UPDATE asset_exif SET owner_id = "
        "(SELECT assets.owner_id FROM assets WHERE assets.id = asset_exif.asset_id)"
    )
    with op.batch_alter_table("asset_exif") as batch:  # SQLite rebuilds the table; nothing references it
        batch.alter_column("owner_id", existing_type=sa.Uuid(), nullable=False)
    op.create_index("ix_asset_exif_owner_id_update_seq", "asset_exif", ["owner_id", "update_seq"])
    op.create_table(
        "wire_renders",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("cursor", seq, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_wire_renders")),
    )


def downgrade() -> None:
    op.drop_table("wire_renders")
    op.drop_index("ix_asset_exif_owner_id_update_seq", table_name="asset_exif")
    with op.batch_alter_table("asset_exif") as batch:
        batch.drop_column("owner_id")
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            for column in ("wire_version", "wire_seq", "wire_v1", "wire_v2"):
                batch.drop_column(column)
