"""Wiring: settings -> database (migrated) -> files -> service, outbox, scheduler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import SystemClock
from bot.contact import ContactWatcher
from bot.inbox import Inbox
from bot.outbox import OutboxSender, Transport
from bot.playbooks import load_playbooks
from bot.processes import Heartbeat
from bot.reload import DirectoryReload
from bot.routing import Router
from bot.scheduler import TimerScheduler
from bot.service import CrisisService
from bot.settings import Settings
from flows.clock import Clock
from flows.directory import Directory
from flows.playbook import Playbook
from persistence.database import warm_up
from persistence.spool import Spool
from persistence.startup import open_database

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
    # Called with (old, new) when a changed directory file is put in use (bot/reload.py):
    # Slack looks new and changed people up again.
    directory_listeners: list[Callable[[Directory, Directory], Awaitable[None]]] = field(default_factory=list)
    reload: DirectoryReload | None = None
    playbooks: dict[str, Playbook] = field(default_factory=dict)  # every playbook running, the crisis one first (issue 12)
    playbook_paths: dict[str, Path] = field(default_factory=dict)  # the file of each, by playbook id

    @classmethod
    async def build(
        cls, settings: Settings, transports: Mapping[str, Transport], clock: Clock | None = None,
        concurrency: int = 1, drill: bool = False,
    ) -> Runtime:
        """Load and check the files first (a broken file stops the start-up), then the database
        (opened and migrated; raises DatabaseProblem with the line to print). `drill`: the
        terminal, which fires the timers of crises on simulated time (bot/scheduler.py)."""
        loaded = load_playbooks(settings)
        playbook, directory = loaded.crisis, loaded.directory
        db = await open_database(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms,
                                 retry_seconds=settings.database_startup_retry_seconds, lang=settings.lang)
        clock = clock or SystemClock()
        router = Router(directory, transports)
        service = CrisisService(db, playbook, directory, clock, router, group_lang=settings.lang, cases=loaded.cases)
        outbox = OutboxSender(db, clock, router.transports, settings.outbox_max_attempts, concurrency,
                              make_way=lambda: service.inbound.quiet(MAKE_WAY_SECONDS),
                              heartbeat=Heartbeat.from_settings(settings))
        router.peers = outbox.peers  # rows go through any live process's channels (bot/routing.py)
        timers = TimerScheduler(service, active=bool(transports), drill=drill)  # no chat transport: fires no timer
        service.after_commit += [outbox.after_commit, timers.after_commit]
        inbox = Inbox(Spool(settings.inbox_path), service, timedelta(minutes=settings.inbox_give_up_minutes),
                      retry_first=settings.inbox_retry_seconds)
        contact = ContactWatcher(service, transports)
        outbox.drained = contact.poke
        return cls(settings, db, playbook, directory, clock, service, outbox, timers, inbox=inbox, contact=contact,
                   playbooks=loaded.all, playbook_paths=loaded.paths)

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
        others = [(self.playbook_paths[pid], pb) for pid, pb in self.playbooks.items() if pid != self.playbook.id]
        self.reload = DirectoryReload(self.settings.directory, self.playbook,
                                      self.playbook_paths.get(self.playbook.id, self.settings.playbook),
                                      lambda: self.directory, self.use_directory, self.settings.lang,
                                      self.settings.directory_reload_seconds, others=others)
        self.reload.start()

    async def use_directory(self, directory: Directory) -> None:
        """Put a new (validated) directory in use everywhere: the service (its next command
        reads the world again), the router, the transports that keep one, then the listeners."""
        directory = directory.scoped_to(self.playbook.roles)  # «todos»: the crisis plan's staff (bot/playbooks.py)
        old, self.directory = self.directory, directory
        self.service.directory = self.service.router.directory = directory
        for transport in self.service.router.transports.values():
            if isinstance(getattr(transport, "directory", None), Directory):
                transport.directory = directory  # type: ignore[attr-defined]  # the terminal's
        for listener in self.directory_listeners:
            await listener(old, directory)

    async def stop(self) -> None:
        if self.reload is not None:
            await self.reload.stop()
        await self.inbox.stop()
        await self.timers.stop()
        await self.contact.stop()
        await self.outbox.stop()
        await self.db.dispose()
