"""Alembic environment: migrations run on the connection handed over by persistence.database."""

from alembic import context

from persistence.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `crisisbot db upgrade` (it provides the connection)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
