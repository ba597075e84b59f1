"""The group commit as people notice it: a burst of presses handled together ends as if
handled one by one, a repeat is dropped, a faulty command fails alone, a second process's
change is seen, deliveries wait for inbound work, and the sweep is armed from new timers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.runtime import Runtime
from flows import engine
from flows.clock import ManualClock
from flows.commands import Command, Press, Say
from flows.crisis import Crisis
from flows.messages import GROUP, Action, ActionKind
from flows.world import Outcome, World
from persistence import repository as repo
from tests.support import START, Chat, RecordingTransport, minutes, settings_for


async def crisis_id(chat: Chat) -> str:
    async with chat.rt.db.connect() as conn:
        found = await repo.open_crisis_id(conn, chat.rt.playbook.id)
    assert found is not None
    return found


async def stored_crisis(chat: Chat) -> Crisis:
    async with chat.rt.db.connect() as conn:
        crisis = await repo.load_crisis(conn, await crisis_id(chat))
    assert crisis is not None
    return crisis


async def log_lines(chat: Chat) -> list[tuple[str, str | None, object]]:
    """The bitácora without deliveries, as (kind, person, step)."""
    async with chat.rt.db.connect() as conn:
        entries = await repo.crisis_log(conn, await crisis_id(chat), with_deliveries=False)
    return [(e.kind, e.person, e.data.get("step")) for e in entries]


async def press(chat: Chat, person: str, kind: ActionKind, step: str) -> Press:
    return Press(person, Action(kind, f"{await crisis_id(chat)}/{step}"), "test")


async def test_two_claims_in_the_same_instant_the_first_wins_the_second_is_told(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA")
    cecilia, luis = await press(chat, "cecilia", ActionKind.CLAIM, "entel"), await press(chat, "luis", ActionKind.CLAIM, "entel")
    first, second = await asyncio.gather(chat.rt.service.handle(cecilia), chat.rt.service.handle(luis))
    await chat.rt.outbox.drain()
    assert isinstance(first, Outcome) and isinstance(second, Outcome)
    assert (await stored_crisis(chat)).tasks["entel"].owner == "cecilia"
    assert chat.received("Cecilia", "Listo, la tarea 2 (Contacto con Entel) es tuya.")
    assert chat.received("Luis", "La tarea 2 ya la tomó Cecilia a las 09:00.")
    assert not chat.received("Luis", "Listo, la tarea 2")
    assert [line for line in await log_lines(chat) if line[0] == "claimed"] == [("claimed", "cecilia", "entel")]


async def test_the_same_event_twice_in_one_burst_is_handled_once(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA")
    status = Say("luis", "estado", "test")
    outcomes = await asyncio.gather(chat.rt.service.handle(status, event_key="slack:Ev1"),
                                    chat.rt.service.handle(status, event_key="slack:Ev1"))
    await chat.rt.outbox.drain()
    assert sorted(o is None for o in outcomes) == [False, True]
    assert len([m for m in chat.inbox("Luis") if m.kind == "status"]) == 1
    assert [line for line in await log_lines(chat) if line[0] == "status"] == [("status", "luis", None)]


BURST = [
    ("cecilia", ActionKind.CLAIM, "entel"), ("valeria", ActionKind.CLAIM, "banner"),
    ("luis", ActionKind.CLAIM, "banner"), ("luis", ActionKind.CLAIM, "email"), ("marcelo", ActionKind.CLAIM, "timify"),
    ("jaime", ActionKind.ACK, "atencion"), ("catalina", ActionKind.ACK, "atencion"),
    ("valeria", ActionKind.COMPLETE, "banner"), ("cecilia", ActionKind.COMPLETE, "entel"),
]


Burst = tuple[dict[str, tuple[str, str | None, list[str], str | None]], list[tuple[str, str | None, object]],
              list[tuple[str, str]], list[str]]


async def run_burst(tmp_path: Path, together: bool) -> Burst:
    """ALERTA ROJA, then the presses of BURST; returns the tasks as stored, the bitácora,
    what each person received after the alert, and the live summaries the group got
    (crisis ids blanked out, as each run has its own)."""
    tmp_path.mkdir()
    chat = await Chat.open(settings_for(tmp_path))
    try:
        await chat.say("Jaime", "ALERTA ROJA")
        chat.new()
        commands = [await press(chat, who, kind, step) for who, kind, step in BURST]
        if together:
            outcomes = await asyncio.gather(*(chat.rt.service.handle(c) for c in commands))
        else:
            outcomes = [await chat.rt.service.handle(c) for c in commands]
        assert all(isinstance(o, Outcome) for o in outcomes)
        await chat.rt.outbox.drain()
        cid, sent = await crisis_id(chat), chat.new()
        tasks = {s: (t.state.value, t.owner, sorted(t.acks), t.asking) for s, t in (await stored_crisis(chat)).tasks.items()}
        people = [(r, m.text.replace(cid, "ID")) for r, m in sent if r != GROUP]
        summaries = [m.text.replace(cid, "ID") for r, m in sent if r == GROUP and m.kind == "summary"]
        return tasks, await log_lines(chat), people, summaries
    finally:
        await chat.close()


async def test_a_burst_ends_as_one_by_one_with_a_single_live_summary(tmp_path: Path) -> None:
    tasks, log, people, summaries = await run_burst(tmp_path / "burst", together=True)
    one_by_one = await run_burst(tmp_path / "single", together=False)
    assert tasks == one_by_one[0]
    assert tasks["entel"][3] == "cecilia"  # the last press of the burst was handled: the ticket is asked
    assert log == one_by_one[1]
    assert people == one_by_one[2]  # each presser got their answer and cards, in the same order
    assert ("luis", "La tarea 4 ya la tomó Valeria a las 09:00.") in people
    assert len(one_by_one[3]) > 1
    assert summaries == one_by_one[3][-1:]  # one summary for the whole burst: the newest


async def test_a_faulty_command_fails_alone_and_the_others_are_committed(chat: Chat,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    await chat.say("Jaime", "ALERTA ROJA")
    real = engine.handle

    def faulty(world: World, command: Command) -> Outcome:
        if isinstance(command, Press) and command.person == "luis":
            raise RuntimeError("boom")
        return real(world, command)

    monkeypatch.setattr("bot.service.crisis_engine.handle", faulty)
    commands = [await press(chat, "cecilia", ActionKind.CLAIM, "entel"), await press(chat, "luis", ActionKind.CLAIM, "banner"),
                await press(chat, "valeria", ActionKind.CLAIM, "email")]
    results = await asyncio.gather(*(chat.rt.service.handle(c) for c in commands), return_exceptions=True)
    assert isinstance(results[0], Outcome) and isinstance(results[2], Outcome)
    assert isinstance(results[1], RuntimeError) and str(results[1]) == "boom"
    tasks = (await stored_crisis(chat)).tasks
    assert (tasks["entel"].owner, tasks["banner"].owner, tasks["email"].owner) == ("cecilia", None, "valeria")
    claims = [line for line in await log_lines(chat) if line[0] == "claimed"]
    assert claims == [("claimed", "cecilia", "entel"), ("claimed", "valeria", "email")]
    await chat.rt.outbox.drain()
    assert chat.received("Cecilia", "Listo, la tarea 2 (Contacto con Entel) es tuya.")
    assert chat.received("Valeria", "Listo, la tarea 5 (Email masivo) es tuya.")

    monkeypatch.undo()  # the service keeps working
    await chat.press("Luis", "Lo tomo", containing="Banner")
    assert chat.received("Luis", "Listo, la tarea 4 (Banner de emergencia en fullpyme.cl) es tuya.")
    assert (await stored_crisis(chat)).tasks["banner"].owner == "luis"


async def test_a_change_by_another_process_is_seen(tmp_path: Path) -> None:
    """Two processes on one database and one chat platform (either may deliver a row)."""
    settings, transport = settings_for(tmp_path), RecordingTransport()
    first, second = [Chat(await Runtime.build(settings, {transport.name: transport}, clock), transport, clock)
                     for clock in (ManualClock(START), ManualClock(START))]
    try:
        await first.say("Jaime", "ALERTA ROJA")
        await first.press("Valeria", "Lo tomo", containing="Banner")  # the first process keeps this world
        await second.rt.service.handle(await press(second, "cecilia", ActionKind.CLAIM, "entel"))
        await first.press("Luis", "Lo tomo", containing="Contacto con Entel")
        await second.rt.outbox.drain()
        assert first.received("Luis", "La tarea 2 ya la tomó Cecilia a las 09:00.")
        assert not first.received("Luis", "Listo, la tarea 2")
        tasks = (await stored_crisis(first)).tasks
        assert (tasks["entel"].owner, tasks["banner"].owner) == ("cecilia", "valeria")
    finally:
        await first.close()
        await second.close()


async def test_deliveries_wait_while_inbound_work_is_under_way(chat: Chat) -> None:
    async with chat.rt.service.inbound.request():  # a webhook being answered
        await chat.rt.service.handle(Say("luis", "estado", "test"))  # committed, delivery kicked
        chat.rt.outbox.kick()
        await asyncio.sleep(0.05)
        assert chat.transport.sent == []
        async with chat.rt.db.connect() as conn:
            assert len(await repo.pending_outbox(conn, chat.clock.now())) == 1
    # Well before MAKE_WAY_SECONDS: it goes as soon as nothing inbound is under way.
    await asyncio.wait_for(chat.rt.outbox.drain(), timeout=0.3)
    assert [m.text for m in chat.inbox("Luis")] == ["No hay ninguna crisis abierta."]


async def test_the_alert_arms_the_sweep_for_the_first_reminder(chat: Chat) -> None:
    assert chat.rt.timers.scheduler.get_job("timer-sweep") is None  # nothing pending yet
    await chat.say("Jaime", "ALERTA ROJA")
    first_reminder = chat.clock.to_real(START + minutes(10))
    job = chat.rt.timers.scheduler.get_job("timer-sweep")
    assert job is not None and job.next_run_time == first_reminder
    await chat.press("Cecilia", "Lo tomo", containing="Contacto con Entel")  # a later timer (45 min)
    job = chat.rt.timers.scheduler.get_job("timer-sweep")
    assert job is not None and job.next_run_time == first_reminder  # not moved later
