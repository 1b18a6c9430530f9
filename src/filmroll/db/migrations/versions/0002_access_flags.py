"""access flags: remember which assets were ever on the timeline; no album links to locked assets

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 04:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the flags, then unlink locked assets from albums with tombstones, as locking now does.

    Existing assets count as once on the timeline unless they are hidden or locked (partners
    were never sent those); existing tombstones keep being reported as before.
    """
    # Plain ALTER TABLE, never batch mode: rebuilding `assets` on SQLite drops the old table,
    # and with foreign keys on that cascades to every album link and EXIF row.
    flag: sa.Column[bool] = sa.Column(
        "ever_timeline", sa.Boolean(), server_default=sa.false(), nullable=False
    )
    op.add_column("assets", flag)
    audit_flag: sa.Column[bool] = sa.Column(
        "ever_timeline", sa.Boolean(), server_default=sa.true(), nullable=False
    )
    op.add_column("asset_audit", audit_flag)

    conn = op.get_bind()
    assets = sa.table("assets", sa.column("id", sa.Uuid()), sa.column("visibility", sa.String()),
                      sa.column("ever_timeline", sa.Boolean()))  # fmt: skip
    conn.execute(
        sa.update(assets).where(assets.c.visibility.in_(("timeline", "archive"))).values(ever_timeline=True)
    )
    _unlink_locked(conn, assets)


def _unlink_locked(conn: sa.Connection, assets: sa.TableClause) -> None:
    links = sa.table("album_assets", sa.column("album_id", sa.Uuid()), sa.column("asset_id", sa.Uuid()))
    audit = sa.table(
        "album_asset_audit",
        sa.column("seq", sa.BigInteger()),
        sa.column("album_id", sa.Uuid()),
        sa.column("asset_id", sa.Uuid()),
        sa.column("deleted_at", sa.DateTime()),
    )
    clock = sa.table("sync_clock", sa.column("id", sa.Integer()), sa.column("seq", sa.BigInteger()),
                     sa.column("last_at", sa.DateTime()))  # fmt: skip
    locked = sa.select(assets.c.id).where(assets.c.visibility == "locked")
    found = conn.execute(
        sa.select(links.c.album_id, links.c.asset_id).where(links.c.asset_id.in_(locked))
    ).all()
    row = conn.execute(sa.select(clock.c.seq, clock.c.last_at).where(clock.c.id == 1)).first()
    if not found or row is None:
        return
    first = int(row.seq) + 1
    conn.execute(sa.update(clock).where(clock.c.id == 1).values(seq=int(row.seq) + len(found)))
    conn.execute(
        sa.insert(audit),
        [
            {
                "seq": first + i,
                "album_id": link.album_id,
                "asset_id": link.asset_id,
                "deleted_at": row.last_at,
            }
            for i, link in enumerate(found)
        ],
    )
    conn.execute(sa.delete(links).where(links.c.asset_id.in_(locked)))


def downgrade() -> None:
    op.drop_column("asset_audit", "ever_timeline")
    op.drop_column("assets", "ever_timeline")
