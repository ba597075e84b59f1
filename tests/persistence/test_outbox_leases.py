"""Who may send an outbox row: a live sender's lease is respected, a dead one's is taken
over (at once on this machine, after the heartbeat timeout elsewhere), and a process
never touches rows of a transport it does not have. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.outbox import OutboxSender, PermanentError
from bot.processes import Heartbeat, Identity, host_id, this_process
from bot.routing import Delivery
from flows.clock import ManualClock
from flows.directory import Person
from flows.messages import OutMessage
from persistence import repository as repo
from persistence import tables as T
from persistence.database import reading, writing
from tests.support import START


@dataclass
class Wall:
    """A wall clock that moves only when told: heartbeats without real waiting."""

    at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.at


@dataclass
class Phone:
    """A transport that records what it was handed; it may hold every delivery until
    released (a platform that does not answer) or refuse them all."""

    name: str = "slack"
    group_mode: str = "post"
    hold: asyncio.Event | None = None
    refuse: bool = False
    got: list[tuple[str, str]] = field(default_factory=list)
    calls: int = 0

    def reaches(self, person: Person) -> bool:
        return True

    async def deliver(self, recipient: str, message: OutMessage) -> str | None:
        self.calls += 1
        if self.hold is not None:
            await self.hold.wait()
        if self.refuse:
            raise PermanentError("channel_not_found")
        self.got.append((recipient, message.text))
        return None


def sender(db: AsyncEngine, clock: ManualClock, phone: Phone, who: Identity, wall: Wall) -> OutboxSender:
    return OutboxSender(db, clock, {phone.name: phone}, concurrency=4, heartbeat=Heartbeat(5, 15, wall), identity=who)


def other_machine(name: str, wall: Wall) -> Identity:
    return Identity(f"id-{name}", f"{name}/pid:[1]", 4242, wall())


async def enqueue(db: AsyncEngine, *rows: tuple[str, str, str]) -> None:
    async with writing(db) as conn:
        await repo.enqueue(conn, None, [Delivery(to, via, OutMessage(to, text)) for to, via, text in rows], START)


ROWS = (("ana", "slack", "a1"), ("ana", "slack", "a2"), ("ben", "slack", "b1"), ("ana", "slack", "a3"))


async def until(condition: object, seconds: float = 3.0) -> None:
    async def wait() -> None:
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.01)
    await asyncio.wait_for(wait(), seconds)


async def delivered_entries(db: AsyncEngine) -> list[dict[str, object]]:
    async with reading(db) as conn:
        rows = (await conn.execute(select(T.log.c.data).where(T.log.c.kind == "delivered").order_by(T.log.c.id))).all()
    return [dict(r.data) for r in rows]


async def test_a_live_senders_lease_is_respected_and_a_silent_ones_is_taken_over(db: AsyncEngine) -> None:
    await enqueue(db, *ROWS)
    clock, wall = ManualClock(START), Wall()
    stuck, spare = Phone(hold=asyncio.Event()), Phone()
    first = sender(db, clock, stuck, other_machine("a", wall), wall)
    second = sender(db, clock, spare, other_machine("b", wall), wall)
    await first.beat()
    first.kick()  # it leases ana's and ben's first rows and waits on the platform
    await until(lambda: stuck.calls == 2)
    await second.beat()
    assert await second.drain() == 0 and spare.got == []
    wall.at += timedelta(seconds=10)
    await first.beat()  # still alive 10 s later: its lease stands
    assert await second.drain() == 0 and spare.got == []
    wall.at += timedelta(seconds=16)  # silent for 16 s (timeout 15): presumed dead
    assert await second.drain() == 4
    assert [text for to, text in spare.got if to == "ana"] == ["a1", "a2", "a3"]
    assert {entry["by"] for entry in await delivered_entries(db)} == {"id-b"}
    # The first one was only slow: what it handed over late is not recorded twice (the
    # people may read it twice: at-least-once, see docs/design.md).
    assert stuck.hold is not None
    stuck.hold.set()
    await first.stop()
    assert sorted(int(str(e["outbox"])) for e in await delivered_entries(db)) == [1, 2, 3, 4]


async def test_a_dead_process_on_this_machine_frees_its_leases_at_once(db: AsyncEngine) -> None:
    await enqueue(db, *ROWS)
    clock, wall = ManualClock(START), Wall()
    finished = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await finished.wait()
    dead_pid = finished.pid
    # One dead process whose pid is free, one whose pid this process now has (a container
    # restarted as pid 1 again, within a second): both seen a second ago, both holding
    # leases for 2 minutes.
    for name, pid, started, rows in (("gone", dead_pid, wall() - timedelta(minutes=5), ROWS[:2]),
                                     ("earlier-me", os.getpid(), this_process().started_at, ROWS[2:])):
        who = Identity(f"id-{name}", host_id(), pid, started)
        async with writing(db) as conn:
            await repo.heartbeat_process(conn, who.row("slack", wall()), wall() - timedelta(seconds=1))
            pending = [r for r in await repo.pending_outbox(conn, START)
                       if (r.recipient, r.via, r.message.text) in rows]
            assert await repo.lease_outbox(conn, pending, START, START + timedelta(minutes=2), by=who.id)
    phone = Phone()
    fresh = OutboxSender(db, clock, {"slack": phone}, concurrency=4, heartbeat=Heartbeat(5, 15, wall))
    await fresh.start()
    try:
        assert await fresh.drain() == 4  # not two minutes later
        assert [text for to, text in phone.got if to == "ana"] == ["a1", "a2", "a3"]
    finally:
        await fresh.stop()


async def test_rows_of_a_transport_the_process_lacks_are_left_untouched(db: AsyncEngine) -> None:
    await enqueue(db, ("ana", "terminal", "t1"), ("ana", "slack", "s1"), ("ben", "terminal", "t2"))
    clock, wall = ManualClock(START), Wall()
    refusing = Phone(refuse=True)  # even a failing sender must not fail the terminal's rows
    web = sender(db, clock, refusing, other_machine("web", wall), wall)
    await web.drain()
    assert refusing.calls == 1
    async with reading(db) as conn:
        rows = (await conn.execute(select(T.outbox).where(T.outbox.c.via == "terminal"))).all()
        failures = (await conn.execute(select(T.log.c.data).where(T.log.c.kind == "delivery_failed"))).scalars().all()
        assert await repo.next_outbox_wake(conn, START, vias={"slack"}) == repo.OutboxWake(None, None)
    untouched = (None, None, 0, None, None)
    assert [(r.leased_until, r.leased_by, r.attempts, r.failed_at, r.last_error) for r in rows] == [untouched] * 2
    assert [f["via"] for f in failures] == ["slack"]
    terminal = Phone(name="terminal")
    assert await sender(db, clock, terminal, other_machine("term", wall), wall).drain() == 2
    assert terminal.got == [("ana", "t1"), ("ben", "t2")]


async def test_the_sender_knows_from_the_rows_when_to_look_again(db: AsyncEngine) -> None:
    await enqueue(db, *ROWS)
    wall = Wall()
    holder = other_machine("a", wall)
    async with writing(db) as conn:
        rows = await repo.pending_outbox(conn, START)
        await repo.mark_retry(conn, rows[0], "503", START + timedelta(seconds=30))  # ana's first: retry in 30 s
        await repo.heartbeat_process(conn, holder.row("slack", wall()), wall())
        await repo.lease_outbox(conn, [rows[2]], START, START + timedelta(minutes=2), by=holder.id)  # ben's, in flight
    live = repo.Liveness(me="id-me", alive_since=wall() - timedelta(seconds=15))
    async with reading(db) as conn:
        assert await repo.pending_outbox(conn, START, live=live) == []  # ana waits behind her retry
        wake = await repo.next_outbox_wake(conn, START, vias={"slack"}, live=live)
    assert wake == repo.OutboxWake(START + timedelta(seconds=30), wall())
    async with reading(db) as conn:  # half a minute later ana's rows are due, in order
        due = await repo.pending_outbox(conn, START + timedelta(seconds=30), live=live)
    assert [r.message.text for r in due] == ["a1", "a2", "a3"]
