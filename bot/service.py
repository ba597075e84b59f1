"""Runs engine commands: one command, one transaction, then the after-commit hooks."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.routing import Router
from flows import engine as crisis_engine
from flows.clock import Clock
from flows.commands import Command, RecurringDue, TimerFired
from flows.directory import Directory
from flows.messages import OutMessage
from flows.playbook import Playbook
from flows.world import Links, Outcome, World
from persistence import repository as repo
from persistence.database import write_transaction

log = logging.getLogger(__name__)

AfterCommit = Callable[[Outcome], Awaitable[None]]


class CrisisService:
    def __init__(
        self, db: AsyncEngine, playbook: Playbook, directory: Directory, clock: Clock, router: Router,
        group_lang: str = "es", new_id: Callable[[], str] = lambda: secrets.token_hex(4),
    ) -> None:
        self.db = db
        self.playbook = playbook
        self.directory = directory
        self.clock = clock
        self.router = router
        self.group_lang = group_lang
        self.tz = ZoneInfo(playbook.timezone)
        self.new_id = new_id
        self.after_commit: list[AfterCommit] = []
        self.links: Links | None = None  # set where the dashboard is served (handlers/web)
        # aiogram style: commands on one crisis run one at a time in this process; the
        # write transaction serialises them across processes too.
        self._lock = asyncio.Lock()

    async def handle(self, command: Command, event_key: str | None = None) -> Outcome | None:
        """Handle a command; None when `event_key` was already processed (a retry)."""
        async with self._lock:
            now = self.clock.now()
            async with write_transaction(self.db, self.playbook.id) as conn:
                if event_key is not None and not await repo.mark_processed(conn, event_key, now):
                    log.info("skipping repeated event %s", event_key)
                    return None
                world = await repo.load_world(conn, self.playbook, self.directory, now, self.new_id, self.group_lang,
                                              with_log=_log_check(command))
                world.links = self.links
                outcome = crisis_engine.handle(world, command)
                await repo.apply(conn, world, outcome, self.router.plan)
        await self._committed(outcome)
        return outcome

    async def fire_due_timers(self) -> int:
        """Fire every timer due by now. Each is claimed atomically inside the transaction
        that acts on it, so a restart, a late job or a second replica never fires it twice."""
        now = self.clock.now()
        async with self.db.connect() as conn:
            due = await repo.due_timers(conn, now)
        fired = 0
        for timer in due:
            async with self._lock:
                now = self.clock.now()
                async with write_transaction(self.db, self.playbook.id) as conn:
                    if not await repo.claim_timer(conn, timer.id, now):
                        continue
                    command = TimerFired(timer.crisis_id, timer.step_id, timer.kind, timer.seq, timer.due_at)
                    world = await repo.load_world(conn, self.playbook, self.directory, now, self.new_id, self.group_lang,
                                                  with_log=_log_check(command))
                    world.links = self.links
                    outcome = crisis_engine.handle(world, command)
                    await repo.apply(conn, world, outcome, self.router.plan)
            fired += 1
            await self._committed(outcome)
        return fired

    async def recurring_due(self, recurring_id: str) -> None:
        """A cron reminder; keyed by the minute so that replicas send it once."""
        key = f"recurring:{recurring_id}:{self.clock.now():%Y%m%d%H%M}"
        await self.handle(RecurringDue(recurring_id), event_key=key)

    async def latest_buttons(self, person: str, via: str) -> OutMessage | None:
        async with self.db.connect() as conn:
            return await repo.latest_buttons_for(conn, person, via)

    async def awaiting_answer(self, person: str) -> bool:
        """Whether the person's next message answers a question (a ticket number...)."""
        async with self.db.connect() as conn:
            crisis_id = await repo.open_crisis_id(conn, self.playbook.id)
            crisis = await repo.load_crisis(conn, crisis_id) if crisis_id else None
        return crisis is not None and any(task.asking == person for task in crisis.tasks.values())

    async def _committed(self, outcome: Outcome) -> None:
        for hook in self.after_commit:
            await hook(outcome)


def _log_check(command: Command) -> Callable[[World], bool]:
    return lambda world: crisis_engine.needs_log(world, command)
