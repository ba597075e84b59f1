"""Engine creation (SQLite pragmas, PostgreSQL locks), write transactions and migrations."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import os
import weakref
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from flows.texts import DEFAULT_LANG, t
from persistence import sqlite_driver

try:  # POSIX: the lock file of SQLite migrations (elsewhere BEGIN IMMEDIATE alone serialises them)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
READ_ONLY = "crisisbot_read_only"
POOL_SIZE = 16
POOL_OVERFLOW = 16


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


MIGRATION_LOCK_KEY = int.from_bytes(b"crisisbt", "big")
"""The PostgreSQL advisory lock held while migrating (env.py). Above 2**31, so never one of
write_transaction's keys (a CRC-32 shifted into the signed 32-bit range)."""

SQLITE_DRIVERS = ("sqlite", "sqlite+pysqlite", "sqlite+aiosqlite")
POSTGRES_DRIVERS = ("postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg", "postgresql+pg8000",
                    "postgresql+asyncpg", "postgres+asyncpg")
CONNECT_TIMEOUT = 10.0
"""Seconds a new PostgreSQL connection may take (asyncpg waits 60 s by default)."""


class DatabaseProblem(Exception):
    """What is wrong with the database and what to do, as one line a person reads
    (flows/texts/*/database.py). `key` names the text, `params` fill it (DATABASE_URL
    always with its password masked); `retryable` when waiting may cure it (a server that
    does not answer yet)."""

    def __init__(self, key: str, retryable: bool = False, **params: object) -> None:
        super().__init__(key)
        self.key, self.retryable, self.params = key, retryable, params

    def text(self, lang: str) -> str:
        return t(lang, f"database.{self.key}", **self.params)

    def __str__(self) -> str:
        return self.text(DEFAULT_LANG)


def masked_url(url: str) -> str:
    """DATABASE_URL as printed: the password replaced by ***, also in a URL SQLAlchemy
    cannot parse (anything between the user's `:` and the last `@`)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        pass
    if "@" in url:
        userinfo, host = url.rsplit("@", 1)
        scheme, sep, user = userinfo.rpartition("//")
        if ":" in user:
            user = user.split(":", 1)[0] + ":***"
        url = f"{scheme}{sep}{user}@{host}"
    return url if len(url) <= 80 else url[:77] + "..."


def async_url(url: str) -> URL:
    """DATABASE_URL with its async driver: `sqlite:///x.db` → `sqlite+aiosqlite:///x.db`,
    `postgres://` / `postgresql://` (and sync PostgreSQL drivers) → `postgresql+asyncpg://`,
    libpq's `?sslmode=` → asyncpg's `?ssl=` (same values: disable ... verify-full, see
    https://magicstack.github.io/asyncpg/current/api/index.html#connection).
    Raises DatabaseProblem for what is not a URL or not SQLite/PostgreSQL."""
    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError):
        raise DatabaseProblem("bad_url", url=masked_url(url)) from None
    if parsed.drivername in SQLITE_DRIVERS:
        return parsed.set(drivername="sqlite+aiosqlite")
    if parsed.drivername in POSTGRES_DRIVERS:
        parsed = parsed.set(drivername="postgresql+asyncpg")
        if "sslmode" in parsed.query:  # libpq's name (Heroku, Render, Neon URLs); asyncpg calls it `ssl`
            mode = parsed.query["sslmode"]
            parsed = parsed.difference_update_query(["sslmode"])
            if "ssl" not in parsed.query:
                parsed = parsed.update_query_dict({"ssl": mode if isinstance(mode, str) else mode[-1]})
        return parsed
    raise DatabaseProblem("unsupported", scheme=parsed.drivername)


def make_engine(url: str | URL, busy_timeout_ms: int = 10_000, connect_timeout: float = CONNECT_TIMEOUT) -> AsyncEngine:
    """SQLite through aiosqlite (WAL, foreign keys, busy timeout, BEGIN IMMEDIATE) or
    PostgreSQL through asyncpg (`async_url`: a plain `sqlite:///` or `postgresql://` URL gets
    its driver). `busy_timeout_ms`: how long a SQLite writer waits for another process's
    write lock before `database is locked`; `connect_timeout`: seconds a new PostgreSQL
    connection may take. Connects to nothing yet. Raises DatabaseProblem (see async_url)."""
    url = async_url(url) if isinstance(url, str) else url
    if url.drivername.startswith("sqlite"):
        # Enough pooled connections for the outbox's parallel senders, the grouped writes
        # and the requests beside them: a connection opened past the pool is a new thread
        # and new pragmas, and is closed again on return.
        # Every transaction here ends with its commit or rollback before the connection goes
        # back, so the pool's own reset (one more rollback, one more thread hop) is not needed.
        # Statements of a write transaction run in place, not on aiosqlite's thread (persistence/sqlite_driver.py).
        engine = create_async_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_reset_on_return=None,
                                     async_creator=sqlite_driver.connector(url))
        path = sqlite_file(engine)  # a file in WAL mode: checkpointed beside the commits
        gate = _GATES[engine.sync_engine] = WriteGate()
        checkpoints = gate.checkpoints = sqlite_driver.Checkpoints(path, gate.hold) if path is not None else None

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
            if checkpoints is not None:  # never inside a commit: beside it (sqlite_driver.Checkpoints)
                cursor.execute("PRAGMA wal_autocheckpoint=0")
                # a log started over is cut back to this, so that its size says whether it is
                cursor.execute(f"PRAGMA journal_size_limit={sqlite_driver.WAL_RESTART_BYTES // 2}")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Connection) -> None:
            # A look (`reading`) is a snapshot and takes no lock; anything else may write.
            driver = cast(sqlite_driver.Connection, conn.connection.driver_connection)
            driver.writing = False
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN")
            elif not driver.begin_write(busy_timeout_ms):  # taken by another process: wait on the thread
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                driver.writing = True

        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW,
                               connect_args={"timeout": connect_timeout})


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
        self.checkpoints: sqlite_driver.Checkpoints | None = None  # told of each commit (make_engine's, on a file)
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
    async with gate.hold(urgent):
        async with engine.begin() as conn:
            yield conn
        if gate.checkpoints is not None:
            gate.checkpoints.committed()


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


def upgrade_to_head(connection: Connection) -> None:
    """Apply the migrations on a synchronous connection (`migrate` runs it under its locks)."""
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


def sqlite_file(engine: AsyncEngine) -> Path | None:
    """The file of a SQLite engine (None for PostgreSQL and in-memory databases)."""
    database = engine.url.database
    if not is_sqlite(engine) or database in (None, "", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


@asynccontextmanager
async def _migration_file_lock(engine: AsyncEngine, poll_seconds: float = 0.05) -> AsyncIterator[None]:
    """SQLite: an exclusive lock on `<db file>.migrate.lock` while migrating, so that
    processes starting together migrate one after the other however long a migration
    takes (BEGIN IMMEDIATE alone would give up after the busy timeout). Released when the
    process dies (flock). PostgreSQL takes its advisory lock in env.py instead."""
    path = sqlite_file(engine)
    if path is None or fcntl is None:
        yield
        return
    fd = os.open(path.with_name(path.name + ".migrate.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        said = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not said:
                    log.info("%s", DatabaseProblem("waiting_migration", url=masked_url(str(engine.url))))
                    said = True
                await asyncio.sleep(poll_seconds)
        yield
    finally:
        os.close(fd)  # releases the lock


async def migrate(engine: AsyncEngine) -> None:
    """Apply the Alembic migrations (at start-up), one process at a time: on PostgreSQL
    under an advisory lock taken in env.py inside the migration's transaction (so two
    replicas never both create `alembic_version`), on SQLite under BEGIN IMMEDIATE and a
    lock file. The one who waited finds the schema at head and does nothing."""
    async with _migration_file_lock(engine), engine.begin() as conn:
        await conn.run_sync(upgrade_to_head)
