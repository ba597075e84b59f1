"""A person's messages go out one after the other without waiting for each one's «delivered»
to be written (issue 12 point 8: with timers falling due at 50 a second, waiting for every
write kept SQLite behind by tens of seconds, bench/cases_scale.py), yet in order, each
recorded once, and a message shown under a ref (a Slack card) is recorded before the next
one goes out, since that one may update it in place. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.outbox import OutboxSender, Sent, Shown
from bot.processes import Heartbeat
from flows.clock import ManualClock
from flows.messages import OutMessage
from persistence import tables as T
from persistence.database import reading
from tests.persistence.test_outbox_leases import Phone, Wall, delivered_entries, enqueue, until
from tests.support import START


@dataclass
class CardPhone(Phone):
    """Shows every message under its own ref, as Slack shows a card it can update."""

    async def deliver(self, recipient: str, message: OutMessage) -> Sent:  # type: ignore[override]
        await super().deliver(recipient, message)
        return Sent(f"ts-{message.text}", (Shown(recipient, f"card:{message.text}", f"ts-{message.text}", "D1"),))


def slow_recording(sender: OutboxSender, release: asyncio.Event) -> list[int]:
    """The sender's «delivered» writes wait for `release`; returns the rows whose write began."""
    began: list[int] = []
    write = sender._mark_delivered

    async def held(delivered):  # type: ignore[no-untyped-def]
        began.extend(row.id for row, _, _ in delivered)
        await release.wait()
        return await write(delivered)

    sender._delivered.run_group = held
    return began


async def undelivered(db: AsyncEngine) -> int:
    async with reading(db) as conn:
        return len((await conn.execute(select(T.outbox.c.id).where(T.outbox.c.delivered_at.is_(None)))).all())


async def test_the_next_message_goes_out_while_the_previous_one_is_being_recorded(db: AsyncEngine) -> None:
    await enqueue(db, ("ana", "slack", "a1"), ("ana", "slack", "a2"), ("ana", "slack", "a3"))
    phone, release, wall = Phone(), asyncio.Event(), Wall()
    sender = OutboxSender(db, ManualClock(START), {"slack": phone}, concurrency=4, heartbeat=Heartbeat(5, 15, wall))
    slow_recording(sender, release)
    draining = asyncio.create_task(sender.drain())
    await until(lambda: len(phone.got) == 3)  # all three handed over, in order...
    assert phone.got == [("ana", "a1"), ("ana", "a2"), ("ana", "a3")]
    assert await undelivered(db) == 3  # ...while none is recorded yet
    assert not draining.done()  # the drain ends only once they are
    release.set()
    assert await draining == 3
    assert await undelivered(db) == 0
    assert sorted(int(str(e["outbox"])) for e in await delivered_entries(db)) == [1, 2, 3]  # each once


async def test_a_card_is_recorded_before_the_next_message_to_that_person(db: AsyncEngine) -> None:
    await enqueue(db, ("ana", "slack", "a1"), ("ana", "slack", "a2"))
    phone, release, wall = CardPhone(), asyncio.Event(), Wall()
    sender = OutboxSender(db, ManualClock(START), {"slack": phone}, concurrency=4, heartbeat=Heartbeat(5, 15, wall))
    began = slow_recording(sender, release)
    draining = asyncio.create_task(sender.drain())
    await until(lambda: began == [1])
    await asyncio.sleep(0.2)
    assert phone.got == [("ana", "a1")]  # a2 may update a1's card: it waits for a1's place to be written
    release.set()
    assert await draining == 2
    assert phone.got == [("ana", "a1"), ("ana", "a2")]
    async with reading(db) as conn:
        refs = (await conn.execute(select(T.message_refs.c.ref).order_by(T.message_refs.c.ref))).scalars().all()
    assert refs == ["card:a1", "card:a2"]


async def test_a_message_committed_while_a_delivery_round_is_ending_still_goes_out(db: AsyncEngine) -> None:
    """A commit kicks the sender just as its round is ending (after its last look for rows):
    that kick finds the round still running, and the new message must still go out then,
    not at the next heartbeat."""
    await enqueue(db, ("ana", "slack", "a1"))
    phone, wall = Phone(), Wall()
    sender = OutboxSender(db, ManualClock(START), {"slack": phone}, concurrency=4, heartbeat=Heartbeat(60, 180, wall))
    arm_wake, late = sender._arm_wake, []

    async def commit_while_ending() -> None:
        if not late:
            late.append(True)
            await enqueue(db, ("ben", "slack", "b1"))  # committed after the round's last lease...
            sender.kick()  # ... and announced while the round still runs
        await arm_wake()

    sender._arm_wake = commit_while_ending  # type: ignore[method-assign]
    sender.kick()
    await until(lambda: ("ben", "b1") in phone.got)
    assert phone.got == [("ana", "a1"), ("ben", "b1")]
    await sender.stop()
