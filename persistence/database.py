"""Engine creation (SQLite pragmas, PostgreSQL locks), write transactions and migrations."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import weakref
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).parent / "migrations"
READ_ONLY = "crisisbot_read_only"
POOL_SIZE = 16
POOL_OVERFLOW = 16


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, busy_timeout_ms: int = 10_000) -> AsyncEngine:
    """SQLite through aiosqlite (WAL, foreign keys, busy timeout, BEGIN IMMEDIATE) or
    PostgreSQL through asyncpg. `busy_timeout_ms`: how long a SQLite writer waits for
    another process's write lock before `database is locked`."""
    if url.startswith("sqlite"):
        # Enough pooled connections for the outbox's parallel senders, the grouped writes
        # and the requests beside them: a connection opened past the pool is a new thread
        # and new pragmas, and is closed again on return.
        # Every transaction here ends with its commit or rollback before the connection goes
        # back, so the pool's own reset (one more rollback, one more thread hop) is not needed.
        engine = create_async_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_reset_on_return=None)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # We emit BEGIN ourselves: the driver's deferred BEGIN would let two writers
            # both read, then deadlock when both try to upgrade to a write lock.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Connection) -> None:
            # A look (`reading`) is a snapshot and takes no lock; anything else may write.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+asyncpg://" + url.split("://", 1)[1]
    return create_async_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)


@asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A read-only look at the database. On SQLite it is a deferred transaction: a
    snapshot that neither waits for the writer nor holds it up (a write transaction takes
    the write lock at its BEGIN, see make_engine)."""
    async with engine.connect() as conn:
        await conn.execution_options(**{READ_ONLY: True})
        yield conn


class WriteGate:
    """SQLite has one writer at a time, and a writer that finds the lock taken sleeps in
    its busy handler, in steps of up to 100 ms, even after the lock is free. Writers of
    this process queue here instead and go the moment it is free, the urgent ones (the
    commands somebody's ack waits for) first; the busy handler is left to waits on
    other processes."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []  # (priority, arrival, wake-up)
        self._arrivals = itertools.count()

    @asynccontextmanager
    async def hold(self, urgent: bool = False) -> AsyncIterator[None]:
        if self._held or self._waiting:
            wake_up = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (0 if urgent else 1, next(self._arrivals), wake_up))
            try:
                await wake_up
            except asyncio.CancelledError:
                if wake_up.done() and not wake_up.cancelled():
                    self._release()  # it was handed over just as we were cancelled
                else:
                    self._waiting = [w for w in self._waiting if w[2] is not wake_up]
                    heapq.heapify(self._waiting)
                raise
        else:
            self._held = True
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        while self._waiting:
            _, _, wake_up = heapq.heappop(self._waiting)
            if not wake_up.done():
                wake_up.set_result(None)  # handed over: stays held
                return
        self._held = False


_GATES: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def writing(engine: AsyncEngine, urgent: bool = False) -> AsyncIterator[AsyncConnection]:
    """A write transaction. On SQLite, one per process at a time (WriteGate), and it
    takes the write lock at its BEGIN."""
    if not is_sqlite(engine):
        async with engine.begin() as conn:
            yield conn
        return
    gate = _GATES.setdefault(engine.sync_engine, WriteGate())
    async with gate.hold(urgent), engine.begin() as conn:
        yield conn


@asynccontextmanager
async def write_transaction(engine: AsyncEngine, lock_key: str) -> AsyncIterator[AsyncConnection]:
    """The transaction of a group of commands. Commands on the same key run one at a
    time, also across processes: SQLite's BEGIN IMMEDIATE takes the write lock at once,
    and on PostgreSQL a transaction-scoped advisory lock on the key does the same."""
    async with writing(engine, urgent=True) as conn:
        if not is_sqlite(engine):
            key = zlib.crc32(lock_key.encode()) - 2**31
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
        yield conn


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def warm_up(engine: AsyncEngine, connections: int) -> None:
    """Open the pool's connections now rather than in the middle of the first burst of
    deliveries (on SQLite each one is a thread and its pragmas)."""
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(min(connections, POOL_SIZE)):
            await stack.enter_async_context(engine.connect())


async def migrate(engine: AsyncEngine) -> None:
    """Apply the Alembic migrations (at start-up)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
