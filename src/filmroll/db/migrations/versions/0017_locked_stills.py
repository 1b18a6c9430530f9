"""partial index of locked assets' motion parts

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

NAME = "ix_assets_locked_live_photo_video_id"


def upgrade() -> None:
    # The access rule hides the motion part of a locked live photo from sessions that are
    # not unlocked. PostgreSQL answers that for a page of a large library by collecting the
    # locked stills first: without this index that read every asset (140 ms a search page
    # at 1,000,000 assets), with it only the locked ones.
    locked = sa.text("visibility = 'locked'")
    op.create_index(NAME, "assets", ["live_photo_video_id"], postgresql_where=locked, sqlite_where=locked)


def downgrade() -> None:
    op.drop_index(NAME, table_name="assets")
