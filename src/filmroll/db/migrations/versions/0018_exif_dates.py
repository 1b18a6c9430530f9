"""exif rows keep their asset's fileCreatedAt, so exif digests group by date

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 16:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

NAME = "ix_asset_exif_digest"
_FRESHNESS = ("update_seq", "wire_seq", "wire_version", "wire_hash")


def upgrade() -> None:
    # Exif digests were grouped by asset-id prefix; time-ordered ids put a bulk import's rows
    # under one prefix, so a repair listed tens of thousands of rows per changed prefix. They
    # now group by the asset's fileCreatedAt like assets, read from a covering index.
    with op.batch_alter_table("asset_exif") as batch:
        batch.add_column(sa.Column("file_created_at", sa.DateTime(timezone=False), nullable=True))
    op.execute(
        "UPDATE asset_exif SET file_created_at = "
        "(SELECT assets.file_created_at FROM assets WHERE assets.id = asset_exif.asset_id)"
    )
    with op.batch_alter_table("asset_exif") as batch:
        batch.alter_column("file_created_at", existing_type=sa.DateTime(timezone=False), nullable=False)
    op.drop_index(NAME, table_name="asset_exif")
    op.create_index(NAME, "asset_exif", ["owner_id", "file_created_at", "asset_id", *_FRESHNESS])


def downgrade() -> None:
    op.drop_index(NAME, table_name="asset_exif")
    op.create_index(NAME, "asset_exif", ["owner_id", "asset_id", *_FRESHNESS])
    with op.batch_alter_table("asset_exif") as batch:
        batch.drop_column("file_created_at")
