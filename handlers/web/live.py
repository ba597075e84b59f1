"""Live updates: every committed command bumps a counter; each server-sent-events stream
waits for the next bump (or the periodic tick that moves ages and overdue marks) and sends
the dashboard's live part again, rendered on the server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from flows.world import Outcome
from persistence.database import reading
from persistence.web import last_log_id

log = logging.getLogger(__name__)


class LiveUpdates:
    def __init__(self) -> None:
        self.version = 0
        self.closed = False
        self._changed = asyncio.Condition()

    async def after_commit(self, outcome: Outcome) -> None:
        """A CrisisService.after_commit hook: anything committed may change the page."""
        await self.bump()

    async def bump(self) -> None:
        async with self._changed:
            self.version += 1
            self._changed.notify_all()

    async def close(self) -> None:
        async with self._changed:
            self.closed = True
            self._changed.notify_all()

    async def wait(self, seen: int, timeout: float) -> int:
        """Until the version differs from `seen`, the stream closes, or `timeout` passes."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: self.version != seen or self.closed), timeout)
            except TimeoutError:
                pass
            return self.version


async def watch_database(updates: LiveUpdates, db: AsyncEngine, every: float = 2.0) -> None:
    """Changes committed by another process (a `crisisbot run` beside this one, a second
    replica) do not reach this one's hooks: a cheap look at the newest bitácora entry
    every few seconds catches them."""
    seen: int | None = None
    while not updates.closed:
        try:
            async with reading(db) as conn:  # a snapshot: on SQLite it takes no write lock
                last = await last_log_id(conn)
        except (SQLAlchemyError, OSError):  # the database may be briefly unreachable: the next look retries
            log.warning("dashboard: could not read the bitácora for changes", exc_info=True)
        else:
            if seen is not None and last != seen:
                await updates.bump()
            seen = last
        await asyncio.sleep(every)


def sse_event(event: str, data: str) -> str:
    lines = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"


async def _finish(render: Callable[[], Awaitable[str | None]]) -> str | None:
    """Render to the end even if the connection goes away meanwhile: a database read cut
    in the middle leaves its connection to be torn down later."""
    task = asyncio.ensure_future(render())
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.add_done_callback(lambda done: done.cancelled() or done.exception())
        raise


async def stream(
    updates: LiveUpdates, render: Callable[[], Awaitable[str | None]], tick: float, lifetime: float,
    clock: Callable[[], float] | None = None,
) -> AsyncIterator[str]:
    """The events of one connection; `render` gives the next event's data, or None when
    there is nothing new to send. It ends after `lifetime` seconds (the browser reconnects
    by itself, and is checked again), or as soon as the updates close (a shutdown)."""
    now = clock or asyncio.get_running_loop().time
    ends = now() + lifetime
    yield "retry: 2000\n\n"
    while True:
        seen = updates.version
        data = await _finish(render)
        if updates.closed:
            return
        if data is not None:
            yield sse_event("live", data)
        left = ends - now()
        if left <= 0 or updates.closed:
            return
        await updates.wait(seen, min(tick, left))
        if updates.closed:
            return
