"""stored wire forms compressed with lz4 on PostgreSQL

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 10:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

COLUMNS = (("assets", "wire_v1"), ("assets", "wire_v2"), ("asset_exif", "wire_v1"), ("asset_exif", "wire_v2"))


def _set(method: str) -> None:
    # An asset row with its stored forms is over PostgreSQL's 2 kB threshold, so the forms
    # are compressed in the row; with the default pglz, decompressing them was a quarter of
    # a full sync's time, lz4 costs next to nothing. Only values written from now on use it:
    # rows are rewritten as they change or are re-rendered, never all at once at start-up.
    # A server built without lz4 keeps pglz.
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.execute(
            f"DO $$ BEGIN ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}; "
            "EXCEPTION WHEN feature_not_supported THEN NULL; END $$"
        )


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("pglz")
