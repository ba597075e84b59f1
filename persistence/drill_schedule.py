"""Drills scheduled ahead (table `drill_schedule`, flows/drill_start.py `ScheduledDrill`):
read with the world, written with the outcome of the command that changed them, found
by the timer sweep when due (bot/drill_ahead.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.drill_start import ScheduledDrill, ScheduleState
from flows.playbook import Inject
from persistence import tables as T

_INJECTS: TypeAdapter[list[Inject]] = TypeAdapter(list[Inject])
_PENDING = ScheduleState.PENDING.value


def _from(row: Any) -> ScheduledDrill:
    return ScheduledDrill(
        id=row.id, playbook_id=row.playbook_id, due_at=row.due_at, declared_by=row.declared_by,
        description=row.description, surprise=bool(row.surprise), told=tuple(row.told), created_at=row.created_at,
        injects=None if row.injects is None else tuple(_INJECTS.validate_python(row.injects)),
        state=ScheduleState(row.state), done_at=row.done_at, done_by=row.done_by,
    )


def _values(drill: ScheduledDrill) -> dict[str, Any]:
    return {
        "playbook_id": drill.playbook_id, "due_at": drill.due_at, "declared_by": drill.declared_by,
        "description": drill.description, "surprise": drill.surprise, "told": list(drill.told),
        "injects": None if drill.injects is None else _INJECTS.dump_python(list(drill.injects), mode="json"),
        "created_at": drill.created_at, "state": drill.state.value, "done_at": drill.done_at, "done_by": drill.done_by,
    }


async def pending(conn: AsyncConnection, playbook_id: str) -> list[ScheduledDrill]:
    """The playbook's drills waiting for their time, soonest first."""
    rows = (await conn.execute(select(T.drill_schedule).where(and_(
        T.drill_schedule.c.state == _PENDING, T.drill_schedule.c.playbook_id == playbook_id,
    )).order_by(T.drill_schedule.c.due_at))).all()
    return [_from(r) for r in rows]


async def due(conn: AsyncConnection, playbook_id: str, now: datetime) -> list[ScheduledDrill]:
    """The playbook's waiting drills whose time has come (`now`, aware), soonest first."""
    return [d for d in await pending(conn, playbook_id) if d.due_at <= now]


async def next_due(conn: AsyncConnection, playbook_id: str) -> datetime | None:
    """When the playbook's next waiting drill is due (None: none waits)."""
    return (await conn.execute(select(func.min(T.drill_schedule.c.due_at)).where(and_(  # type: ignore[no-any-return]
        T.drill_schedule.c.state == _PENDING, T.drill_schedule.c.playbook_id == playbook_id)))).scalar_one_or_none()


async def save(conn: AsyncConnection, drills: Sequence[ScheduledDrill]) -> None:
    """Insert the new rows, update the changed ones (the last state of each id wins). A
    waiting row is only ever moved out of `pending` once: the update of a row no longer
    pending is a no-op (it was taken meanwhile)."""
    latest = {d.id: d for d in drills}
    for drill in latest.values():
        values = _values(drill)
        result = await conn.execute(update(T.drill_schedule).where(and_(
            T.drill_schedule.c.id == drill.id, T.drill_schedule.c.state == _PENDING)).values(**values))
        if result.rowcount == 0 and not await _exists(conn, drill.id):
            await conn.execute(insert(T.drill_schedule).values(id=drill.id, **values))


async def settle(conn: AsyncConnection, drill_id: str, state: ScheduleState, at: datetime) -> bool:
    """Take a waiting row out of `pending` (a due drill the engine could not take: its
    declarer left the directory). False when it was no longer waiting."""
    result = await conn.execute(update(T.drill_schedule).where(and_(
        T.drill_schedule.c.id == drill_id, T.drill_schedule.c.state == _PENDING)).values(state=state.value, done_at=at))
    return bool(result.rowcount)


async def _exists(conn: AsyncConnection, drill_id: str) -> bool:
    found = await conn.execute(select(T.drill_schedule.c.id).where(T.drill_schedule.c.id == drill_id))
    return found.first() is not None
