"""job leases for several worker processes

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 08:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Jobs keep their lease in `locked_by` and `updated_at`; what several processes add is
    # the record of tasks run once per cluster.
    op.create_table(
        "cluster_tasks",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("last_run_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("run_by", sa.String(64), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("cluster_tasks")
