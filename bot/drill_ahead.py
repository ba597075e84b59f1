"""Starting the drills scheduled ahead when due (issue 14 point 1), from the timer sweep
(bot/scheduler.py).

Each due drill is sent to the engine as `StartDrill(declarer, description, "programado")`,
keyed by the row, in one transaction that also takes the row out of `pending` (flows/
drill_ahead.py `start_scheduled`): two replicas sweeping together start it once, and a
restart finds it still waiting if the process died before that commit. A due row the engine
could not take (its declarer left the directory) is settled here as skipped, so it is
never swept again."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.service import CrisisService
from flows.commands import StartDrill
from flows.drill_ahead import SCHEDULED_CHANNEL
from flows.drill_start import ScheduleState
from persistence import drill_schedule as store
from persistence.database import reading, writing

log = logging.getLogger(__name__)


async def start_due(service: CrisisService) -> int:
    """Start (or skip, telling the declarer) every scheduled drill due by the service's
    clock; returns how many were due."""
    now = service.clock.now()
    async with reading(service.db) as conn:
        due = await store.due(conn, service.playbook.id, now)
    for drill in due:
        await service.handle(StartDrill(drill.declared_by, drill.description, SCHEDULED_CHANNEL, drill.injects),
                             event_key=f"drill-schedule:{drill.id}")
        async with writing(service.db) as conn:
            if await store.settle(conn, drill.id, ScheduleState.SKIPPED, service.clock.now()):
                log.warning("scheduled drill %s (due %s) not started: its declarer %s is not in the directory",
                            drill.id, drill.due_at.isoformat(), drill.declared_by)
        log.info("scheduled drill %s (due %s) handled by process %s", drill.id, drill.due_at.isoformat(),
                 service.process_id)
    return len(due)


async def next_due(service: CrisisService) -> datetime | None:
    """When the next scheduled drill is due (None: none waits)."""
    async with reading(service.db) as conn:
        return await store.next_due(conn, service.playbook.id)
