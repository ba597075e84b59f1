"""Another process's write lock on the SQLite file, as a test holds it: a plain sqlite3
connection (not the bot's engine) in `BEGIN IMMEDIATE` until released. Readers go on
(WAL); every writer of the bot waits its busy timeout, then gets `database is locked`."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import TracebackType
from typing import Self

from bot.settings import Settings


def sqlite_file(settings: Settings) -> Path:
    return Path(settings.database_url.partition(":///")[2])


class WriteLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def hold(self) -> Self:
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn.execute("BEGIN IMMEDIATE")
        return self

    def release(self) -> None:
        if self._conn is not None:
            self._conn.execute("ROLLBACK")
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Self:
        return self.hold()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()
