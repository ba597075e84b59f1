"""Wiring: settings -> database (migrated) -> files -> service, outbox, scheduler."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import SystemClock
from bot.loading import load_all
from bot.outbox import OutboxSender, Transport
from bot.routing import Router
from bot.scheduler import TimerScheduler
from bot.service import CrisisService
from bot.settings import Settings
from flows.clock import Clock
from flows.directory import Directory
from flows.playbook import Playbook
from persistence.database import make_engine, migrate, warm_up

MAKE_WAY_SECONDS = 0.5
"""How long a delivery waits at most for the inbound work under way (bot/priority.py)."""


@dataclass
class Runtime:
    settings: Settings
    db: AsyncEngine
    playbook: Playbook
    directory: Directory
    clock: Clock
    service: CrisisService
    outbox: OutboxSender
    timers: TimerScheduler

    @classmethod
    async def build(
        cls, settings: Settings, transports: Mapping[str, Transport], clock: Clock | None = None,
        concurrency: int = 1,
    ) -> Runtime:
        """Load and check the files first (a broken file stops the start-up), then the database."""
        playbook, directory = load_all(settings.playbook, settings.directory)
        assert directory is not None
        db = make_engine(settings.database_url)
        await migrate(db)
        clock = clock or SystemClock()
        router = Router(directory, transports)
        service = CrisisService(db, playbook, directory, clock, router, group_lang=settings.lang)
        outbox = OutboxSender(db, clock, router.transport, settings.outbox_max_attempts, concurrency,
                              make_way=lambda: service.inbound.quiet(MAKE_WAY_SECONDS))
        timers = TimerScheduler(service)
        service.after_commit += [outbox.after_commit, timers.after_commit]
        return cls(settings, db, playbook, directory, clock, service, outbox, timers)

    async def start(self) -> None:
        """Deliver what a crash left undelivered, fire overdue timers, arm the next ones."""
        await warm_up(self.db, self.outbox.concurrency + 2)
        await self.outbox.drain()
        await self.timers.start()
        await self.outbox.drain()

    async def stop(self) -> None:
        await self.timers.stop()
        await self.outbox.stop()
        await self.db.dispose()
