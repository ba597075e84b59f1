"""The repository and the transaction rules, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.loading import load_all
from bot.routing import Router
from flows.commands import Press, Say
from flows.directory import Directory
from flows.engine import handle
from flows.messages import Action, ActionKind, TimerKind
from persistence import repository as repo
from persistence import tables as T
from persistence.database import make_engine, write_transaction
from persistence.writes import apply
from tests.support import DIRECTORY, PLAYBOOK, START, RecordingTransport

PB, _DIRECTORY = load_all(PLAYBOOK, DIRECTORY)
assert _DIRECTORY is not None
DIR: Directory = _DIRECTORY
PLAN = Router(DIR, {"test": RecordingTransport()}).plan


async def run(db: AsyncEngine, command: Say | Press, minutes: int = 0, ids: list[str] | None = None) -> None:
    counter = iter(ids or [f"{i:08x}" for i in range(1, 1000)])
    async with write_transaction(db, PB.id) as conn:
        world = await repo.load_world(conn, PB, DIR, START + timedelta(minutes=minutes), lambda: next(counter))
        outcome = handle(world, command)
        await apply(conn, world, outcome, PLAN)


async def test_migrations_match_the_tables(db: AsyncEngine) -> None:
    def diff(sync_conn):  # type: ignore[no-untyped-def]
        return compare_metadata(MigrationContext.configure(sync_conn), T.metadata)

    async with db.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_a_command_round_trips_state_log_outbox_and_timers(db: AsyncEngine) -> None:
    await run(db, Say("jaime", "ALERTA ROJA: caída", "test"))
    async with db.connect() as conn:
        crisis_id = await repo.open_crisis_id(conn, PB.id)
        assert crisis_id is not None
        crisis = await repo.load_crisis(conn, crisis_id)
        assert crisis is not None and crisis.declared_at == START and crisis.description == "caída"
        assert list(crisis.tasks) == ["decretar", "entel", "atencion", "banner", "email", "timify", "chequeo"]
        assert crisis.tasks["entel"].deadline_at == START + timedelta(minutes=45)
        log = await repo.crisis_log(conn, crisis_id)
        assert [e.kind for e in log][:2] == ["declared", "completed_value"]
        pending = await repo.pending_outbox(conn, START)
        assert len(pending) > 20 and pending[0].message.text.startswith("🚨 ALERTA ROJA")
        assert await repo.next_due(conn) == START + timedelta(minutes=10)
        timers = await repo.pending_timers(conn, crisis_id)
        assert {(t.step_id, t.kind) for t in timers} >= {("banner", TimerKind.REMIND), ("banner", TimerKind.ESCALATE)}


async def test_claim_cancels_the_unclaimed_timers_and_keeps_the_deadline(db: AsyncEngine) -> None:
    await run(db, Say("jaime", "ALERTA ROJA", "test"))
    async with db.connect() as conn:
        crisis_id = await repo.open_crisis_id(conn, PB.id)
    assert crisis_id is not None
    await run(db, Press("valeria", Action.for_task(ActionKind.CLAIM, crisis_id, "banner"), "test"), minutes=3)
    async with db.connect() as conn:
        banner = [(t.kind, t.due_at) for t in await repo.pending_timers(conn, crisis_id) if t.step_id == "banner"]
    assert banner == [(TimerKind.DEADLINE, START + timedelta(minutes=45))]


async def test_an_event_id_is_processed_once(db: AsyncEngine) -> None:
    async with db.begin() as conn:
        assert await repo.mark_processed(conn, "Ev123", START)
        assert not await repo.mark_processed(conn, "Ev123", START)
        assert await repo.mark_processed(conn, "Ev124", START)


async def test_a_timer_is_claimed_once_even_by_racing_sweeps(db: AsyncEngine) -> None:
    await run(db, Say("jaime", "ALERTA ROJA", "test"))
    async with db.connect() as conn:
        [first, *_] = await repo.due_timers(conn, START + timedelta(minutes=10))

    async def claim() -> bool:
        async with write_transaction(db, PB.id) as conn:
            return await repo.claim_timer(conn, first.id, START)

    results = await asyncio.gather(*(claim() for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]


async def test_at_most_one_open_crisis_per_playbook(db: AsyncEngine) -> None:
    await run(db, Say("jaime", "ALERTA ROJA", "test"))
    async with db.connect() as conn:
        row = (await conn.execute(select(T.crises))).one()
    with pytest.raises(IntegrityError):
        async with db.begin() as conn:
            values = dict(row._mapping)
            values["id"] = "other"
            await conn.execute(T.crises.insert().values(**values))


async def test_write_transactions_serialise(db: AsyncEngine) -> None:
    """Two commands at once on the same playbook: the second waits for the first, so
    both see each other's writes (no lost update, no deadlock on upgrade)."""
    await run(db, Say("jaime", "ALERTA ROJA", "test"))
    async with db.connect() as conn:
        crisis_id = await repo.open_crisis_id(conn, PB.id)
    assert crisis_id is not None
    await asyncio.gather(
        run(db, Press("valeria", Action.for_task(ActionKind.ACK, crisis_id, "atencion"), "test")),
        run(db, Press("luis", Action.for_task(ActionKind.ACK, crisis_id, "atencion"), "test")),
        run(db, Press("marcelo", Action.for_task(ActionKind.ACK, crisis_id, "atencion"), "test")),
    )
    async with db.connect() as conn:
        crisis = await repo.load_crisis(conn, crisis_id)
    assert crisis is not None and sorted(crisis.tasks["atencion"].acks) == ["luis", "marcelo", "valeria"]


async def test_outbox_delivery_is_recorded_in_the_bitacora(db: AsyncEngine) -> None:
    await run(db, Say("jaime", "ALERTA ROJA", "test"))
    async with db.begin() as conn:
        row = (await repo.pending_outbox(conn, START, limit=1))[0]
        assert await repo.mark_delivered(conn, row, "test", START, external_id="m-1")
        assert not await repo.mark_delivered(conn, row, "test", START)  # never twice
        found = await repo.outbox_by_external_id(conn, "test", "m-1")
        assert found is not None and found.id == row.id
    async with db.connect() as conn:
        crisis_id = await repo.open_crisis_id(conn, PB.id)
        assert crisis_id is not None
        log = await repo.crisis_log(conn, crisis_id)
    assert log[-1].kind == "delivered" and log[-1].data["to"] == "@group"


async def test_sqlite_pragmas(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    try:
        async with db.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 10000
    finally:
        await db.dispose()
