"""The inbox (bot/inbox.py) as people notice it, on the real runtime and a real SQLite
file whose write lock another connection holds: a command that cannot be committed in
time is kept, survives a crash, counts once, and its person learns whether it was taken."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from flows.clock import ManualClock
from flows.commands import Press, Say
from flows.messages import Action
from persistence import repository as repo
from persistence.database import reading
from persistence.spool import Entry, Spool
from tests.dblock import WriteLock, sqlite_file
from tests.support import START, Chat, settings_for

ENTEL = "Contacto con Entel"


def button(chat: Chat, name: str, label: str, containing: str) -> Action:
    pid = chat.pid(name)
    for recipient, message in reversed(chat.transport.sent):
        if recipient == pid and containing in message.text:
            for b in message.buttons:
                if b.label == label:
                    return b.action
    raise AssertionError(f"{name} has no {label!r} on {containing!r}")


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait for background work of the runtime (the first attempt, the retries)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def entel_owner(chat: Chat) -> str | None:
    async with reading(chat.rt.db) as conn:
        crisis_id = await repo.open_crisis_id(conn, chat.rt.playbook.id)
        assert crisis_id is not None
        crisis = await repo.load_crisis(conn, crisis_id)
    assert crisis is not None
    return crisis.tasks["entel"].owner


async def claims(chat: Chat) -> int:
    async with reading(chat.rt.db) as conn:
        crisis_id = await repo.open_crisis_id(conn, chat.rt.playbook.id)
        assert crisis_id is not None
        return sum(e.kind == "claimed" for e in await repo.crisis_log(conn, crisis_id))


def yours(*chats: Chat) -> int:
    return sum(len(c.received("Cecilia", "es tuya")) for c in chats)


async def test_in_time_nothing_is_kept(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    chat = await Chat.open(settings)
    try:
        await chat.say("Jaime", "ALERTA ROJA: caída")
        press = Press(chat.pid("Cecilia"), button(chat, "Cecilia", "Lo tomo", ENTEL), "test")
        taken = await chat.rt.inbox.take(press, "test:1", within=2.0)
        assert not taken.spooled and taken.outcome is not None
        assert not settings.inbox_path.exists()  # the spool is made only when something is kept
    finally:
        await chat.close()


@pytest.mark.parametrize("late_commit", [False, True], ids=["lock-outlives-attempt", "attempt-commits-late"])
async def test_a_crash_after_the_answer_loses_nothing_and_counts_once(tmp_path: Path, late_commit: bool) -> None:
    # With a busy timeout longer than the lock, the first attempt commits late, just
    # before the «crash»; else it fails while the lock is held and only the spool has it.
    settings = settings_for(tmp_path, sqlite_busy_timeout_ms=3000 if late_commit else 100, inbox_retry_seconds=0.05)
    first = await Chat.open(settings, ManualClock(START))
    second: Chat | None = None
    try:
        await first.say("Jaime", "ALERTA ROJA: caída")
        press = Press(first.pid("Cecilia"), button(first, "Cecilia", "Lo tomo", ENTEL), "test")
        lock = WriteLock(sqlite_file(settings)).hold()
        try:
            taken = await first.rt.inbox.take(press, "test:press-1", within=0.2, what="Lo tomo")
            assert taken.spooled and Spool(settings.inbox_path).pending()  # on disk before the answer
            if not late_commit:
                await until(lambda: not first.rt.inbox.in_flight)  # the first attempt gave up on the lock
            await first.rt.inbox.stop()  # the process dies: nothing of its inbox runs any more
        finally:
            lock.release()
        if late_commit:
            await until(lambda: yours(first) == 1)  # the first attempt got the lock and committed
        assert await entel_owner(first) == (first.pid("Cecilia") if late_commit else None)

        second = await Chat.open(settings, ManualClock(START))  # the same files: the spool is replayed
        assert await entel_owner(second) == second.pid("Cecilia")
        assert await claims(second) == 1
        assert yours(first, second) == 1  # she is told once that it is hers
        assert second.rt.inbox.pending == 0 and Spool(settings.inbox_path).pending() == []
    finally:
        await first.close()
        if second is not None:
            await second.close()


async def test_a_command_never_committed_is_reported_not_taken(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, sqlite_busy_timeout_ms=100, inbox_retry_seconds=0.05)
    clock = ManualClock(START)
    chat = await Chat.open(settings, clock)
    try:
        await chat.say("Jaime", "ALERTA ROJA: caída")
        press = Press(chat.pid("Cecilia"), button(chat, "Cecilia", "Lo tomo", ENTEL), "test")
        with WriteLock(sqlite_file(settings)):
            taken = await chat.rt.inbox.take(press, "test:press-1", within=0.2, what="Lo tomo")
            assert taken.spooled
            await until(lambda: not chat.rt.inbox.in_flight)
            await chat.rt.inbox.retry()  # within its ten minutes a failed retry tells nobody anything
            assert chat.rt.inbox.pending == 1 and not chat.received("Cecilia", "No pude registrar")
            clock.advance(timedelta(minutes=10))
            await until(lambda: bool(chat.received("Cecilia", "No pude registrar")))  # given up, lock held
        assert chat.rt.inbox.pending == 0
        [told] = chat.received("Cecilia", "No pude registrar «Lo tomo» (de las 09:00)")
        assert "vuelve a intentarlo" in told.text
        await chat.rt.inbox.retry()
        assert await entel_owner(chat) is None and await claims(chat) == 0  # and indeed it was not taken
        assert Spool(settings.inbox_path).pending() == []
    finally:
        await chat.close()


async def test_a_process_replays_only_the_commands_of_its_own_transports(tmp_path: Path) -> None:
    # `crisisbot run` (the terminal) beside `serve`: Slack's kept «ALERTA ROJA» is serve's to replay
    settings = settings_for(tmp_path)
    spool = Spool(settings.inbox_path)
    await spool.aput(Entry("e1", "slack:event:Ev1", Say("jaime", "ALERTA ROJA", "slack"), START, what="ALERTA ROJA"))
    chat = await Chat.open(settings)
    try:
        assert chat.rt.inbox.pending == 0 and len(spool.pending()) == 1
        assert not chat.transport.sent  # no crisis declared from here
    finally:
        await chat.close()
