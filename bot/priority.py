"""Who goes first on the one event loop.

Work somebody is waiting on (a webhook before its answer, a command before its commit)
goes before outgoing deliveries, which nobody holds a request open for: a burst of fifty
presses is acked first, and what the presses produced is delivered right after.

And a burst is split in sensible groups: the next group commit starts once at least as
many commands are waiting as webhooks are still being read. Starting with the first
press alone would keep the rest waiting for a transaction slowed down by their own
reading; waiting for all of them would keep everybody waiting for the last one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable


class Inbound:
    def __init__(self) -> None:
        self.requests = 0  # webhooks being answered
        self.commands = 0  # commands waiting for their commit
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._moved = asyncio.Event()

    def request(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Around the handling of a webhook, until its answer."""
        return self._counting("requests")

    def command(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Around a command, from its arrival to its commit."""
        return self._counting("commands")

    @contextlib.asynccontextmanager
    async def _counting(self, counter: str) -> AsyncIterator[None]:
        setattr(self, counter, getattr(self, counter) + 1)
        self._changed()
        try:
            yield
        finally:
            setattr(self, counter, getattr(self, counter) - 1)
            self._changed()

    def _changed(self) -> None:
        self._moved.set()
        if self.requests or self.commands:
            self._quiet.clear()
        else:
            self._quiet.set()

    async def quiet(self, at_most: float) -> None:
        """Until nothing inbound is under way, waiting `at_most` seconds at the longest,
        so that deliveries slow down under a flood of requests but never stop."""
        if not self._quiet.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._quiet.wait(), at_most)

    async def enough_waiting(self, queued: Callable[[], int], gap: float, at_most: float) -> None:
        """Before a group commit: while fewer commands wait (`queued()`) than webhooks are
        still being read, wait for more, until nothing moves for `gap` seconds or `at_most`
        have passed. A lone press, or a command no webhook brought, never waits."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + at_most
        while queued() < self.requests - self.commands:
            left = deadline - loop.time()
            if left <= 0:
                return
            self._moved.clear()
            try:
                await asyncio.wait_for(self._moved.wait(), min(gap, left))
            except TimeoutError:
                return
