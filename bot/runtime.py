"""Wiring: settings -> database (migrated) -> files -> service, outbox, scheduler."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import SystemClock
from bot.contact import ContactWatcher
from bot.inbox import Inbox
from bot.loading import load_all
from bot.outbox import OutboxSender, Transport
from bot.processes import Heartbeat
from bot.routing import Router
from bot.scheduler import TimerScheduler
from bot.service import CrisisService
from bot.settings import Settings
from flows.clock import Clock
from flows.directory import Directory
from flows.playbook import Playbook
from persistence.database import make_engine, migrate, warm_up
from persistence.spool import Spool

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
    inbox: Inbox  # inbound commands kept while the database cannot take them (bot/inbox.py)
    contact: ContactWatcher  # tells the coordinators about people nobody can reach (bot/contact.py)

    @classmethod
    async def build(
        cls, settings: Settings, transports: Mapping[str, Transport], clock: Clock | None = None,
        concurrency: int = 1,
    ) -> Runtime:
        """Load and check the files first (a broken file stops the start-up), then the database."""
        playbook, directory = load_all(settings.playbook, settings.directory)
        assert directory is not None
        db = make_engine(settings.database_url, settings.sqlite_busy_timeout_ms)
        await migrate(db)
        clock = clock or SystemClock()
        router = Router(directory, transports)
        service = CrisisService(db, playbook, directory, clock, router, group_lang=settings.lang)
        outbox = OutboxSender(db, clock, router.transports, settings.outbox_max_attempts, concurrency,
                              make_way=lambda: service.inbound.quiet(MAKE_WAY_SECONDS),
                              heartbeat=Heartbeat.from_settings(settings))
        timers = TimerScheduler(service, active=bool(transports))  # no chat transport: fires no timer
        service.after_commit += [outbox.after_commit, timers.after_commit]
        inbox = Inbox(Spool(settings.inbox_path), service, timedelta(minutes=settings.inbox_give_up_minutes),
                      retry_first=settings.inbox_retry_seconds)
        contact = ContactWatcher(service, transports)
        outbox.drained = contact.poke
        return cls(settings, db, playbook, directory, clock, service, outbox, timers, inbox=inbox, contact=contact)

    async def start(self) -> None:
        """Replay the commands a crash left in the inbox, deliver what it left undelivered,
        fire overdue timers, arm the next ones."""
        await self.inbox.start()
        await warm_up(self.db, self.outbox.concurrency + 2)
        await self.outbox.start()  # this process's heartbeat; leases of dead ones freed
        await self.outbox.drain()
        await self.timers.start()
        self.contact.start(self.timers.scheduler)
        await self.outbox.drain()

    async def stop(self) -> None:
        await self.inbox.stop()
        await self.timers.stop()
        await self.contact.stop()
        await self.outbox.stop()
        await self.db.dispose()
