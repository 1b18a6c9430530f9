"""search trigram indexes

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 10:15:00
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


_INDEXES = {
    "ix_assets_original_file_name_trgm": ("assets", "original_file_name"),
    "ix_asset_exif_description_trgm": ("asset_exif", "description"),
}


def upgrade() -> None:
    """PostgreSQL only: substring search on file names and descriptions reads these GIN trigram
    indexes. `pg_trgm` is a trusted extension, so the database owner may create it without
    being a superuser. SQLite has no equivalent and is left as it is."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in _INDEXES.items():
        op.create_index(
            name, table, [column], postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"}
        )


def downgrade() -> None:
    """Drops the indexes; the extension stays (other objects of the database may use it)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (table, _column) in _INDEXES.items():
        op.drop_index(name, table_name=table)
