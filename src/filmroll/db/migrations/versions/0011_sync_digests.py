"""sync digests: row hashes kept beside the stored wire forms

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 08:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


_TABLES = ("assets", "asset_exif")


_FRESHNESS = ("update_seq", "wire_seq", "wire_version", "wire_hash")
_INDEXES = {
    "assets": ("ix_assets_digest", ("owner_id", "file_created_at", "id", *_FRESHNESS)),
    "asset_exif": ("ix_asset_exif_digest", ("owner_id", "asset_id", *_FRESHNESS)),
}


def upgrade() -> None:
    """Existing forms keep a NULL hash: digests hash such rows from their stored form on the
    fly. The indexes cover digest queries, so per-month sums never read the rows."""
    for table in _TABLES:
        op.add_column(table, sa.Column("wire_hash", sa.BigInteger(), nullable=True))
    for table, (name, columns) in _INDEXES.items():
        op.create_index(name, table, list(columns))


def downgrade() -> None:
    for table, (name, _columns) in _INDEXES.items():
        op.drop_index(name, table_name=table)
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("wire_hash")
