"""api key sync state: remember when each API key's v1 sync was last answered

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 10:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Existing keys start without a record; their next v1 sync sets it."""
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("v1_synced_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("v1_synced_at")
