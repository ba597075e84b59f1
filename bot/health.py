"""`GET /healthz`: whether the bot is alive enough to keep its promise, for an external
uptime monitor (docs/monitoring.md). 200 when all is well; 503 when something is wrong
enough to page someone: a timer overdue and not fired, a message waiting undelivered too
long, the timer sweep failing again and again, the scheduler stopped, or the database not
answering. The body says which (`problems`) and the figures behind it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.settings import Settings
from persistence import drill as drill_reads
from persistence import health as health_reads
from persistence import repository as repo
from persistence.database import reading

if TYPE_CHECKING:
    from bot.runtime import Runtime

DATABASE_TIMEOUT_SECONDS = 5.0
"""A database that does not answer the health reads within this is reported unreachable
(monitors usually give up after 10-30 s)."""

TIMER_OVERDUE, OUTBOX_STUCK, SWEEP_FAILING = "timer_overdue", "outbox_stuck", "sweep_failing"
SCHEDULER_STOPPED, DATABASE_UNREACHABLE = "scheduler_stopped", "database_unreachable"


@dataclass(frozen=True)
class Thresholds:
    """When to answer 503 (HEALTH_* settings)."""

    timer_overdue_seconds: float = 120.0
    outbox_age_seconds: float = 600.0
    sweep_failures: int = 3

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        return cls(settings.health_timer_overdue_seconds, settings.health_outbox_age_seconds,
                   settings.health_sweep_failures)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


async def check(runtime: Runtime, thresholds: Thresholds) -> tuple[bool, dict[str, Any]]:
    """(healthy, body). The body keeps `ok` and `playbook` of the first /healthz and adds
    `problems` (codes, empty when healthy), `timers` and `outbox`; times are ISO 8601 UTC
    on the bot's clock, ages and delays in seconds."""
    now = runtime.clock.now()
    problems: list[str] = []
    sweep = runtime.timers.health()
    timers: dict[str, Any] = {
        "active": sweep.active, "running": sweep.running, "last_sweep_at": _iso(sweep.last_sweep_at),
        "consecutive_failures": sweep.consecutive_failures, "last_error": sweep.last_error,
        "next_due_at": None, "overdue_seconds": 0.0,
    }
    if not sweep.active:
        timers["reason"] = "no chat transport in this process: a process with one (crisisbot run, serve with " \
                           "Slack or WhatsApp) fires the timers"
    outbox: dict[str, Any] = {"transports": sorted(runtime.service.router.transports),
                              "oldest_undelivered_at": None, "oldest_undelivered_age_seconds": 0.0}
    try:
        next_due, oldest, drills = await asyncio.wait_for(_reads(runtime), DATABASE_TIMEOUT_SECONDS)
    except Exception as exc:  # noqa: BLE001 -- a database that does not answer is what this reports
        problems.append(DATABASE_UNREACHABLE)
        body_error = f"{type(exc).__name__}: {exc}"[:300]
        return False, {"ok": False, "playbook": runtime.playbook.id, "problems": problems, "timers": timers,
                       "outbox": outbox, "database_error": body_error}
    if drills:  # their timers are due on the terminal's simulated clock: `crisisbot run` fires them
        timers["left_to_terminal"] = drills
    if next_due is not None:
        timers["next_due_at"] = _iso(next_due)
        timers["overdue_seconds"] = max((now - next_due).total_seconds(), 0.0)
        if timers["overdue_seconds"] > thresholds.timer_overdue_seconds:
            problems.append(TIMER_OVERDUE)
    if oldest is not None:
        outbox["oldest_undelivered_at"] = _iso(oldest)
        outbox["oldest_undelivered_age_seconds"] = max((now - oldest).total_seconds(), 0.0)
        if outbox["oldest_undelivered_age_seconds"] > thresholds.outbox_age_seconds:
            problems.append(OUTBOX_STUCK)
    if sweep.consecutive_failures >= thresholds.sweep_failures:
        problems.append(SWEEP_FAILING)
    if sweep.active and not sweep.running:
        problems.append(SCHEDULER_STOPPED)
    return not problems, {"ok": not problems, "playbook": runtime.playbook.id, "problems": problems,
                          "timers": timers, "outbox": outbox}


async def _reads(runtime: Runtime) -> tuple[datetime | None, datetime | None, list[str]]:
    """The next timer this process would fire, the oldest undelivered message, and the open
    crises on simulated time whose timers it leaves to the terminal (bot/scheduler.py)."""
    real_time_only = not runtime.timers.drill
    async with reading(runtime.db) as conn:
        drills = await drill_reads.simulated_crises(conn) if real_time_only else []
        return (await repo.next_due(conn, real_time_only=real_time_only), await health_reads.oldest_undelivered(conn),
                drills)
