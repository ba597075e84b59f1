"""Drills scheduled ahead on SQLite and PostgreSQL (persistence/drill_schedule.py): a row
round-trips with its drill file's injects, and a row is taken out of `pending` once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from flows.drill_start import ScheduledDrill, ScheduleState
from flows.playbook import Inject
from persistence import drill_schedule as store
from tests.support import START


async def test_a_scheduled_drill_round_trips_and_is_taken_once(db: AsyncEngine) -> None:
    inject = Inject.model_validate({"at": "5m", "to_step": "2", "text": {"es": "Entel no contesta", "en": "Entel does not answer"}})
    drill = ScheduledDrill(id="d1", playbook_id="pb", due_at=START + timedelta(days=1), declared_by="jaime",
                           description="caída", surprise=True, told=("jaime",), created_at=START, injects=(inject,))
    async with db.begin() as conn:
        await store.save(conn, [drill])
    async with db.connect() as conn:
        [back] = await store.pending(conn, "pb")
        assert back == drill and back.injects is not None and back.injects[0].text.in_lang("en") == "Entel does not answer"
        assert await store.due(conn, "pb", START) == [] and await store.next_due(conn, "pb") == drill.due_at
        assert await store.due(conn, "pb", drill.due_at) == [drill]
    async with db.begin() as conn:
        assert await store.settle(conn, "d1", ScheduleState.SKIPPED, drill.due_at)
        assert not await store.settle(conn, "d1", ScheduleState.SKIPPED, drill.due_at)  # once
        drill.state = ScheduleState.STARTED
        await store.save(conn, [drill])  # no longer pending: left as it was
    async with db.connect() as conn:
        assert await store.pending(conn, "pb") == [] and await store.next_due(conn, "pb") is None
