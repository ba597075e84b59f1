"""Simulated time kept with a crisis (a drill in the terminal, issue 11 point 11).

`crises.clock_offset` holds the seconds the terminal's clock runs ahead of real time for
that crisis (NULL: real time). The terminal writes it when it moves its clock during an
open crisis; a later `crisisbot run` reads it back to resume there; any other process
leaves that crisis's timers alone (`repository.due_timers(real_time_only=True)`), since
they are due on a clock only the terminal keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence import tables as T
from persistence.writes import bump_revision


@dataclass(frozen=True)
class CrisisClock:
    """The open crisis as a drill needs it: times UTC (simulated when `offset` is set),
    `offset` in seconds (None: real time), `last_at` the newest bitácora entry (None: none)."""

    crisis_id: str
    declared_at: datetime
    offset: int | None
    last_at: datetime | None


async def open_crisis_clock(conn: AsyncConnection, playbook_id: str) -> CrisisClock | None:
    """The playbook's open crisis with its clock; None when no crisis is open."""
    row = (await conn.execute(select(T.crises.c.id, T.crises.c.declared_at, T.crises.c.clock_offset)
                              .where(T.crises.c.open_key == playbook_id))).first()
    if row is None:
        return None
    last_at = (await conn.execute(select(func.max(T.log.c.at)).where(T.log.c.crisis_id == row.id))).scalar_one_or_none()
    return CrisisClock(row.id, row.declared_at, row.clock_offset, last_at)


async def keep_clock_offset(conn: AsyncConnection, playbook_id: str, crisis_id: str, seconds: int) -> None:
    """Store the crisis's offset (seconds ahead of real time), counted as a write of the
    playbook's state (the service re-reads the crisis rather than reuse what it cached)."""
    await conn.execute(update(T.crises).where(T.crises.c.id == crisis_id).values(clock_offset=seconds))
    await bump_revision(conn, playbook_id)


async def simulated_crises(conn: AsyncConnection) -> list[str]:
    """Ids of the open crises on simulated time that have timers pending, oldest first."""
    rows = await conn.execute(
        # EXISTS per crisis (ix_timers_task), not IN (every pending timer): each timer sweep runs
        # this, and with 50,000 pending timers of cases the IN took 200 ms (bench/cases_scale.py)
        select(T.crises.c.id).where(and_(T.crises.c.open_key.is_not(None), T.crises.c.clock_offset.is_not(None),
                                         exists().where(and_(T.timers.c.crisis_id == T.crises.c.id,
                                                             T.timers.c.status == "pending"))))
        .order_by(T.crises.c.declared_at))
    return list(rows.scalars().all())


async def drill_open(conn: AsyncConnection, playbook_id: str) -> bool:
    """Whether the playbook's open crisis is a drill (issue 14): what the bot says outside
    the engine (bot/choices.py «¿Cuál?») is marked as the drill's too."""
    found = (await conn.execute(select(T.crises.c.drill).where(T.crises.c.open_key == playbook_id))).scalar_one_or_none()
    return bool(found)
