"""Drills announced ahead or kept as a surprise (issue 14 point 1), read like the chat:
«SIMULACRO el jueves 26/11 a las 10:00» tells everybody now (their language, their time)
and starts the drill then, once, even across a restart and two replicas; «SIMULACRO
sorpresa …» tells the declarer alone; «SIMULACRO cancelar» tells those who were told; a
crisis open at that time keeps the drill from starting and the declarer is told why.
START is Monday 23 November 2026, 09:00 in Santiago."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from flows.messages import GROUP
from tests.support import Chat, directory_with, settings_for

ANNOUNCED = "🧪 Simulacro programado para el jueves 26 de noviembre a las 10:00"
STARTED = "Simulacro iniciado por Jaime"


@pytest.fixture
async def mixed(tmp_path: Path) -> AsyncIterator[Chat]:
    """The test directory, Luis reading English in La Paz (one hour behind Santiago)."""
    directory = directory_with(tmp_path, {"Luis": "lang: en\ntimezone: America/La_Paz"})
    chat = await Chat.open(settings_for(tmp_path, directory=directory))
    try:
        yield chat
    finally:
        await chat.close()


def started(chat: Chat) -> list[str]:
    return [m.text for m in chat.inbox("grupo") if STARTED in m.text]


async def test_a_drill_announced_ahead_tells_everybody_now_and_starts_at_its_time(mixed: Chat) -> None:
    chat = mixed
    await chat.say("Jaime", "SIMULACRO el jueves 26/11 a las 10:00 se cae la web")
    sent = chat.new()
    group = [m for to, m in sent if to == GROUP]
    assert len(group) == 1 and group[0].text.startswith(ANNOUNCED + ", anunciado por Jaime")
    assert "Escenario: «se cae la web»" in group[0].text
    staff = {to for to, m in sent if to != GROUP and m.text.startswith("🧪")}
    assert staff == {p.id for p in chat.rt.directory.people} - {chat.pid("Jaime")}
    [luis] = chat.inbox("Luis")  # English, La Paz time
    assert luis.text.startswith("🧪 Drill scheduled for Thursday 26 November at 09:00 (La Paz time), announced by Jaime")
    [jaime] = chat.inbox("Jaime")
    assert jaime.text.startswith("✅ Simulacro programado para el jueves 26 de noviembre a las 10:00. Se avisó a todos")
    assert "«SIMULACRO cancelar»" in jaime.text
    await chat.advance("3d")  # Thursday 09:00: not yet
    assert started(chat) == [] and await chat.open_crisis() is None
    await chat.advance("1h")
    assert len(started(chat)) == 1
    crisis = await chat.open_crisis()
    assert crisis is not None and crisis.drill and crisis.description == "se cae la web"
    assert chat.inbox("Luis")[-1].text.startswith("🧪 DRILL · ")
    await chat.advance("1h")
    assert len(started(chat)) == 1  # once


async def test_a_surprise_drill_is_told_to_its_declarer_alone(chat: Chat) -> None:
    await chat.say("Jaime", "SIMULACRO sorpresa mañana 9:30")
    sent = chat.new()
    assert [(to, m.text.split(".")[0]) for to, m in sent] == [
        (chat.pid("Jaime"), "🤫 Simulacro sorpresa programado para el martes 24 de noviembre a las 09:30")]
    await chat.say("Valeria", "estado")  # a surprise is not mentioned
    assert chat.inbox("Valeria")[-1].text == "No hay ninguna crisis abierta."
    await chat.advance("24h30m")
    assert len(started(chat)) == 1
    crisis = await chat.open_crisis()
    assert crisis is not None and crisis.drill


async def test_estado_mentions_a_drill_announced_ahead(chat: Chat) -> None:
    await chat.say("Jaime", "SIMULACRO el 26/11 a las 10:00")
    await chat.say("Valeria", "estado")
    assert chat.inbox("Valeria")[-1].text == (
        "No hay ninguna crisis abierta.\n🧪 Hay un simulacro programado para el jueves 26 de noviembre a las 10:00.")


async def test_cancelling_tells_those_who_were_told_and_nothing_starts(chat: Chat) -> None:
    await chat.say("Jaime", "SIMULACRO el 26/11 a las 10:00")
    chat.new()
    await chat.say("Cecilia", "SIMULACRO cancelar")
    sent = chat.new()
    cancelled = "🧪 Simulacro anulado: el del jueves 26 de noviembre a las 10:00 ya no se hará. Lo anuló Cecilia."
    assert {to for to, m in sent if m.text == cancelled} == {GROUP, *(p.id for p in chat.rt.directory.people)}
    await chat.advance("4d")
    assert started(chat) == [] and await chat.open_crisis() is None
    await chat.say("Cecilia", "SIMULACRO cancelar")
    assert chat.inbox("Cecilia")[-1].text == "No hay ningún simulacro programado."


async def test_cancelling_a_surprise_tells_only_its_declarer_and_who_cancelled(chat: Chat) -> None:
    await chat.say("Jaime", "SIMULACRO sorpresa el 26/11 a las 10:00")
    chat.new()
    await chat.say("Cecilia", "SIMULACRO cancelar")
    assert sorted(to for to, _ in chat.new()) == sorted([chat.pid("Jaime"), chat.pid("Cecilia")])


async def test_a_crisis_open_at_that_time_keeps_the_drill_from_starting_and_the_declarer_is_told(chat: Chat) -> None:
    await chat.say("Jaime", "SIMULACRO sorpresa el 23/11 a las 10:00")
    await chat.say("Catalina", "ALERTA ROJA: se cayó la web")
    await chat.advance("1h")
    assert chat.inbox("Jaime")[-1].text == (
        "🧪 Tu simulacro programado para las 10:00 no empezó: hay una crisis real abierta desde las 09:00.")
    crisis = await chat.open_crisis()
    assert crisis is not None and not crisis.drill
    assert started(chat) == []


async def test_only_declarers_schedule_and_a_bad_time_is_refused_with_an_example(chat: Chat) -> None:
    await chat.say("Luis", "SIMULACRO el 26/11 a las 10:00")
    assert chat.inbox("Luis")[-1].text.startswith("Solo pueden iniciar un simulacro quienes decretan la crisis:")
    example = ("Por ejemplo: «SIMULACRO el 3/12 a las 10:00 se cae el servidor», «SIMULACRO mañana 9:00» o "
               "«SIMULACRO sorpresa jueves 10:00» (hora de Santiago).")
    await chat.say("Jaime", "SIMULACRO el 23/11 a las 8:00")
    assert chat.inbox("Jaime")[-1].text == "El lunes 23 de noviembre a las 08:00 ya pasó. " + example
    await chat.say("Jaime", "SIMULACRO el 31/11 a las 10:00")
    assert chat.inbox("Jaime")[-1].text == "No entendí la fecha y hora «el 31/11 a las 10:00». " + example
    await chat.say("Jaime", "SIMULACRO el jueves")
    assert chat.inbox("Jaime")[-1].text == "Falta la hora en «el jueves». " + example
    await chat.say("Jaime", "SIMULACRO el martes 26/11 a las 10:00")
    assert chat.inbox("Jaime")[-1].text == "El 26/11/2026 es jueves, no martes. " + example
    assert await chat.open_crisis() is None
    await chat.say("Jaime", "SIMULACRO el 26/11 a las 10:00")
    await chat.say("Luis", "SIMULACRO cancelar")  # nor cancel
    assert chat.inbox("Luis")[-1].text.startswith("Solo pueden iniciar un simulacro quienes decretan la crisis:")
    await chat.advance("3d1h")
    assert len(started(chat)) == 1


async def test_a_description_with_numbers_starts_the_drill_now(chat: Chat) -> None:
    await chat.say("Jaime", "SIMULACRO 24/7 caído en 3 sucursales")
    crisis = await chat.open_crisis()
    assert crisis is not None and crisis.drill and crisis.description == "24/7 caído en 3 sucursales"


async def test_a_second_drill_cannot_be_scheduled_while_one_waits(chat: Chat) -> None:
    await chat.say("Jaime", "SIMULACRO el 26/11 a las 10:00")
    await chat.say("Cecilia", "SIMULACRO el viernes 27/11 a las 10:00")
    assert chat.inbox("Cecilia")[-1].text == ("Ya hay un simulacro programado para el jueves 26 de noviembre a las "
                                             "10:00 (de Jaime). Para cambiarlo, primero escribe «SIMULACRO cancelar».")


async def test_the_schedule_survives_a_restart_and_two_replicas_start_it_once(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    first = await Chat.open(settings)
    await first.say("Jaime", "SIMULACRO el 26/11 a las 10:00")
    await first.close()  # a restart
    a, b = await Chat.open(settings), await Chat.open(settings)
    try:
        for replica in (a, b):
            replica.clock.advance(a.clock.now().replace(day=26, hour=13) - replica.clock.now())
        await asyncio.gather(a.rt.timers.sweep(), b.rt.timers.sweep())
        await asyncio.gather(a.rt.outbox.drain(), b.rt.outbox.drain())
        assert len(started(a)) + len(started(b)) == 1
        crisis = await a.open_crisis()
        assert crisis is not None and crisis.drill
    finally:
        await a.close()
        await b.close()


async def test_an_announced_drill_that_cannot_start_is_called_off_to_all_who_were_told(chat: Chat) -> None:
    """Everybody was told «at 10:00 the bot will write to you as in a crisis»: when a real
    crisis keeps it from starting, they are told it will not, and that what is open is real
    (review of issue 14: only its declarer was told)."""
    await chat.say("Jaime", "SIMULACRO el 23/11 a las 10:00")
    await chat.say("Catalina", "ALERTA ROJA: se cayó la web")
    chat.new()
    await chat.advance("1h")
    told = {to for to, m in chat.new() if m.text.startswith("🧪 El simulacro anunciado para el lunes 23 de noviembre a las 10:00")
            and m.text.endswith("no se hará. Si hay una crisis abierta, es REAL.")}
    assert told == {GROUP, *(p.id for p in chat.rt.directory.people)} - {chat.pid("Jaime")}
    assert chat.received("Jaime", "no empezó: hay una crisis real abierta")
