"""Timers outlive a failing sweep: another process holds SQLite's write lock across a due
reminder (as a long migration, a backup or a stuck `crisisbot run` would), the sweep fails,
and once the lock is released the reminder reaches the people without any restart."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.runtime import Runtime
from bot.scheduler import Backoff
from flows.clock import ManualClock
from flows.commands import Say
from tests.support import START, RecordingTransport, settings_for

BUSY_TIMEOUT_MS = 50  # production waits 10 s; the test would wait 10 s per attempt


@asynccontextmanager
async def runtime_with_short_busy_timeout(tmp_path: Path, clock: ManualClock) -> AsyncIterator[tuple[Runtime, RecordingTransport]]:
    transport = RecordingTransport()
    settings = settings_for(tmp_path, sqlite_busy_timeout_ms=BUSY_TIMEOUT_MS)
    runtime = await Runtime.build(settings, transports={"test": transport}, clock=clock)
    runtime.timers.backoff = Backoff(base_seconds=0.1, max_seconds=0.4)
    await runtime.start()
    try:
        yield runtime, transport
    finally:
        await runtime.stop()


@contextmanager
def write_lock_held(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection takes SQLite's write lock (BEGIN IMMEDIATE) until released."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


async def wait_until(condition: Any, seconds: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not within the time"
        await asyncio.sleep(0.02)


def reminders(transport: RecordingTransport) -> list[str]:
    return sorted(r for r, m in transport.sent if m.text.startswith("⏰ Recordatorio: la tarea 4 "))


async def test_a_reminder_due_while_the_database_is_locked_arrives_once_it_is_free(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock(START)
    async with runtime_with_short_busy_timeout(tmp_path, clock) as (runtime, transport):
        await runtime.service.handle(Say("jaime", "ALERTA ROJA", "test"))
        await runtime.outbox.drain()
        caplog.set_level(logging.WARNING, logger="bot.scheduler")
        with write_lock_held(tmp_path / "crisis.db") as lock:
            clock.advance(timedelta(minutes=10))
            assert await runtime.timers.sweep() == 0  # locked: nothing fired, nothing raised
            health = runtime.timers.health()
            assert health.consecutive_failures == 1 and "locked" in (health.last_error or "")
            await wait_until(lambda: runtime.timers.health().consecutive_failures >= 2)  # retried by itself
            job = runtime.timers.scheduler.get_job("timer-sweep")
            assert job is not None and job.next_run_time < datetime.now(UTC) + timedelta(seconds=1)
            lock.execute("ROLLBACK")
        await wait_until(lambda: len(reminders(transport)) == 6)  # no restart, no manual sweep
        await runtime.outbox.drain()
        assert reminders(transport) == ["catalina", "cecilia", "jaime", "juan_pablo", "luis", "valeria"]
        health = runtime.timers.health()
        assert health.consecutive_failures == 0 and health.last_error is None
        assert health.last_sweep_at == clock.now()
        failures = [r for r in caplog.records if r.name == "bot.scheduler"]
        assert 2 <= len(failures) <= 3  # one line per failed sweep, no traceback
        assert all(r.exc_info is None and "timer sweep failed" in r.getMessage() and "\n" not in r.getMessage()
                   for r in failures)
        # ... and the timers go on: the 20-minute reminder fires as usual.
        clock.advance(timedelta(minutes=10))
        await runtime.timers.sweep()
        await runtime.outbox.drain()
        assert len(reminders(transport)) == 12


async def test_a_recurring_reminder_due_while_the_database_is_locked_is_sent_once_it_is_free(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 12, 1, 13, 0, tzinfo=UTC))  # 10:00 in Santiago, the Mailchimp slot
    async with runtime_with_short_busy_timeout(tmp_path, clock) as (runtime, transport):
        job = runtime.timers.scheduler.get_job("recurring-mailchimp")
        assert job is not None
        with write_lock_held(tmp_path / "crisis.db") as lock:
            job.modify(next_run_time=datetime.now(UTC))  # the cron fires now
            runtime.timers.scheduler.wakeup()
            await wait_until(lambda: runtime.timers.scheduler.get_job("recurring-retry-mailchimp") is not None)
            lock.execute("ROLLBACK")
        def monthly() -> list[str]:
            return sorted(r for r, m in transport.sent if m.text.startswith("🗓️ Recordatorio mensual"))

        await wait_until(lambda: "valeria" in monthly())
        await asyncio.sleep(0.3)  # no second copy from a retry
        await runtime.outbox.drain()
        assert {"cecilia", "luis", "valeria"} <= set(monthly()) and len(monthly()) == len(set(monthly()))
        assert runtime.timers.scheduler.get_job("recurring-mailchimp") is not None  # the cron job lives on
