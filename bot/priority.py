"""Who goes first on the one event loop: work somebody is waiting on (a webhook before its
answer, a command before its commit) goes before outgoing deliveries, which nobody holds
a request open for. A burst of fifty presses is acked first; what the presses produced
is delivered right after."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class Inbound:
    def __init__(self) -> None:
        self._busy = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    @contextlib.asynccontextmanager
    async def busy(self) -> AsyncIterator[None]:
        """Around the handling of a webhook (until its answer) or of a command (until its
        commit)."""
        self._busy += 1
        self._quiet.clear()
        try:
            yield
        finally:
            self._busy -= 1
            if self._busy == 0:
                self._quiet.set()

    async def quiet(self, at_most: float) -> None:
        """Until nothing inbound is under way, waiting `at_most` seconds at the longest,
        so that deliveries slow down under a flood of requests but never stop."""
        if not self._quiet.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._quiet.wait(), at_most)
