"""system config kept in system_metadata

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 20:00:00
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

KEY = "system-config"
_metadata = sa.table("system_metadata", sa.column("key", sa.String()), sa.column("value", sa.Text()))


def _config_table() -> sa.TableClause:
    return sa.table(
        "system_config",
        sa.column("id", sa.Integer()),
        sa.column("value", sa.JSON()),
        sa.column("updated_at", sa.DateTime()),
    )


def upgrade() -> None:
    # The admin's overrides are one JSON value, like every other server-wide value: they move
    # to `system_metadata` under Immich's own key for them, and their table goes.
    conn = op.get_bind()
    value = conn.execute(sa.select(_config_table().c.value).where(sa.column("id") == 1)).scalar()
    if isinstance(value, dict):
        conn.execute(sa.insert(_metadata).values(key=KEY, value=json.dumps(value, separators=(",", ":"))))
    op.drop_table("system_config")


def downgrade() -> None:
    op.create_table(
        "system_config",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_system_config")),
    )
    conn = op.get_bind()
    text = conn.execute(sa.select(_metadata.c.value).where(_metadata.c.key == KEY)).scalar()
    if text is not None:
        now = datetime.now(UTC).replace(tzinfo=None)
        conn.execute(sa.insert(_config_table()).values(id=1, value=json.loads(text), updated_at=now))
        conn.execute(sa.delete(_metadata).where(_metadata.c.key == KEY))
