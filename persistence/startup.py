"""The database at start-up: opened, checked, migrated, or one line saying what is wrong.

`open_database` is what `run`, `serve` and `informe` call before anything else touches
the database. Every failure becomes a `DatabaseProblem` (persistence/database.py) whose
text says what is wrong and what to do, with DATABASE_URL's password masked; the
traceback goes to the debug log only. A server that does not answer (refused, timed out,
name not resolved yet, starting up, too many connections) is tried again, one warning
line per try, for up to `retry_seconds` (setting DATABASE_STARTUP_RETRY_SECONDS): replicas
and their database often start together.

PostgreSQL error codes (SQLSTATE) as listed in
https://www.postgresql.org/docs/current/errcodes-appendix.html
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

from alembic.util.exc import CommandError
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.database import CONNECT_TIMEOUT, DatabaseProblem, async_url, make_engine, masked_url, migrate

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 5.0

# SQLSTATE → what it means here. 57P03: the server is starting up; 53300: too many connections.
RETRYABLE_STATES = {"57P03", "53300", "08000", "08001", "08003", "08004", "08006"}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, what SQLAlchemy wraps (`orig`) and what caused it, each once."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [getattr(current, "orig", None), current.__cause__, current.__context__]


def _reason(exc: BaseException, url: URL) -> str:
    """The error's own first line, short, without the password."""
    for inner in _chain(exc):
        if getattr(inner, "orig", None) is None and str(inner).strip():
            exc = inner
            break
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if url.password:
        text = text.replace(str(url.password), "***")
    return text if len(text) <= 160 else text[:157] + "..."


def _sqlite_path_problem(url: URL, shown: str) -> DatabaseProblem | None:
    """What is wrong with a SQLite file's place before opening it (None: nothing seen).
    Checks that need the open itself (a read-only mount that `os.access` misses) come from
    the error instead (`_problem`)."""
    database = url.database
    if database in (None, "", ":memory:") or database.startswith("file:"):
        return DatabaseProblem("memory", url=shown)
    path = Path(database).absolute()
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        return DatabaseProblem("not_a_folder", url=shown, folder=folder)
    if not folder.exists():
        ancestors = [p for p in folder.parents if p.exists()]
        if ancestors and not ancestors[0].is_dir():
            return DatabaseProblem("not_a_folder", url=shown, folder=ancestors[0])
        return DatabaseProblem("folder_missing", url=shown, folder=folder)
    if path.is_dir():
        return DatabaseProblem("is_a_folder", url=shown, path=path)
    writable = os.access(folder, os.W_OK | os.X_OK) and (not path.exists() or os.access(path, os.R_OK | os.W_OK))
    if not writable:
        return DatabaseProblem("cannot_write", url=shown, path=path, folder=folder)
    return None


def _problem(exc: BaseException, url: URL, shown: str) -> DatabaseProblem:
    """The one line for an error met while connecting or migrating (`shown`: the masked URL)."""
    reason = _reason(exc, url)
    user = url.username or ""
    for inner in _chain(exc):
        state = getattr(inner, "sqlstate", None)
        if state == "3D000":
            return DatabaseProblem("no_database", url=shown, database=url.database or "")
        if state == "28P01":
            return DatabaseProblem("bad_password", url=shown, user=user)
        if state == "28000":  # the role does not exist, or pg_hba.conf refuses it
            return DatabaseProblem("no_role", url=shown, user=user, reason=reason)
        if state == "42501":
            return DatabaseProblem("no_privilege", url=shown, user=user, reason=reason)
        if state in RETRYABLE_STATES:
            return _unreachable(shown, reason)
        if isinstance(inner, sqlite3.Error):
            return _sqlite_problem(inner, url, shown, reason)
        if isinstance(inner, CommandError) and "Can't locate revision" in str(inner):
            revision = str(inner).rsplit(" ", 1)[-1].strip("'\"")
            return DatabaseProblem("unknown_revision", url=shown, revision=revision)
        if isinstance(inner, OSError) and url.drivername.startswith("sqlite"):  # the lock file, the folder
            path = Path(url.database or "").absolute()
            return DatabaseProblem("cannot_write", url=shown, path=path, folder=path.parent)
        if isinstance(inner, ConnectionError) and "SSL" in str(inner):  # sslmode=require, a server without TLS:
            return DatabaseProblem("failed", url=shown, reason=reason)  # it answered; waiting will not change it
        if isinstance(inner, (OSError, TimeoutError, asyncio.TimeoutError)):  # refused, unreachable, DNS, timeout
            return _unreachable(shown, reason or type(inner).__name__)
    return DatabaseProblem("failed", url=shown, reason=reason)


def _unreachable(shown: str, reason: str) -> DatabaseProblem:
    return DatabaseProblem("unreachable", retryable=True, url=shown, reason=reason, attempts=1, seconds=0)


def _sqlite_problem(exc: sqlite3.Error, url: URL, shown: str, reason: str) -> DatabaseProblem:
    message = str(exc).lower()
    path = Path(url.database or "").absolute()
    if "not a database" in message:
        return DatabaseProblem("not_sqlite", url=shown, path=path)
    if "locked" in message or "busy" in message:
        return DatabaseProblem("locked", url=shown)
    if "unable to open" in message or "readonly" in message or "read-only" in message or "disk i/o" in message:
        return DatabaseProblem("cannot_write", url=shown, path=path, folder=path.parent)
    return DatabaseProblem("failed", url=shown, reason=reason)


def url_problem(url: str) -> DatabaseProblem | None:
    """What is wrong with DATABASE_URL itself, before connecting: not a URL, not SQLite or
    PostgreSQL, an in-memory SQLite (None: nothing). For `crisisbot doctor`."""
    try:
        parsed = async_url(url)
    except DatabaseProblem as problem:
        return problem
    if parsed.drivername.startswith("sqlite") and (parsed.database in (None, "", ":memory:")
                                                    or parsed.database.startswith("file:")):
        return DatabaseProblem("memory", url=masked_url(url))
    return None


def database_problem(exc: BaseException, url: str) -> DatabaseProblem:
    """The one line for `exc`, an error met while connecting to or migrating `url`."""
    return _problem(exc, async_url(url), masked_url(url))


async def open_database(
    url: str, *, busy_timeout_ms: int = 10_000, retry_seconds: float = 0.0, lang: str = "es",
    connect_timeout: float = CONNECT_TIMEOUT,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, monotonic: Callable[[], float] = time.monotonic,
) -> AsyncEngine:
    """An engine on DATABASE_URL (`url`; a plain `sqlite:///` or `postgresql://` gets its async
    driver), reachable and migrated to head. A server that does not answer is tried again
    (1 s, doubling to 5 s between tries, one warning line in `lang` each) until
    `retry_seconds` (seconds, from the first try) have passed. `connect_timeout`: seconds
    one PostgreSQL connection attempt may take. `sleep`/`monotonic`: injected by tests.

    Raises DatabaseProblem (its `text(lang)` is the one line to print) for anything else
    and when the retries run out; the engine is disposed then."""
    parsed = async_url(url)
    shown = masked_url(url)
    if parsed.drivername.startswith("sqlite"):
        problem = _sqlite_path_problem(parsed, shown)
        if problem is not None:
            raise problem
    engine = make_engine(parsed, busy_timeout_ms, connect_timeout)
    started, attempt, wait = monotonic(), 0, FIRST_RETRY_SECONDS
    while True:
        attempt += 1
        try:
            await migrate(engine)
            return engine
        except Exception as exc:  # every failure becomes its one line (traceback: debug log)
            log.debug("database start-up failed", exc_info=True)
            problem = _problem(exc, parsed, shown)
        elapsed = monotonic() - started
        if not problem.retryable or elapsed + wait > retry_seconds:
            await engine.dispose()
            if problem.retryable:
                problem = DatabaseProblem("unreachable", url=shown, attempts=attempt, seconds=round(elapsed),
                                          reason=problem.params["reason"])
            raise problem
        log.warning("%s", DatabaseProblem("retrying", url=shown, reason=problem.params["reason"], attempt=attempt,
                                          wait=f"{wait:g}", limit=f"{retry_seconds:g}").text(lang))
        await sleep(wait)
        wait = min(wait * 2, LONGEST_RETRY_SECONDS)
