"""The SQLite connection under SQLAlchemy's aiosqlite dialect, with one change: inside a
write transaction (after its BEGIN IMMEDIATE took the write lock), statements run on the
calling thread instead of a round trip to aiosqlite's worker thread.

Why: aiosqlite hands every call (cursor, execute, fetch, close) to its thread and back,
four trips a statement under SQLAlchemy; a press is about eight statements, so its
transaction spent most of its time, and all of its yields to the event loop, on those
trips (about 0.9 ms a statement, 0.15 ms on the calling thread; bench/cases_scale.py,
docs/scale.md). Once the write lock is held nothing a statement does waits on another
connection (WAL: readers never block the writer), so running it in place only costs the
statement's own work. Everything else goes through the thread as aiosqlite does it: the
BEGIN that may wait in the busy handler for another process's lock, reads (a long report
must not hold the event loop), connecting and closing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite
from aiosqlite import context as aiosqlite_context
from sqlalchemy.engine import URL

log = logging.getLogger(__name__)


class Cursor(aiosqlite.Cursor):
    """aiosqlite's cursor, one trip a statement instead of four: made and closed on the
    calling thread (no I/O), and a statement's rows fetched in the same trip as its
    execution (SQLAlchemy's adapter fetches them all right after, without server-side
    cursors, which crisisbot never asks for)."""

    _rows: list[Any] | None = None

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> Cursor:
        self._rows = await self._execute(  # type: ignore[no-untyped-call]  # aiosqlite's own, untyped
            self._execute_fetching, sql, [] if parameters is None else parameters)
        return self

    def _execute_fetching(self, sql: str, parameters: Any) -> list[Any] | None:
        cursor = self._cursor.execute(sql, parameters)
        return cursor.fetchall() if cursor.description else None

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, None
        return rows if rows is not None else list(await super().fetchall())

    async def fetchone(self) -> Any:
        if self._rows is None:
            return await super().fetchone()
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        if self._rows is None:
            return list(await super().fetchmany(size))
        count = size if size is not None else self._cursor.arraysize
        taken, self._rows = self._rows[:count], self._rows[count:]
        return taken

    async def close(self) -> None:
        self._rows = None
        self._cursor.close()


class Connection(aiosqlite.Connection):
    """aiosqlite's connection; `writing` is True inside a write transaction (set by
    `begin_write`, which the engine's `begin` listener calls, persistence/database.py
    make_engine), and statements then run on the calling thread."""

    writing = False

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        connection = self._connection
        if self.writing and connection is not None and connection.in_transaction:
            return fn(*args, **kwargs)  # the write lock is ours: nothing to wait for
        return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    @aiosqlite_context.contextmanager
    async def cursor(self) -> Cursor:  # type: ignore[override]  # a subclass of its Cursor
        return Cursor(self, self._conn.cursor())

    def begin_write(self, busy_timeout_ms: int) -> bool:
        """BEGIN IMMEDIATE on the calling thread if the write lock is free at once (it is,
        unless another process holds it: this process's writers queue in its WriteGate);
        False, with nothing begun, when it is taken: the caller then begins through the
        worker thread, where the busy handler may wait up to `busy_timeout_ms` (ms).
        Called between two awaited calls, so never beside one running on the thread."""
        connection = self._conn
        connection.execute("PRAGMA busy_timeout=0")
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
            return False
        finally:
            connection.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        self.writing = True
        return True


def connector(url: URL) -> Callable[[], Awaitable[Connection]]:
    """The `async_creator` of create_async_engine for a SQLite `url`: what SQLAlchemy's own
    dialect would pass to sqlite3.connect (path, `uri`, timeout…), plus
    check_same_thread=False: the sqlite3 connection is used from the worker thread and,
    inside write transactions, from the event loop's thread, one call at a time
    (SQLAlchemy awaits each before the next)."""
    args, kwargs = url.get_dialect()().create_connect_args(url)
    kwargs["check_same_thread"] = False

    async def create() -> Connection:
        connection = Connection(partial(sqlite3.connect, *args, **kwargs), 64)
        connection._thread.daemon = True  # as SQLAlchemy's dialect does: never holds the interpreter open
        await connection  # starts the thread and connects
        return connection

    return create


CHECKPOINT_EVERY = 100
"""Write transactions of a process between two of its checkpoints (see Checkpoints)."""

WAL_RESTART_BYTES = 8_000_000
"""A write-ahead log larger than this is copied once more with this process's writers held
back, so that it starts over (see Checkpoints)."""


class Checkpoints:
    """SQLite copies the write-ahead log back into the database file (a checkpoint) inside
    the commit that takes the log past 1,000 pages, and that commit waits for it: about one
    commit in fifty took 5 ms instead of 0.1 (bench/cases_scale.py, docs/scale.md), right at
    a press's p99. The engine's connections never checkpoint on commit (PRAGMA
    wal_autocheckpoint=0, persistence/database.py make_engine). Instead, after every
    `every` write transactions of this process, a PASSIVE checkpoint runs on a worker
    thread through a connection of its own, beside the writers: it takes no write lock and
    nobody waits for it. A log is started over by the first writer after a checkpoint that
    copied all of it, and only if no writer added to it meanwhile: under a steady stream of
    writes that never happens, and the log would grow without end. So when it has grown past
    WAL_RESTART_BYTES, the rest is copied once more with this process's writers held back
    (`hold`, its WriteGate; urgent ones go first), a few milliseconds. The checkpoints of a
    quiet process start it over on their own and never hold anybody back."""

    def __init__(self, path: Path, hold: Callable[[], AbstractAsyncContextManager[None]],
                 every: int = CHECKPOINT_EVERY) -> None:
        self.path = path
        self.hold = hold
        self.every = every
        self._since = 0
        self._running: asyncio.Task[None] | None = None

    def committed(self) -> None:
        """A write transaction of this process was committed."""
        self._since += 1
        if self._since < self.every or (self._running is not None and not self._running.done()):
            return
        self._since = 0
        self._running = asyncio.create_task(self._checkpoint())

    async def _checkpoint(self) -> None:
        try:
            await asyncio.to_thread(self._copy)  # beside the writers
            if self._log_bytes() > WAL_RESTART_BYTES:  # never started over: once with none of them under way
                async with self.hold():
                    await asyncio.to_thread(self._copy)
        except sqlite3.Error as exc:  # the next one copies what this one could not
            log.warning("SQLite checkpoint of %s failed: %s; tried again after %d more writes", self.path.name, exc,
                        self.every)

    def _log_bytes(self) -> int:
        try:
            return self.path.with_name(self.path.name + "-wal").stat().st_size
        except OSError:
            return 0

    def _copy(self) -> None:
        """One PASSIVE checkpoint: copies what no reader still needs, waits for nobody."""
        with contextlib.closing(sqlite3.connect(self.path)) as connection:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
