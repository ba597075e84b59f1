"""Who goes first: deliveries wait for inbound work, and a group commit waits until at
least as many commands wait as webhooks are still being read (a lone press never waits)."""

from __future__ import annotations

import asyncio

from bot.grouping import GroupCommit
from bot.priority import Inbound


async def test_a_lone_command_starts_its_group_at_once() -> None:
    inbound = Inbound()
    async with inbound.request(), inbound.command():  # its own webhook, its command arrived
        await asyncio.wait_for(inbound.enough_waiting(lambda: 1, gap=5.0, at_most=5.0), 0.1)


async def test_a_burst_is_split_when_half_of_it_has_arrived() -> None:
    """Ten webhooks being read: the first group starts once five commands wait, not with
    the first one alone nor after the last one."""
    inbound = Inbound()
    groups: list[int] = []
    release = asyncio.Event()

    async def run_group(jobs: list[int]) -> list[int]:
        groups.append(len(jobs))
        await release.wait()
        return jobs

    group = GroupCommit(run_group, before=lambda: inbound.enough_waiting(lambda: group.queued, 1.0, 5.0))

    async def press(n: int, reading: float) -> int:
        async with inbound.request():
            await asyncio.sleep(reading)  # Bolt reading the request
            async with inbound.command():
                (result,) = await group.submit([n])
                return result

    presses = [asyncio.create_task(press(n, 0.01 * n)) for n in range(10)]
    await asyncio.sleep(0.3)
    assert groups == [5]  # 0..4 arrived: as many waiting as still being read
    release.set()
    assert [await p for p in presses] == list(range(10))
    assert groups == [5, 5]


async def test_a_webhook_that_brings_no_command_holds_a_group_at_most_the_gap() -> None:
    inbound = Inbound()
    async with inbound.request():  # say, a press that opens a modal: no command
        async with inbound.request(), inbound.command():
            started = asyncio.get_running_loop().time()
            await inbound.enough_waiting(lambda: 0, gap=0.05, at_most=5.0)
            assert asyncio.get_running_loop().time() - started < 0.5


async def test_deliveries_wait_while_a_webhook_is_answered_but_never_for_long() -> None:
    inbound = Inbound()
    await asyncio.wait_for(inbound.quiet(at_most=5.0), 0.1)  # nothing under way
    async with inbound.request():
        waiting = asyncio.create_task(inbound.quiet(at_most=5.0))
        await asyncio.sleep(0.05)
        assert not waiting.done()
    await asyncio.wait_for(waiting, 0.1)  # goes as soon as the answer is out
    async with inbound.request():
        await asyncio.wait_for(inbound.quiet(at_most=0.05), 1.0)  # a flood slows deliveries, never stops them
