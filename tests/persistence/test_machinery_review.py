"""Issue 9 («Never silent») on PostgreSQL: the server cuts the bot's connections in the
middle of a timer sweep (`pg_terminate_backend`, as a failover, a restart of the server or
an administrator would). The sweep fails, is tried again by itself, and every reminder
reaches its people once. Skipped with its reason when PostgreSQL is unreachable."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import event

from bot.runtime import Runtime
from bot.scheduler import Backoff
from flows.clock import ManualClock
from flows.commands import Say
from tests.persistence.conftest import PG_URL, _drop_pg_database, _fresh_pg_database
from tests.support import START, RecordingTransport, settings_for


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    url = await _fresh_pg_database()
    try:
        yield url
    finally:
        await _drop_pg_database(url)


def terminate_backends_of(database: str) -> int:
    """What a server restart does to the bot: every connection to `database` is ended. Run
    on its own thread and event loop (it is called from inside a statement of the bot's)."""

    async def run() -> int:
        conn = await asyncpg.connect(PG_URL, timeout=3)
        try:
            return len(await conn.fetch("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                        "WHERE datname = $1 AND pid <> pg_backend_pid()", database))
        finally:
            await conn.close()

    ended: list[int] = []
    thread = threading.Thread(target=lambda: ended.append(asyncio.run(run())))
    thread.start()
    thread.join(10)
    return ended[0] if ended else 0


async def test_connections_cut_in_the_middle_of_a_sweep_lose_and_repeat_no_reminder(
    pg_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock(START)
    transport = RecordingTransport()
    runtime = await Runtime.build(settings_for(tmp_path, database_url=pg_url), transports={"test": transport}, clock=clock)
    runtime.timers.backoff = Backoff(base_seconds=0.1, max_seconds=0.4)
    await runtime.start()
    cuts: list[int] = []

    def cut_once(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not cuts and statement.lstrip().upper().startswith("UPDATE TIMERS"):  # the sweep claims its timers
            cuts.append(terminate_backends_of(pg_url.rsplit("/", 1)[1]))

    try:
        await runtime.service.handle(Say("jaime", "ALERTA ROJA", "test"))
        await runtime.outbox.drain()
        event.listen(runtime.db.sync_engine, "before_cursor_execute", cut_once)
        clock.advance(timedelta(minutes=10))
        caplog.set_level(logging.WARNING)
        await runtime.timers.sweep()
        assert cuts and cuts[0] >= 1  # the server did end the bot's connections mid-sweep ...
        assert any("connection was closed" in r.getMessage() for r in caplog.records)  # ... in its transaction

        def reminders() -> Counter[tuple[str, str]]:
            found = Counter[tuple[str, str]]()
            for to, message in transport.sent:
                match = re.match(r"⏰ Recordatorio: (la tarea|confirma que leíste el paso) \d+", message.text)
                if match:
                    found[(to, match.group(0))] += 1
            return found

        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while len(reminders()) < 30 and loop.time() < deadline:  # retried by itself, no restart
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        await runtime.outbox.drain()
        got = reminders()
        assert len(got) >= 30 and len({text for _, text in got}) >= 5, got
        assert set(got.values()) == {1}  # none twice
        assert runtime.timers.health().consecutive_failures == 0
    finally:
        event.remove(runtime.db.sync_engine, "before_cursor_execute", cut_once)
        await runtime.stop()


async def test_a_command_right_after_a_server_restart_goes_through_on_the_first_try(
    pg_url: str, tmp_path: Path,
) -> None:
    """Every pooled connection ended by the server while it rested (a restart between two
    presses): the pool tries each before handing it out (`pool_pre_ping`), so the next
    command runs on a new one and the person gets the answer, not «being recorded»."""
    transport = RecordingTransport()
    runtime = await Runtime.build(settings_for(tmp_path, database_url=pg_url), transports={"test": transport},
                                  clock=ManualClock(START))
    try:
        await runtime.service.handle(Say("jaime", "ALERTA ROJA", "test"))
        await runtime.outbox.drain()  # nothing under way: every connection rests in the pool
        assert terminate_backends_of(pg_url.rsplit("/", 1)[1]) >= 1
        outcome = await runtime.service.handle(Say("jaime", "estado", "test"))
        assert outcome is not None and any(m.to == "jaime" and "Estado de la crisis" in m.text for m in outcome.messages), outcome
    finally:
        await runtime.stop()


async def test_a_dashboard_read_right_after_a_server_restart_works(
    pg_url: str, tmp_path: Path,
) -> None:
    """The same for a read outside any command (the dashboard's): a page read after a
    restart works on the first request."""
    from sqlalchemy import text

    from persistence import database

    runtime = await Runtime.build(settings_for(tmp_path, database_url=pg_url), transports={"test": RecordingTransport()},
                                  clock=ManualClock(START))
    try:
        async with database.reading(runtime.db) as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
        assert terminate_backends_of(pg_url.rsplit("/", 1)[1]) >= 1
        async with database.reading(runtime.db) as conn:
            assert (await conn.execute(text("SELECT 2"))).scalar_one() == 2
    finally:
        await runtime.stop()
