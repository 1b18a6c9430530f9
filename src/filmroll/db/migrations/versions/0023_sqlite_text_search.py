"""SQLite text search index

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 23:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# `asset_search_text` holds each asset's file name and description, folded by `f_unaccent`
# (registered on every connection by `filmroll.db.engine`), under a stable integer key;
# `asset_search_fts` is an FTS5 trigram index over it (external content, so the text is
# stored once). The FTS table cannot key on the assets' UUIDs, and the implicit rowid of
# `assets` may be renumbered by VACUUM, hence the side table. Triggers keep both in step
# with every write to `assets` and `asset_exif`, whichever code path makes it.
_UPGRADE = (
    """CREATE TABLE asset_search_text (
        id INTEGER PRIMARY KEY,
        asset_id CHAR(32) NOT NULL UNIQUE,
        owner_id CHAR(32) NOT NULL,
        file_name TEXT,
        description TEXT
    )""",
    """CREATE VIRTUAL TABLE asset_search_fts USING fts5(
        file_name, description, content='asset_search_text', content_rowid='id', tokenize='trigram'
    )""",
    """CREATE TRIGGER asset_search_text_ai AFTER INSERT ON asset_search_text BEGIN
        INSERT INTO asset_search_fts(rowid, file_name, description)
        VALUES (new.id, new.file_name, new.description);
    END""",
    """CREATE TRIGGER asset_search_text_ad AFTER DELETE ON asset_search_text BEGIN
        INSERT INTO asset_search_fts(asset_search_fts, rowid, file_name, description)
        VALUES ('delete', old.id, old.file_name, old.description);
    END""",
    """CREATE TRIGGER asset_search_text_au AFTER UPDATE ON asset_search_text BEGIN
        INSERT INTO asset_search_fts(asset_search_fts, rowid, file_name, description)
        VALUES ('delete', old.id, old.file_name, old.description);
        INSERT INTO asset_search_fts(rowid, file_name, description)
        VALUES (new.id, new.file_name, new.description);
    END""",
    """CREATE TRIGGER assets_search_ai AFTER INSERT ON assets BEGIN
        INSERT INTO asset_search_text(asset_id, owner_id, file_name)
        VALUES (new.id, new.owner_id, f_unaccent(new.original_file_name));
    END""",
    """CREATE TRIGGER assets_search_au AFTER UPDATE OF original_file_name ON assets
    WHEN new.original_file_name IS NOT old.original_file_name BEGIN
        UPDATE asset_search_text SET file_name = f_unaccent(new.original_file_name) WHERE asset_id = new.id;
    END""",
    """CREATE TRIGGER assets_search_ad AFTER DELETE ON assets BEGIN
        DELETE FROM asset_search_text WHERE asset_id = old.id;
    END""",
    """CREATE TRIGGER asset_exif_search_ai AFTER INSERT ON asset_exif
    WHEN new.description IS NOT NULL BEGIN
        UPDATE asset_search_text SET description = f_unaccent(new.description) WHERE asset_id = new.asset_id;
    END""",
    """CREATE TRIGGER asset_exif_search_au AFTER UPDATE OF description ON asset_exif
    WHEN new.description IS NOT old.description BEGIN
        UPDATE asset_search_text SET description = f_unaccent(new.description) WHERE asset_id = new.asset_id;
    END""",
    """CREATE TRIGGER asset_exif_search_ad AFTER DELETE ON asset_exif
    WHEN old.description IS NOT NULL BEGIN
        UPDATE asset_search_text SET description = NULL WHERE asset_id = old.asset_id;
    END""",
    """INSERT INTO asset_search_text(asset_id, owner_id, file_name, description)
    SELECT a.id, a.owner_id, f_unaccent(a.original_file_name), f_unaccent(e.description)
    FROM assets a LEFT JOIN asset_exif e ON e.asset_id = a.id""",
)

_DOWNGRADE = (
    "DROP TRIGGER asset_exif_search_ad",
    "DROP TRIGGER asset_exif_search_au",
    "DROP TRIGGER asset_exif_search_ai",
    "DROP TRIGGER assets_search_ad",
    "DROP TRIGGER assets_search_au",
    "DROP TRIGGER assets_search_ai",
    "DROP TABLE asset_search_fts",
    "DROP TABLE asset_search_text",
)


def upgrade() -> None:
    """SQLite only: substring search on file names and descriptions reads an FTS5 trigram
    index, as PostgreSQL reads its pg_trgm indexes (migration 0013). Existing assets are
    indexed here; the triggers index every later write."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in _UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in _DOWNGRADE:
        op.execute(statement)
