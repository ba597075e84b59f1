"""APScheduler wiring. Timers are rows; one date job sweeps the due ones and re-arms
itself for the next `due_at`. Cron jobs run the playbook's recurring reminders."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot.service import CrisisService
from flows.messages import SetTimer
from flows.world import Outcome
from persistence import repository as repo
from persistence.database import reading

log = logging.getLogger(__name__)

SWEEP_JOB = "timer-sweep"


class TimerScheduler:
    def __init__(self, service: CrisisService, scheduler: AsyncIOScheduler | None = None) -> None:
        self.service = service
        self.scheduler = scheduler or AsyncIOScheduler(timezone="UTC")
        self._sweeping = asyncio.Lock()
        self._stopped = False
        self._armed_for: datetime | None = None  # the due_at the sweep job is set for

    async def start(self) -> None:
        """Schedule the recurring reminders, fire whatever is overdue, arm the next sweep."""
        for recurring in self.service.playbook.recurring:
            self.scheduler.add_job(
                self.service.recurring_due, CronTrigger.from_crontab(recurring.cron, timezone=self.service.playbook.timezone),
                args=[recurring.id], id=f"recurring-{recurring.id}", replace_existing=True, coalesce=True,
            )
        if not self.scheduler.running:
            self.scheduler.start()
        await self.sweep()

    async def stop(self) -> None:
        """No new sweeps; let the one in flight finish its transaction."""
        self._stopped = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        async with self._sweeping:
            pass

    async def after_commit(self, outcome: Outcome) -> None:
        """A new timer earlier than the one armed moves the sweep forward; no query needed.
        A cancelled timer may leave the sweep armed early: it then finds nothing due and
        re-arms itself from the rows."""
        due = [op.due_at for op in outcome.timer_ops if isinstance(op, SetTimer)]
        if due and (self._armed_for is None or min(due) < self._armed_for):
            self._arm(min(due))

    async def sweep(self) -> int:
        if self._stopped:
            return 0
        async with self._sweeping:
            fired = await self.service.fire_due_timers()
            await self.rearm()
        return fired

    async def rearm(self) -> None:
        if self._stopped:
            return
        async with reading(self.service.db) as conn:
            next_at = await repo.next_due(conn)
        if next_at is None:
            self._armed_for = None
            if self.scheduler.get_job(SWEEP_JOB):
                self.scheduler.remove_job(SWEEP_JOB)
            return
        self._arm(next_at)

    def _arm(self, due_at: datetime) -> None:
        if self._stopped:
            return
        self._armed_for = due_at
        self.scheduler.add_job(
            self.sweep, DateTrigger(run_date=self.service.clock.to_real(due_at)), id=SWEEP_JOB, replace_existing=True,
            misfire_grace_time=None, coalesce=True,
        )
