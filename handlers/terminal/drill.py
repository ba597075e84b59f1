"""A drill's simulated time, kept with the crisis (issue 11 point 11).

The terminal's `/avanzar` moves its clock ahead of real time. While a crisis is open that
offset is stored with it (`crises.clock_offset`, seconds), so that:
- a later `crisisbot run` continues that crisis at real now + offset, never earlier than
  its newest bitácora entry: times never go backwards, and a task escalated in the first
  session is still late in the second;
- a crisis declared after an `/avanzar` carries the offset too;
- other processes (`crisisbot serve`) leave its timers to the terminal (bot/scheduler.py).
A run that starts with no open crisis starts on real time. A closed crisis keeps its
offset as a record; its report reads its own stored (simulated) times."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import SystemClock
from flows.texts import t
from persistence import drill as drill_db
from persistence.database import reading, write_transaction


class DrillClock:
    """The terminal's clock and the open crisis's stored offset, kept in step."""

    def __init__(self, db: AsyncEngine, playbook_id: str, clock: SystemClock, tz: ZoneInfo, lang: str) -> None:
        self.db = db
        self.playbook_id = playbook_id
        self.clock = clock
        self.tz = tz
        self.lang = lang

    async def resume(self) -> str | None:
        """Before the runtime starts (and fires what is overdue): put the clock where the
        open crisis left it. Returns the line that says which crisis continues, and at what
        time; None when no crisis is open (the clock stays on real time)."""
        async with reading(self.db) as conn:
            state = await drill_db.open_crisis_clock(conn, self.playbook_id)
        if state is None:
            return None
        real_now = self.clock.now() - self.clock.offset
        offset = timedelta(seconds=state.offset or 0)
        if state.last_at is not None and real_now + offset < state.last_at:
            offset = timedelta(seconds=math.ceil((state.last_at - real_now).total_seconds()))
        self.clock.offset = offset
        if offset:
            await self._store(state.crisis_id, _seconds(offset), state.offset)
            return t(self.lang, "drill.continues_simulated", id=state.crisis_id,
                     declared=self._when(state.declared_at), now=self._when(self.clock.now()))
        return t(self.lang, "drill.continues", id=state.crisis_id, declared=self._when(state.declared_at))

    async def keep(self) -> str | None:
        """After the clock moved or a command ran: store the offset with the open crisis if
        it differs. Returns a notice the first time a crisis goes on simulated time."""
        if not self.clock.offset:
            return None
        async with reading(self.db) as conn:
            state = await drill_db.open_crisis_clock(conn, self.playbook_id)
        if state is None:
            return None
        seconds = _seconds(self.clock.offset)
        if state.offset == seconds:
            return None
        await self._store(state.crisis_id, seconds, state.offset)
        return t(self.lang, "drill.kept", id=state.crisis_id) if state.offset is None else None

    async def _store(self, crisis_id: str, seconds: int, stored: int | None) -> None:
        if stored != seconds:
            async with write_transaction(self.db, self.playbook_id) as conn:
                await drill_db.keep_clock_offset(conn, self.playbook_id, crisis_id, seconds)

    def _when(self, at: datetime) -> str:
        """`09:40`, or `29/11 09:40` when it is not the day the clock shows."""
        local, today = at.astimezone(self.tz), self.clock.now().astimezone(self.tz).date()
        return local.strftime("%H:%M") if local.date() == today else local.strftime("%d/%m %H:%M")


def _seconds(offset: timedelta) -> int:
    """Whole seconds, rounded up: the stored offset never puts the clock earlier."""
    return math.ceil(offset.total_seconds())
