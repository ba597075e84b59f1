"""Engine creation (SQLite pragmas, PostgreSQL locks), write transactions and migrations."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> AsyncEngine:
    """SQLite through aiosqlite (WAL, foreign keys, busy timeout, BEGIN IMMEDIATE) or
    PostgreSQL through asyncpg."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # We emit BEGIN ourselves: the driver's deferred BEGIN would let two writers
            # both read, then deadlock when both try to upgrade to a write lock.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+asyncpg://" + url.split("://", 1)[1]
    return create_async_engine(url, pool_pre_ping=True)


@asynccontextmanager
async def write_transaction(engine: AsyncEngine, lock_key: str) -> AsyncIterator[AsyncConnection]:
    """One command, one transaction. Commands on the same key run one at a time, also
    across processes: SQLite's BEGIN IMMEDIATE takes the write lock at once, and on
    PostgreSQL a transaction-scoped advisory lock on the key does the same."""
    async with engine.begin() as conn:
        if not is_sqlite(engine):
            key = zlib.crc32(lock_key.encode()) - 2**31
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
        yield conn


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine) -> None:
    """Apply the Alembic migrations (at start-up)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
