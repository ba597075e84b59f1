"""APScheduler wiring. Timers are rows; one date job sweeps the due ones and re-arms
itself for the next `due_at`. Cron jobs run the playbook's recurring reminders, read as
crontab reads them (flows/crontab.py), and a slot missed while no process ran fires once
on start-up.

A sweep or a recurring reminder that fails (the database locked by another process for
longer than its busy timeout, a connection lost) never stops the timers: it is tried again
with a bounded exponential backoff (1 s, 2 s, 4 s ... at most 60 s), one log line per
failure, and the failures show in `/healthz` (bot/health.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import drill_ahead
from bot.service import CrisisService
from flows.crontab import Crontab
from flows.drill_start import ScheduleState
from flows.messages import SetTimer
from flows.playbook import Recurring
from flows.world import Outcome
from persistence import drill as drill_reads
from persistence import repository as repo
from persistence.database import reading, writing

log = logging.getLogger(__name__)

SWEEP_JOB = "timer-sweep"
LOOK_AGAIN_JOB = "timer-look-again"
LOOK_AGAIN_SECONDS = 15.0  # a sweep at least this often: rows other processes committed (bot/drill_cli.py)
MAX_ROUNDS = 50  # rounds of one sweep at most while timers keep falling due (then it re-arms)
AGAIN_SECONDS = 0.05  # ... this much later, when this sweep's job has ended


@dataclass(frozen=True)
class Backoff:
    """Seconds to wait before the next try after `failures` consecutive failures:
    base, 2 x base, 4 x base ... never more than `max_seconds`."""

    base_seconds: float = 1.0
    max_seconds: float = 60.0

    def delay(self, failures: int) -> float:
        return float(min(self.base_seconds * 2 ** max(failures - 1, 0), self.max_seconds))


@dataclass(frozen=True)
class TimerHealth:
    """What `/healthz` says of this process's timers. Times are UTC (the bot's clock).

    `active`: this process fires timers (it has a chat transport to deliver them).
    `last_sweep_at`: the end of the last sweep that succeeded (None: none yet).
    `consecutive_failures`: sweeps failed in a row since the last success.
    `last_error`: the newest failure's type and message, while failing.
    `running`: APScheduler's loop is alive."""

    active: bool
    running: bool
    last_sweep_at: datetime | None
    consecutive_failures: int
    last_error: str | None


class CrontabTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 ships no type hints
    """An APScheduler trigger that fires when crontab would: the next firing is
    `Crontab.next_after` (flows/crontab.py), read in the playbook's time zone.

    Why not APScheduler's CronTrigger, even fed explicit lists: across a daylight-saving
    change it departs from cron(8) (man7.org/linux/man-pages/man8/cron.8.html: «jobs which
    would have run in the time that was skipped will be run soon after the change ... those
    that fall into the repeated time will not be re-run»). In America/Santiago, where the
    skipped hour is Sunday 00:00-00:59, CronTrigger drops `@weekly` and `0 0 * * *` on
    that Sunday altogether, and fires `30 23 * * *` twice the night the clocks go back."""

    def __init__(self, crontab: Crontab, timezone: str) -> None:
        self.crontab = crontab
        self.timezone = ZoneInfo(timezone)

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        """The first firing at or after `now` and after `previous_fire_time` (aware), UTC."""
        after = now - timedelta(microseconds=1)
        if previous_fire_time is not None and previous_fire_time > after:
            after = previous_fire_time
        return self.crontab.next_after(after, self.timezone)

    def __str__(self) -> str:
        return f"crontab[{self.crontab.expression}, {self.timezone.key}]"


def cron_trigger(crontab: Crontab, timezone: str) -> BaseTrigger:
    """An APScheduler trigger that fires when crontab would (`CrontabTrigger`)."""
    return CrontabTrigger(crontab, timezone)


class TimerScheduler:
    """`active=False` (a process without any chat transport): it fires nothing, so no
    reminder is written for a channel this process cannot deliver; a process that has one
    fires them (`crisisbot run` beside a web-only `crisisbot serve`).

    `drill=False` (every process but the terminal): the timers of a crisis on simulated
    time (`crises.clock_offset`, set by the terminal's /avanzar) are left alone, since they
    are due on the terminal's clock, not on this one; it says so once per crisis in its log
    and `/healthz` lists them (bot/health.py). The terminal (`drill=True`) fires them on its simulated clock."""

    def __init__(
        self, service: CrisisService, scheduler: AsyncIOScheduler | None = None, active: bool = True,
        backoff: Backoff = Backoff(), drill: bool = False,
    ) -> None:
        self.service = service
        self.scheduler = scheduler or AsyncIOScheduler(timezone="UTC")
        self.active = active
        self.drill = drill
        self._left_to_terminal: set[str] = set()  # crises already named in the log
        self.backoff = backoff
        self.tz = ZoneInfo(service.playbook.timezone)
        self._sweeping = asyncio.Lock()
        self._stopped = False
        self._armed_for: datetime | None = None  # the due_at the sweep job is set for
        self._retrying = False  # the sweep job is a retry after a failure
        self._brought_forward = False  # ... already moved to now by a commit
        self._last_sweep_at: datetime | None = None
        self._failures = 0
        self._last_error: str | None = None

    def health(self) -> TimerHealth:
        return TimerHealth(self.active, self.scheduler.running, self._last_sweep_at, self._failures, self._last_error)

    async def start(self) -> None:
        """Schedule the recurring reminders, fire a slot missed while down, fire whatever
        is overdue, arm the next sweep. Nothing of it when the process is not active."""
        if not self.active:
            return
        for recurring in self.service.playbook.recurring:
            self.scheduler.add_job(
                self._fire_recurring, cron_trigger(recurring.crontab, self.service.playbook.timezone),
                args=[recurring], id=f"recurring-{recurring.id}", replace_existing=True,
                coalesce=True, misfire_grace_time=None,  # a paused process fires a late slot, once
            )
        # What other processes committed (`crisisbot simulacro`: a drill started or scheduled,
        # its timers) is found by a sweep at least this often.
        self.scheduler.add_job(self._look_again, IntervalTrigger(seconds=LOOK_AGAIN_SECONDS), id=LOOK_AGAIN_JOB,
                               replace_existing=True, coalesce=True, misfire_grace_time=None)
        if not self.scheduler.running:
            self.scheduler.start()
        for recurring in self.service.playbook.recurring:
            await self._catch_up(recurring)
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
        re-arms itself from the rows. While sweeps fail, a commit that went through says
        the database answers again: the retry is brought forward to now."""
        if not self.active:
            return
        if self._retrying:
            if not self._brought_forward:  # once per failure: a sweep that fails for another reason
                self._brought_forward = True  # must not run (and log) at every commit
                self._arm_real(datetime.now(UTC))
            return
        due = [op.due_at for op in outcome.timer_ops if isinstance(op, SetTimer)]
        due += [d.due_at for d in outcome.drill_schedule if d.state == ScheduleState.PENDING]  # a drill scheduled ahead
        if due and (self._armed_for is None or min(due) < self._armed_for):
            self._arm(min(due))

    async def sweep(self) -> int:
        """Fire every due timer, then re-arm for the next one. Never raises: a failure
        (any: the sweep is the top of the timers' work, nobody above it could do better)
        is logged in one line and the sweep is tried again after `backoff`."""
        if self._stopped or not self.active:
            return 0
        async with self._sweeping:
            try:
                fired = 0
                for _ in range(MAX_ROUNDS):
                    fired += await self.service.fire_due_timers(real_time_only=not self.drill)
                    fired += await drill_ahead.start_due(self.service)  # drills scheduled ahead (issue 14)
                    async with reading(self.service.db) as conn:
                        next_at = await repo.next_due(conn, real_time_only=not self.drill)
                        if not self.drill:
                            self._note_drills(await drill_reads.simulated_crises(conn))
                    next_at = _earliest(next_at, await drill_ahead.next_due(self.service))
                    # Timers that fell due while this sweep ran are fired now: a job armed for
                    # a moment already past, from inside the running job, would be skipped by
                    # APScheduler (one instance at a time) and nothing would arm it again.
                    if next_at is None or next_at > self.service.clock.now():
                        break
            except Exception as exc:  # noqa: BLE001 -- retried below, reported in /healthz
                self._failures += 1
                self._last_error = one_line(exc)
                delay = self.backoff.delay(self._failures)
                log.warning("timer sweep failed (%d in a row): %s; next try in %.1f s",
                            self._failures, self._last_error, delay)
                self._retrying, self._brought_forward = True, False
                self._arm_real(datetime.now(UTC) + timedelta(seconds=delay))
                return 0
            self._failures, self._last_error, self._retrying = 0, None, False
            self._last_sweep_at = self.service.clock.now()
            if next_at is None:
                self._disarm()
            elif next_at <= self.service.clock.now():  # MAX_ROUNDS spent: a fresh job, once this one ends
                self._armed_for = next_at
                self._arm_real(datetime.now(UTC) + timedelta(seconds=AGAIN_SECONDS))
            else:
                self._arm(next_at)
        return fired

    async def rearm(self) -> None:
        """Arm the sweep for the next pending timer (a failed read: a sweep retries it)."""
        if self._stopped or not self.active:
            return
        try:
            async with reading(self.service.db) as conn:
                next_at = await repo.next_due(conn, real_time_only=not self.drill)
            next_at = _earliest(next_at, await drill_ahead.next_due(self.service))
        except Exception as exc:  # noqa: BLE001 -- the sweep retries and reports it
            log.warning("re-arming the timer sweep failed: %s; sweeping in %.1f s", one_line(exc),
                        self.backoff.base_seconds)
            self._retrying = True
            self._arm_real(datetime.now(UTC) + timedelta(seconds=self.backoff.base_seconds))
            return
        if next_at is None:
            self._disarm()
        else:
            self._arm(next_at)

    async def _look_again(self) -> None:
        """The periodic sweep (LOOK_AGAIN_SECONDS): what another process committed without
        arming this one's sweep. Not while a failed sweep waits for its retry."""
        if not self._retrying:
            await self.sweep()

    def _note_drills(self, crisis_ids: list[str]) -> None:
        """Say once per crisis that its timers are left to the terminal that runs it."""
        for crisis_id in crisis_ids:
            if crisis_id not in self._left_to_terminal:
                self._left_to_terminal.add(crisis_id)
                log.warning("crisis %s runs on simulated time (a drill in crisisbot run): this process leaves its "
                            "timers to the terminal", crisis_id)

    def _disarm(self) -> None:
        self._armed_for = None
        if self.scheduler.get_job(SWEEP_JOB):
            self.scheduler.remove_job(SWEEP_JOB)

    def _arm(self, due_at: datetime) -> None:
        if self._stopped:
            return
        self._armed_for = due_at
        self._arm_real(self.service.clock.to_real(due_at))

    def _arm_real(self, run_at: datetime) -> None:
        """The sweep job at a wall-clock moment (UTC)."""
        if self._stopped:
            return
        # Two instances: a sweep re-arms at its very end, and a job falling due before
        # APScheduler has counted that sweep's run as ended would otherwise be skipped
        # («maximum number of running instances reached»), leaving every timer unfired
        # (bench/cases_scale.py: 723 of 750). The second waits for `_sweeping`.
        self.scheduler.add_job(
            self.sweep, DateTrigger(run_date=run_at), id=SWEEP_JOB, replace_existing=True,
            misfire_grace_time=None, coalesce=True, max_instances=2,
        )

    # recurring reminders ----------------------------------------------------

    async def _fire_recurring(self, recurring: Recurring, slot: datetime | None = None, failures: int = 0) -> None:
        """Send a recurring reminder for its slot (default: the latest one at or before
        now, which a late run still finds) and remember the slot; retried on failure."""
        if self._stopped:
            return
        slot = slot or recurring.crontab.latest_at_or_before(self.service.clock.now(), self.tz)
        if slot is None:
            return
        await self._retrying_on_failure(f"recurring reminder {recurring.id}", f"recurring-retry-{recurring.id}",
                                        lambda: self.service.recurring_due(recurring.id, slot), failures,
                                        self._fire_recurring, recurring, slot)

    async def _catch_up(self, recurring: Recurring, failures: int = 0) -> None:
        """On start-up: a slot that passed since the last one fired (the process was down)
        fires once, keyed by that slot so that replicas catching up together send it once.
        A reminder never fired before starts counting from now (nothing is fired)."""

        async def check() -> None:
            now = self.service.clock.now()
            latest = recurring.crontab.latest_at_or_before(now, self.tz)
            if latest is None:
                return
            async with reading(self.service.db) as conn:
                last = await repo.recurring_slot(conn, self.service.playbook.id, recurring.id)
            if last is None:
                async with writing(self.service.db) as conn:
                    await repo.record_recurring_slot(conn, self.service.playbook.id, recurring.id, latest, now)
            elif last < latest:
                log.info("recurring reminder %s missed its %s slot while down: firing it once", recurring.id,
                         latest.isoformat())
                await self.service.recurring_due(recurring.id, latest)

        await self._retrying_on_failure(f"catching up recurring reminder {recurring.id}",
                                        f"recurring-retry-{recurring.id}", check, failures, self._catch_up, recurring)

    async def _retrying_on_failure(
        self, what: str, job_id: str, work: Callable[[], Awaitable[None]], failures: int,
        again: Callable[..., Awaitable[None]], *args: Any,
    ) -> None:
        """Run `work`; if it fails, log one line and schedule `again(*args, failures)`
        after the backoff (a coroutine function, which APScheduler awaits)."""
        try:
            await work()
        except Exception as exc:  # noqa: BLE001 -- tried again after the backoff, one line per failure
            failures += 1
            delay = self.backoff.delay(failures)
            log.warning("%s failed (%d in a row): %s; next try in %.1f s", what, failures, one_line(exc), delay)
            if not self._stopped:
                self.scheduler.add_job(again, DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=delay)),
                                       args=[*args, failures], id=job_id, replace_existing=True,
                                       misfire_grace_time=None)


def _earliest(*moments: datetime | None) -> datetime | None:
    """The earliest of the moments given (None: none given)."""
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def one_line(exc: BaseException) -> str:
    """`Type: message` on one line, at most 300 characters (SQLAlchemy adds the SQL and a
    link on further lines)."""
    first = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:300]
