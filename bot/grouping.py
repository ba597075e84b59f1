"""Group commit: jobs that arrive while a transaction is under way go together in the
next one, and each caller waits for the commit that holds its job.

Used twice: by the crisis service (a burst of presses handled in one transaction, each on
the state the previous left) and by the outbox's bookkeeping (`GroupWriter`: the short
writes that end each of many parallel deliveries). SQLite has one writer at a time, and
one transaction per job would queue them all behind it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from persistence.database import writing

log = logging.getLogger(__name__)

J = TypeVar("J")
R = TypeVar("R")
T = TypeVar("T")


@dataclass
class _Waiting(Generic[J, R]):
    job: J
    future: asyncio.Future[R]


class GroupCommit(Generic[J, R]):
    """`run_group(jobs)` handles a group in one transaction and returns a result per job;
    `after(results)` runs once the group is committed, before anybody gets their result;
    `before()` may wait for more jobs before a group is taken. A group that fails is run
    again one job per transaction, so a faulty job fails alone.

    Background jobs (`submit(..., background=True)`: timers falling due, which nobody is
    waiting on) go in groups of their own, of at most `max_background`, and only when no
    other job waits: a press that comes in behind fifty due timers waits for one small
    group of them, not for all fifty (bench/cases_scale.py)."""

    def __init__(
        self, run_group: Callable[[list[J]], Awaitable[list[R]]],
        after: Callable[[list[R]], Awaitable[None]] | None = None, max_group: int = 100,
        before: Callable[[], Awaitable[None]] | None = None, max_background: int = 4,
    ) -> None:
        self.run_group = run_group
        self.after = after
        self.before = before
        self.max_group = max_group
        self.max_background = max_background
        self._queue: list[_Waiting[J, R]] = []
        self._background: list[_Waiting[J, R]] = []
        self._runner: asyncio.Task[None] | None = None

    @property
    def queued(self) -> int:
        return len(self._queue)

    async def submit(self, jobs: list[J], background: bool = False) -> list[R]:
        if not jobs:
            return []
        loop = asyncio.get_running_loop()
        waiting = [_Waiting(job, loop.create_future()) for job in jobs]
        (self._background if background else self._queue).extend(waiting)
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._drain())
        if len(waiting) == 1:  # its caller resumes the moment the group is answered (see _drain)
            return [await waiting[0].future]
        return list(await asyncio.gather(*(w.future for w in waiting)))

    async def _drain(self) -> None:
        try:
            while self._queue or self._background:
                if self._queue:
                    if self.before is not None:
                        await self.before()
                    group, self._queue = self._queue[:self.max_group], self._queue[self.max_group:]
                else:
                    group = self._background[:self.max_background]
                    self._background = self._background[self.max_background:]
                await self._run(group)
                # Let those just answered go on before the next group: on SQLite a group's
                # transaction runs without yielding to the event loop (persistence/sqlite_driver.py),
                # so they would otherwise wait for it too.
                await asyncio.sleep(0)
        finally:
            for waiting in self._queue + self._background:  # only when the runner itself was cancelled (shutdown)
                waiting.future.cancel()
            self._queue, self._background = [], []

    async def _run(self, group: list[_Waiting[J, R]]) -> None:
        try:
            results = await self.run_group([w.job for w in group])
        except asyncio.CancelledError:
            for waiting in group:
                waiting.future.cancel()
            raise
        except Exception as exc:
            if len(group) == 1:
                _settle(group[0].future, exception=exc)
                return
            log.warning("a group of %d jobs failed (%s); running them one at a time", len(group), exc)
            for waiting in group:
                await self._run([waiting])
            return
        if self.after is not None:
            try:
                await self.after(results)
            except Exception as exc:  # committed, but the callers must hear that what follows failed
                for waiting in group:
                    _settle(waiting.future, exception=exc)
                return
        for waiting, result in zip(group, results, strict=True):
            _settle(waiting.future, result)


def _settle(future: asyncio.Future[Any], result: Any = None, exception: BaseException | None = None) -> None:
    """Give the waiting caller its answer (unless it stopped waiting)."""
    if future.done():
        return
    if exception is not None:
        future.set_exception(exception)
    else:
        future.set_result(result)


Work = Callable[[AsyncConnection], Awaitable[Any]]


class GroupWriter:
    """Short, independent writes (`work(conn)`) from concurrent workers, committed together."""

    def __init__(self, db: AsyncEngine) -> None:
        self.db = db
        self._group: GroupCommit[Work, Any] = GroupCommit(self._run_group)

    async def write(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run `work` in a write transaction shared with the writes queued beside it; its
        result once committed."""
        (result,) = await self._group.submit([work])
        written: T = result
        return written

    async def _run_group(self, works: list[Work]) -> list[Any]:
        async with writing(self.db) as conn:
            return [await work(conn) for work in works]
