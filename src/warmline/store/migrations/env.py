"""Alembic environment: migrations run on the connection that :func:`warmline.store.db.upgrade` passes."""

from __future__ import annotations

from alembic import context

from warmline.store.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `warmline db upgrade`, which passes a connection")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
