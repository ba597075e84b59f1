"""Helpers for the durable-inbox tests of both transports (tests/slack/test_inbox.py,
tests/whatsapp/test_inbox.py): wait until kept commands are committed, count takes."""

from __future__ import annotations

import time
from typing import Any, Protocol

from bot.runtime import Runtime
from persistence import repository as repo
from persistence.database import reading


class Harness(Protocol):
    """A transport's test harness: the runtime, its test client, and `settle()`."""

    rt: Runtime
    client: Any

    def settle(self) -> None: ...


def settle_kept(harness: Harness, seconds: float = 5.0) -> None:
    """Wait until the inbox has committed every kept command, then let the outbox deliver."""
    deadline = time.monotonic() + seconds
    while harness.rt.inbox.pending:
        assert time.monotonic() < deadline, "the kept command was never settled"
        time.sleep(0.02)
    harness.settle()


def claims(harness: Harness) -> int:
    """How many «claimed» entries the open crisis's bitácora holds."""
    async def read() -> int:
        async with reading(harness.rt.db) as conn:
            crisis_id = await repo.open_crisis_id(conn, harness.rt.playbook.id)
            assert crisis_id is not None
            return sum(e.kind == "claimed" for e in await repo.crisis_log(conn, crisis_id))

    assert harness.client.portal is not None
    return harness.client.portal.call(read)  # type: ignore[no-any-return]
