"""accent-insensitive text search on PostgreSQL

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 23:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

_INDEXES = {
    "ix_assets_original_file_name_trgm": ("assets", "original_file_name"),
    "ix_asset_exif_description_trgm": ("asset_exif", "description"),
}


def upgrade() -> None:
    """PostgreSQL: Immich compares file names, paths and descriptions through `f_unaccent`, an
    immutable wrapper of the `unaccent` dictionary (a trusted extension), and its trigram
    indexes hold the folded text. The wrapper names the dictionary's schema, so an index built
    with an empty search path (a restore) still finds it. SQLite gets its `f_unaccent` from the
    server's connections (`filmroll.db.unaccent`)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"
        )
        .scalar_one()
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text"
        " LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT"
        f" RETURN {schema}.unaccent('{schema}.unaccent'::regdictionary, $1)"
    )
    for name, (table, column) in _INDEXES.items():
        op.drop_index(name, table_name=table)
        op.execute(f"CREATE INDEX {name} ON {table} USING gin (f_unaccent({column}) gin_trgm_ops)")


def downgrade() -> None:
    """Back to plain trigram indexes; the extension stays (other objects may use it)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (table, column) in _INDEXES.items():
        op.drop_index(name, table_name=table)
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")
    op.execute("DROP FUNCTION f_unaccent(text)")
