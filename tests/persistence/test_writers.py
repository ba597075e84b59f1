"""Who writes when: reads beside the writer, the write gate, group commits, and the
bulk repository writes (deliveries, leases, events, timers) and playbook revisions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.grouping import GroupCommit, GroupWriter, Work
from flows.commands import Press, Say
from flows.messages import Action, ActionKind, LogEntry
from flows.world import Outcome
from persistence import repository as repo
from persistence import sqlite_driver
from persistence import tables as T
from persistence.database import (
    POOL_SIZE,
    WriteGate,
    make_engine,
    migrate,
    reading,
    warm_up,
    write_transaction,
    writing,
)
from persistence.writes import apply
from tests.persistence.test_repository import DIR, PB, PLAN, run
from tests.support import START


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    await migrate(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


async def keys(conn: AsyncConnection) -> set[str]:
    return set((await conn.execute(select(T.processed_events.c.key))).scalars().all())


async def test_a_look_neither_waits_for_the_writer_nor_holds_it_up(sqlite_db: AsyncEngine) -> None:
    async with writing(sqlite_db) as conn:
        await repo.mark_processed(conn, "committed", START)
    async with writing(sqlite_db) as conn:
        await repo.mark_processed(conn, "uncommitted", START)  # the write lock is held from here
        async with reading(sqlite_db) as look:  # busy_timeout is 10 s: waiting for the lock would time out
            assert await asyncio.wait_for(keys(look), 1.0) == {"committed"}
    async with reading(sqlite_db) as look:
        assert await keys(look) == {"committed", "uncommitted"}
        async with writing(sqlite_db) as conn:  # a writer beside an open snapshot commits at once
            await asyncio.wait_for(repo.mark_processed(conn, "later", START), 1.0)
        assert await keys(look) == {"committed", "uncommitted"}  # the look keeps its snapshot


async def test_urgent_writers_go_first_and_a_cancelled_waiter_blocks_nobody(sqlite_db: AsyncEngine) -> None:
    order: list[str] = []
    inside, release = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with writing(sqlite_db) as conn:
            await repo.mark_processed(conn, "holder", START)
            inside.set()
            await release.wait()

    async def normal(name: str) -> None:
        async with writing(sqlite_db) as conn:
            await repo.mark_processed(conn, name, START)
            order.append(name)

    async def urgent() -> None:
        async with write_transaction(sqlite_db, PB.id) as conn:
            await repo.mark_processed(conn, "urgent", START)
            order.append("urgent")

    held = asyncio.create_task(holder())
    await asyncio.wait_for(inside.wait(), 3.0)
    queued = [asyncio.create_task(normal("cancelled")), asyncio.create_task(normal("normal"))]
    await asyncio.sleep(0)
    first = asyncio.create_task(urgent())
    await asyncio.sleep(0)
    queued[0].cancel()  # while queued behind the holder
    assert order == []
    release.set()
    await asyncio.wait_for(asyncio.gather(held, first, queued[1]), 3.0)
    assert queued[0].cancelled()
    assert order == ["urgent", "normal"]
    await asyncio.wait_for(normal("after"), 3.0)
    async with reading(sqlite_db) as look:
        assert await keys(look) == {"holder", "urgent", "normal", "after"}


async def test_a_waiter_cancelled_just_as_the_gate_is_handed_over_gives_it_back() -> None:
    gate = WriteGate()

    async def wait_for_gate() -> None:
        async with gate.hold():
            pass

    async with gate.hold():
        waiter = asyncio.create_task(wait_for_gate())
        await asyncio.sleep(0)
    waiter.cancel()  # handed over on release above, cancelled before it could run
    with pytest.raises(asyncio.CancelledError):
        await waiter

    async def take() -> None:
        async with gate.hold(urgent=True):
            pass

    await asyncio.wait_for(take(), 1.0)


async def test_warm_up_opens_the_pooled_connections(sqlite_db: AsyncEngine) -> None:
    await warm_up(sqlite_db, 4)
    assert sqlite_db.pool.checkedin() == 4  # type: ignore[attr-defined]
    await warm_up(sqlite_db, POOL_SIZE + 5)
    assert sqlite_db.pool.checkedin() == POOL_SIZE  # type: ignore[attr-defined]


async def test_group_commit_gathers_the_jobs_that_arrive_meanwhile() -> None:
    events: list[str] = []
    more_queued = asyncio.Event()

    async def run_group(jobs: list[int]) -> list[int]:
        events.append(f"run {jobs}")
        if jobs == [1]:
            await more_queued.wait()
        return [job * 10 for job in jobs]

    async def after(results: list[int]) -> None:
        await asyncio.sleep(0.01)  # a caller handed its result already would run meanwhile
        events.append(f"after {results}")

    group: GroupCommit[int, int] = GroupCommit(run_group, after)

    async def caller(jobs: list[int]) -> list[int]:
        results = await group.submit(jobs)
        events.append(f"got {results}")
        return results

    first = asyncio.create_task(caller([1]))
    await asyncio.sleep(0.01)
    others = [asyncio.create_task(caller([2])), asyncio.create_task(caller([3, 4]))]
    await asyncio.sleep(0)
    more_queued.set()
    assert await first == [10]
    assert [await task for task in others] == [[20], [30, 40]]
    assert [e for e in events if not e.startswith("got")] == [
        "run [1]", "after [10]", "run [2, 3, 4]", "after [20, 30, 40]"]
    for group_done, got in [("after [10]", "got [10]"), ("after [20, 30, 40]", "got [20]"),
                            ("after [20, 30, 40]", "got [30, 40]")]:
        assert events.index(group_done) < events.index(got)


async def test_a_command_behind_a_burst_of_due_timers_waits_for_one_small_group_of_them() -> None:
    """Ten timers fall due (background jobs), then a press comes in: it goes in the very next
    group, alone, after at most one group of four timers, and its caller has its answer
    before the timers' next group runs, even when a group runs without yielding to the event
    loop (SQLite's write transactions, persistence/sqlite_driver.py)."""
    groups: list[list[str]] = []
    answered: list[str] = []

    async def run_group(jobs: list[str]) -> list[str]:
        groups.append(list(jobs))
        if jobs == ["press"] or len(groups) > 2:
            return jobs  # no await at all, as a SQLite write transaction
        await asyncio.sleep(0.01)
        return jobs

    group: GroupCommit[str, str] = GroupCommit(run_group)
    timers = asyncio.create_task(group.submit([f"timer {n}" for n in range(10)], background=True))
    await asyncio.sleep(0)  # the first group of timers is under way

    async def press() -> None:
        await group.submit(["press"])
        answered.append(f"answered while {len(groups)} groups had run")

    await asyncio.gather(press(), timers)
    assert groups[0] == ["timer 0", "timer 1", "timer 2", "timer 3"]
    assert groups[1] == ["press"]
    assert [len(g) for g in groups[2:]] == [4, 2]
    assert answered == ["answered while 2 groups had run"]


async def test_group_writer_commits_together_and_a_faulty_write_fails_alone(db: AsyncEngine) -> None:
    writer = GroupWriter(db)
    sizes: list[int] = []
    run_group = writer._group.run_group  # wrapped to see how the writes were grouped

    async def recording(works: list[Work]) -> list[Any]:
        sizes.append(len(works))
        return await run_group(works)

    writer._group.run_group = recording

    def insert(key: str, fail: bool = False) -> Work:
        async def work(conn: AsyncConnection) -> str:
            assert await repo.mark_processed(conn, key, START)  # fails if a rolled-back try was kept
            if fail:
                raise ValueError(key)
            return key
        return work

    assert await asyncio.gather(*(writer.write(insert(f"ok{i}")) for i in range(5))) == [f"ok{i}" for i in range(5)]
    assert sizes == [5]
    sizes.clear()
    results = await asyncio.gather(writer.write(insert("a")), writer.write(insert("bad", fail=True)),
                                   writer.write(insert("c")), return_exceptions=True)
    assert results[0] == "a" and results[2] == "c"
    assert isinstance(results[1], ValueError) and str(results[1]) == "bad"
    assert sizes == [3, 1, 1, 1]
    async with reading(db) as look:
        assert await keys(look) == {f"ok{i}" for i in range(5)} | {"a", "c"}


async def delivered_entries(conn: AsyncConnection) -> list[int]:
    rows = (await conn.execute(select(T.log.c.data).where(T.log.c.kind == "delivered"))).scalars().all()
    return sorted(int(data["outbox"]) for data in rows)


async def test_deliveries_are_marked_and_logged_once_and_leases_are_exclusive(db: AsyncEngine) -> None:
    await run(db, Say("jaime", "ALERTA ROJA", "test"))
    async with reading(db) as look:
        rows = await repo.pending_outbox(look, START, limit=3)
    ids = {row.id for row in rows}
    assert len(ids) == 3
    until = START + timedelta(minutes=1)
    async with writing(db) as conn:
        assert await repo.lease_outbox(conn, rows, START, until) == ids
    async with writing(db) as conn:  # a second sender
        assert await repo.lease_outbox(conn, rows, START, until) == set()
        later = until + timedelta(seconds=1)  # the lease ran out: its sender is presumed dead
        assert await repo.lease_outbox(conn, rows[:1], later, later + timedelta(minutes=1)) == {rows[0].id}
    async with writing(db) as conn:
        assert await repo.mark_delivered_many(conn, [(row, "test", f"m-{row.id}") for row in rows[:2]], START) \
            == {rows[0].id, rows[1].id}
    async with writing(db) as conn:
        assert await repo.mark_delivered_many(conn, [(row, "test", None) for row in rows], START) == {rows[2].id}
        assert await repo.mark_delivered_many(conn, [(row, "test", None) for row in rows], START) == set()
        assert await repo.lease_outbox(conn, rows, START + timedelta(hours=1), START + timedelta(hours=2)) == set()
    async with reading(db) as look:
        assert await delivered_entries(look) == sorted(ids)
        found = await repo.outbox_by_external_id(look, "test", f"m-{rows[1].id}")
        assert found is not None and found.id == rows[1].id and found.attempts == 1


async def test_events_and_timers_are_taken_once(db: AsyncEngine) -> None:
    async with writing(db) as conn:
        assert await repo.mark_processed_many(conn, ["a", "b", "a"], START) == {"a", "b"}
        assert await repo.mark_processed_many(conn, ["b", "c"], START) == {"c"}
        assert await repo.mark_processed_many(conn, [], START) == set()
    await run(db, Say("jaime", "ALERTA ROJA", "test"))
    async with reading(db) as look:
        timer_ids = [t.id for t in await repo.due_timers(look, START + timedelta(days=1))]
    assert len(timer_ids) >= 4
    cancelled, *rest = timer_ids
    async with writing(db) as conn:
        await conn.execute(update(T.timers).where(T.timers.c.id == cancelled).values(status="cancelled"))
        assert await repo.claim_timers(conn, rest[:2], START) == set(rest[:2])
    async with writing(db) as conn:
        assert await repo.claim_timers(conn, timer_ids, START) == set(rest[2:])
        assert await repo.claim_timers(conn, timer_ids, START) == set()


async def revision(db: AsyncEngine) -> int | None:
    async with reading(db) as look:
        n = (await look.execute(select(T.revisions.c.n).where(T.revisions.c.playbook_id == PB.id))).scalar()
    return None if n is None else int(n)


async def test_writing_a_playbooks_state_bumps_its_revision(db: AsyncEngine) -> None:
    assert DIR is not None
    assert await revision(db) is None
    await run(db, Say("jaime", "ALERTA ROJA", "test"))
    assert await revision(db) == 1
    async with reading(db) as look:
        crisis_id = await repo.open_crisis_id(look, PB.id)
    assert crisis_id is not None
    await run(db, Press("valeria", Action.for_task(ActionKind.ACK, crisis_id, "atencion"), "test"))
    assert await revision(db) == 2
    async with write_transaction(db, PB.id) as conn:  # an outcome that leaves the crises and proposals alone
        world = await repo.load_world(conn, PB, DIR, START, lambda: "unused")
        await apply(conn, world, Outcome(log=[LogEntry(at=START, kind="note", data={"n": 1})]), PLAN)
    assert await revision(db) == 2
    async with reading(db) as look:
        notes = (await look.execute(select(func.count()).select_from(T.log).where(T.log.c.kind == "note"))).scalar()
    assert notes == 1


# --- SQLite: statements of a write transaction in place, BEGIN and checkpoints beside (persistence/sqlite_driver.py)


async def test_a_writer_waiting_for_another_process_lock_leaves_the_bot_answering(tmp_path: Path) -> None:
    """Another process holds SQLite's write lock for 0.4 s: our write waits for it (and then
    commits) without holding up everything else the bot does meanwhile (its event loop
    keeps running: a webhook still gets its answer)."""
    import sqlite3

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'lock.db'}", busy_timeout_ms=5_000)
    await migrate(engine)
    other = sqlite3.connect(tmp_path / "lock.db", isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")
        ticks = 0

        async def ticking() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        async def write() -> None:
            async with writing(engine) as conn:
                await repo.mark_processed(conn, "after the lock", START)

        ticker = asyncio.create_task(ticking())
        writer = asyncio.create_task(write())
        await asyncio.sleep(0.4)
        assert not writer.done()  # it waits for the lock...
        other.execute("ROLLBACK")
        await asyncio.wait_for(writer, 5)
        ticker.cancel()
        assert ticks >= 20  # ... and the loop ran all along (0.4 s of 10 ms ticks: about 40)
        async with reading(engine) as conn:
            assert await keys(conn) == {"after the lock"}
    finally:
        other.close()
        await engine.dispose()


async def test_the_write_ahead_log_is_checkpointed_beside_the_commits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commits never copy the write-ahead log back into the database themselves (that made
    one commit in fifty 5 ms slower), yet the log does not grow without end under a steady
    stream of writes: it is checkpointed beside them and starts over once past its bound."""
    monkeypatch.setattr(sqlite_driver, "WAL_RESTART_BYTES", 1_000_000)  # 8 MB in production
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'wal.db'}")
    await migrate(engine)
    try:
        async with engine.connect() as conn:
            from sqlalchemy import text

            assert (await conn.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == 0
        for n in range(1_500):  # one after the other, as under a steady load
            async with writing(engine) as conn:
                await repo.mark_processed(conn, f"event {n} " + "x" * 1_000, START)
            await asyncio.sleep(0)  # the next request comes in
        wal = tmp_path / "wal.db-wal"
        # 1,500 commits of three pages or more each: 20 MB if the log were never started over
        assert wal.stat().st_size < 3_000_000, wal.stat().st_size
        async with reading(engine) as conn:
            assert len(await keys(conn)) == 1_500
    finally:
        await engine.dispose()
