"""Alembic environment: runs against the connection handed in by `filmroll.db.migrate`."""

from __future__ import annotations

from alembic import context

from filmroll.db.schema import described, metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=described,
)
with context.begin_transaction():
    context.run_migrations()
