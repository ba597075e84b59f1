"""Two replicas on PostgreSQL, each its own process identity. One dies while delivering
(its heartbeat stops, its platform calls never answer): the other takes over its rows
once it has been silent for the heartbeat timeout, fires the timers, and the log and the
bitácora say which process fired each timer and delivered each row. The rows the dead
one held are delivered as rows that may have landed (a transport that can look checks
first), also those given back after an earlier row of the same person failed."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.outbox import Attempt, TransientError, current_attempt
from bot.processes import Heartbeat, Identity
from bot.runtime import Runtime
from flows.clock import ManualClock
from flows.commands import Say
from flows.directory import Person
from flows.messages import OutMessage
from persistence import tables as T
from persistence.database import reading
from tests.persistence.conftest import _drop_pg_database, _fresh_pg_database
from tests.persistence.test_outbox_leases import Wall
from tests.support import START, settings_for


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    url = await _fresh_pg_database()
    try:
        yield url
    finally:
        await _drop_pg_database(url)


@dataclass
class Platform:
    """Records each delivery with the outbox's `Attempt`; `hang`: never answers (the
    replica dies with its calls in flight); `refuse`: people whose next call gets a 503."""

    name: str = "test"
    group_mode: str = "post"
    hang: asyncio.Event | None = None
    refuse: set[str] = field(default_factory=set)
    got: list[tuple[str, str, Attempt | None]] = field(default_factory=list)
    calls: int = 0

    def reaches(self, person: Person) -> bool:
        return True

    async def deliver(self, recipient: str, message: OutMessage) -> str | None:
        self.calls += 1
        if self.hang is not None:
            await self.hang.wait()
        if recipient in self.refuse:
            self.refuse.discard(recipient)
            raise TransientError("503 service_unavailable", retry_after=0)
        self.got.append((recipient, message.text, current_attempt.get()))
        return None


async def replica(tmp_path: Path, url: str, name: str, platform: Platform, clock: ManualClock, wall: Wall) -> Runtime:
    settings = settings_for(tmp_path, database_url=url, inbox_dir=tmp_path / f"inbox-{name}")
    rt = await Runtime.build(settings, transports={"test": platform}, clock=clock, concurrency=4)
    who = Identity(f"replica-{name}", f"host-{name}/pid:[1]", 4242, wall())
    rt.outbox.identity, rt.outbox.heartbeat, rt.service.process_id = who, Heartbeat(5, 15, wall), who.id
    await rt.start()
    return rt


async def test_a_replica_that_dies_mid_delivery_is_taken_over_and_the_log_says_who_did_what(
        pg_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    clock, wall = ManualClock(START), Wall()
    dying, surviving = Platform(hang=asyncio.Event()), Platform(refuse={"luis"})
    a = await replica(tmp_path, pg_url, "a", dying, clock, wall)
    b = await replica(tmp_path, pg_url, "b", surviving, clock, wall)
    try:
        await a.service.handle(Say("jaime", "ALERTA ROJA: caída total", "test"))
        while dying.calls < 4:  # a leased the rows and hangs on the platform
            await asyncio.sleep(0.01)
        assert await b.outbox.drain() == 0  # a is alive: its leases stand

        wall.at += timedelta(seconds=16)  # a silent for 16 s (timeout 15): presumed dead
        await b.outbox.beat()
        clock.advance(timedelta(seconds=1))
        await b.outbox.drain()
        clock.advance(timedelta(seconds=1))  # Luis's first row failed once (503); his rows wait for it
        await b.outbox.drain()
        async with reading(b.db) as conn:
            rows = (await conn.execute(select(T.outbox.c.id, T.outbox.c.recipient, T.outbox.c.delivered_at)
                                       .order_by(T.outbox.c.id))).all()
            entries = (await conn.execute(select(T.log.c.data).where(T.log.c.kind == "delivered"))).scalars().all()
        assert rows and all(row.delivered_at is not None for row in rows)
        # Every row once, each by the survivor; each of a's rows as one that may have landed.
        assert Counter(attempt.row for _, _, attempt in surviving.got if attempt) == Counter({r.id: 1 for r in rows})
        assert all(attempt is not None and attempt.maybe_landed for _, _, attempt in surviving.got)
        assert {entry["by"] for entry in entries} == {"replica-b"} and len(entries) == len(rows)
        luis = [r.id for r in rows if r.recipient == "luis"]
        assert len(luis) > 1  # his later rows were given back after the 503 and still count as unknown
        taken = [r.getMessage() for r in caplog.records if "taken over from process replica-a" in r.getMessage()]
        assert all(m.endswith("by process replica-b") for m in taken)
        # The log names each row taken over (Luis's, given back by b itself, are b's own by then).
        assert {int(m.split(":")[0].removeprefix("outbox ")) for m in taken} | set(luis) == {r.id for r in rows}

        clock.advance(timedelta(minutes=10))  # the first reminders fall due: the survivor fires them
        assert await b.timers.sweep() > 0
        await b.outbox.drain()
        fired = [r.getMessage() for r in caplog.records if r.getMessage().startswith("timer ")]
        assert fired and all(m.endswith("fired by process replica-b") for m in fired)
        new = [attempt for _, text, attempt in surviving.got if text.startswith("⏰")]
        assert new and not any(attempt is not None and attempt.maybe_landed for attempt in new)  # nobody tried them
    finally:
        assert dying.hang is not None
        dying.hang.set()
        await a.stop()
        await b.stop()
