"""Alembic environment: migrations run on the connection handed over by persistence.database.

On PostgreSQL the migration first takes a transaction-scoped advisory lock on a fixed key:
replicas that start together on an empty database migrate one after the other (the others
wait here, then find `alembic_version` at head and do nothing) instead of racing to create
the same tables (`UniqueViolationError ... alembic_version`). The lock lasts until the
migration's transaction ends, commit or rollback, and goes with a dead process's
connection. See https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
"""

from alembic import context
from sqlalchemy import text

from persistence.database import MIGRATION_LOCK_KEY
from persistence.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run through persistence.database.migrate (crisisbot run/serve do it at start-up)")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    context.run_migrations()
