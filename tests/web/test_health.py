"""GET /healthz as an uptime monitor sees it: 200 while the bot keeps its promise, 503 with
the reason when it is the bot that is down (docs/monitoring.md). The real app on a free
port, a manual clock, a recording chat transport."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.runtime import Runtime
from bot.scheduler import Backoff
from flows.clock import ManualClock
from flows.commands import Say
from persistence.database import make_engine
from tests.support import START, RecordingTransport, settings_for
from tests.web.server import ChatRecorder, free_port, serving


@dataclass
class Bot:
    runtime: Runtime
    client: httpx.AsyncClient
    clock: ManualClock

    async def health(self) -> tuple[int, dict[str, Any]]:
        response = await self.client.get("/healthz")
        return response.status_code, response.json()

    async def declare(self) -> None:
        await self.runtime.service.handle(Say("jaime", "ALERTA ROJA", "test"))
        await self.runtime.outbox.drain()


@asynccontextmanager
async def running(tmp_path: Path, chat: bool = True, **settings: Any) -> AsyncIterator[Bot]:
    clock = ManualClock(START)
    app = create_app(settings_for(tmp_path, **settings), features=[ChatRecorder()] if chat else [], clock=clock)
    port = free_port()
    async with serving(app, port), httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        yield Bot(app.state.runtime, client, clock)


async def test_a_healthy_bot_answers_200_with_its_figures(tmp_path: Path) -> None:
    async with running(tmp_path) as bot:
        status, body = await bot.health()
        assert status == 200
        assert body["ok"] is True and body["playbook"] == "fullpyme_contingencia" and body["problems"] == []
        assert body["timers"] == {"active": True, "running": True, "last_sweep_at": START.isoformat(),
                                  "consecutive_failures": 0, "last_error": None, "next_due_at": None,
                                  "overdue_seconds": 0.0}
        assert body["outbox"] == {"transports": ["test"], "oldest_undelivered_at": None,
                                  "oldest_undelivered_age_seconds": 0.0}
        await bot.declare()
        bot.clock.advance(timedelta(minutes=9))
        status, body = await bot.health()
        assert status == 200 and body["timers"]["next_due_at"] == (START + timedelta(minutes=10)).isoformat()


async def test_a_timer_overdue_and_not_fired_pages(tmp_path: Path) -> None:
    async with running(tmp_path) as bot:
        await bot.declare()
        bot.clock.advance(timedelta(minutes=10, seconds=120))  # nobody swept: the scheduler is stuck
        status, body = await bot.health()
        assert status == 200 and body["timers"]["overdue_seconds"] == 120.0
        bot.clock.advance(timedelta(seconds=1))
        status, body = await bot.health()
        assert status == 503 and body["ok"] is False and body["problems"] == ["timer_overdue"]
        assert body["timers"]["overdue_seconds"] == 121.0
        await bot.runtime.timers.sweep()  # fired: healthy again
        await bot.runtime.outbox.drain()
        assert (await bot.health())[0] == 200


async def test_the_overdue_threshold_is_a_setting_in_seconds(tmp_path: Path) -> None:
    async with running(tmp_path, health_timer_overdue_seconds=30) as bot:
        await bot.declare()
        bot.clock.advance(timedelta(minutes=10, seconds=31))
        assert (await bot.health())[1]["problems"] == ["timer_overdue"]


async def test_a_message_undelivered_for_too_long_pages(tmp_path: Path) -> None:
    async with running(tmp_path) as bot:
        bot.runtime.outbox.kick = lambda: None  # type: ignore[method-assign]  # the sender is stuck
        await bot.runtime.service.handle(Say("jaime", "estado", "test"))
        bot.clock.advance(timedelta(seconds=600))
        status, body = await bot.health()
        assert status == 200 and body["outbox"]["oldest_undelivered_age_seconds"] == 600.0
        bot.clock.advance(timedelta(seconds=1))
        status, body = await bot.health()
        assert status == 503 and body["problems"] == ["outbox_stuck"]
        assert body["outbox"]["oldest_undelivered_at"] == START.isoformat()
        await bot.runtime.outbox.drain()
        assert (await bot.health())[0] == 200


async def test_a_sweep_failing_again_and_again_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(tmp_path) as bot:
        bot.runtime.timers.backoff = Backoff(base_seconds=60, max_seconds=60)  # no retry during the test

        async def locked(**_: object) -> int:  # the keywords bot/scheduler.py passes
            raise sqlite3.OperationalError("database is locked")

        monkeypatch.setattr(bot.runtime.service, "fire_due_timers", locked)
        for _ in range(2):
            await bot.runtime.timers.sweep()
        status, body = await bot.health()
        assert status == 200 and body["timers"]["consecutive_failures"] == 2
        await bot.runtime.timers.sweep()
        status, body = await bot.health()
        assert status == 503 and body["problems"] == ["sweep_failing"]
        assert body["timers"]["last_error"] == "OperationalError: database is locked"
        monkeypatch.undo()
        await bot.runtime.timers.sweep()
        assert (await bot.health())[0] == 200


async def test_a_stopped_scheduler_pages(tmp_path: Path) -> None:
    async with running(tmp_path) as bot:
        bot.runtime.timers.scheduler.shutdown(wait=False)
        status, body = await bot.health()
        assert status == 503 and body["problems"] == ["scheduler_stopped"]


async def test_a_database_that_does_not_answer_pages(tmp_path: Path) -> None:
    async with running(tmp_path) as bot:
        real = bot.runtime.db
        bot.runtime.db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'crisis.db'}")
        try:
            status, body = await bot.health()
        finally:
            await bot.runtime.db.dispose()
            bot.runtime.db = real
        assert status == 503 and body["problems"] == ["database_unreachable"]
        assert body["playbook"] == "fullpyme_contingencia" and "database_error" in body


async def test_a_web_only_process_pages_when_the_process_that_fires_the_timers_is_down(tmp_path: Path) -> None:
    """`crisisbot run` declared and then died; the web process does not fire the timers
    (it cannot deliver them) but sees that nobody did."""
    async with running(tmp_path, chat=False) as web:
        status, body = await web.health()
        assert status == 200 and body["timers"]["active"] is False and body["timers"]["running"] is False
        terminal = await Runtime.build(web.runtime.settings, transports={"terminal": RecordingTransport(name="terminal")},
                                       clock=web.clock)
        await terminal.start()
        await terminal.service.handle(Say("jaime", "ALERTA ROJA", "terminal"))
        await terminal.outbox.drain()
        await terminal.stop()
        web.clock.advance(timedelta(minutes=12, seconds=1))
        status, body = await web.health()
        assert status == 503 and body["problems"] == ["timer_overdue"]
