"""Fewer, better messages (issue 11, point 5), read like the chat on a phone: a channel
that cannot edit what it sent and has no group (WhatsApp, SMS), so every message counts.

Timers due together send the latest state once; what one command has for one person
comes as one digest that still lets them act; a card redrawn only to show somebody
else's progress is not a new message there (Slack still redraws it in place)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bench.message_count import play
from flows.messages import ActionKind
from tests.support import ROOT, Chat, RecordingTransport, settings_for


def phone() -> RecordingTransport:
    return RecordingTransport(group_mode="relay", edits_in_place=False)


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    conversation = await Chat.open(settings_for(tmp_path), transport=phone())
    try:
        yield conversation
    finally:
        await conversation.close()


def per_person(chat: Chat, batch: list) -> Counter[str]:
    names = {p.id: p.name for p in chat.rt.directory.people}
    return Counter(names.get(to, to) for to, _ in batch)


async def through_step_7(chat: Chat) -> None:
    """Steps 1 to 7 done, so that FIN DE LA CRISIS closes without anything open."""
    await chat.say("Jaime", "ALERTA ROJA: se cayó el servidor principal")
    await chat.say("Cecilia", "hecho 2")
    await chat.say("Cecilia", "4455-AB")
    await chat.say("Jaime", "hecho 3")
    await chat.press("Jaime", "Dar por cumplido", containing="por todos?")
    await chat.say("Valeria", "hecho 4")
    await chat.say("Luis", "hecho 5")
    await chat.say("Marcelo", "hecho 6")
    await chat.say("Claudia Martínez", "hecho 7")


async def test_an_hour_with_untaken_closing_tasks_is_one_message_each_not_thirteen(chat: Chat) -> None:
    await through_step_7(chat)
    await chat.say("Jaime", "FIN DE LA CRISIS")
    assert chat.received("Luis", "📋 Paso 8b · Informar a los clientes")
    chat.new()

    await chat.advance("1h")  # /avanzar 1h: reminders 1 and 2, escalation and deadline of 8b-8e all due

    burst = chat.new()
    counts = per_person(chat, burst)
    assert counts and max(counts.values()) == 1, counts  # was 13 for Juan Pablo
    [luis] = chat.inbox("Luis")[-1:]
    assert luis.fresh and "⏰ Recordatorio: la tarea 8b (Informar a los clientes)" in luis.text
    assert luis.text.count("Recordatorio: la tarea 8b") == 1  # reminder 2 only, not 1 and 2
    for number in ("8b", "8c", "8d", "8e"):
        assert f"hecho {number}" in luis.text
        assert f"Hecho · {number}" in [b.label for b in luis.buttons]
    [jp] = chat.inbox("Juan Pablo")[-1:]  # a coordinator and responsible: the latest state, «vencida»
    assert "🔺 Vencida: la tarea 8b (Informar a los clientes)" in jp.text
    assert "Recordatorio" not in jp.text and "Escalamiento: la tarea 8b" not in jp.text

    await chat.say("Jaime", "bitácora")  # the bitácora too: reminder 2 of each task, not 1 and 2 at the same minute
    log = chat.inbox("Jaime")[-1].text
    assert "Recordatorio 2 de la tarea 8b" in log and "Recordatorio 1 de la tarea 8b" not in log

    await chat.press("Luis", "Lo tomo · 8c")  # the digest still lets him act on each task
    assert chat.received("Luis", "Listo, la tarea 8c (Quitar el banner de fullpyme.cl) es tuya.")


async def test_a_restart_with_overdue_timers_sends_the_latest_state_once(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    first = await Chat.open(settings, transport=phone())
    await first.say("Jaime", "ALERTA ROJA: se cayó el servidor principal")
    await first.close()
    first.clock.advance(timedelta(hours=1))  # down for an hour

    again = await Chat.open(settings, clock=first.clock, transport=phone())  # start-up fires what is overdue
    try:
        await again.rt.outbox.drain()
        counts = per_person(again, again.new())
        assert counts and max(counts.values()) == 1, counts
        [valeria] = again.inbox("Valeria")
        assert valeria.text.count("⏰ Recordatorio: la tarea 4 (Banner de emergencia en fullpyme.cl)") == 1
        assert "hecho 5" in valeria.text and "leído 3" in valeria.text
        [jaime] = again.inbox("Jaime")
        assert "🔺 Vencida: la tarea 4" in jaime.text and "Recordatorio: la tarea 4" not in jaime.text
    finally:
        await again.close()


async def test_what_one_command_opens_for_a_person_is_one_digest_that_lets_them_act(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: se cayó el servidor principal")

    [digest] = chat.inbox("Cecilia")  # the announcement and her five cards, one message
    assert digest.text.startswith("🚨 ALERTA ROJA · decretada por Jaime")
    for title in ("Paso 2 · Contacto con Entel", "Paso 3 · Atención", "Paso 4 · Banner", "Paso 5 · Email masivo",
                  "Paso 6 · Desactivar Timify"):
        assert title in digest.text
    assert "→ tomo 4 · hecho 4 · no puedo 4" in digest.text and "→ leído 3" in digest.text
    assert {b.action.ref.partition("/")[2] for b in digest.buttons} == {"entel", "atencion", "banner", "email", "timify"}
    assert digest.buttons[0].label == "Lo tomo · 6"  # a bare «1» still takes the newest card

    await chat.press("Cecilia", "Lo tomo · 4")
    await chat.say("Cecilia", "leído 3")
    assert chat.received("Cecilia", "Listo, la tarea 4 (Banner de emergencia en fullpyme.cl) es tuya.")
    assert chat.received("Cecilia", "quedó registrado que leíste el paso 3")


async def test_somebody_elses_take_is_no_new_message_on_a_phone(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA")
    chat.new()
    await chat.say("Cecilia", "tomo 2")
    got = chat.new()
    assert [to for to, _ in got] == [chat.pid("Cecilia")]  # Luis, Jaime... see it on «estado», not as a new line
    [mine] = [m for _, m in got]
    assert "Listo, la tarea 2 (Contacto con Entel) es tuya." in mine.text  # her answer and her card, together
    assert [b.action.kind for b in mine.buttons] == [ActionKind.COMPLETE, ActionKind.GIVE_UP]


async def test_on_a_channel_that_edits_in_place_each_card_is_still_its_own_message(tmp_path: Path) -> None:
    rich = await Chat.open(settings_for(tmp_path))  # Slack-like: cards redrawn in place, no digest
    try:
        await rich.say("Jaime", "ALERTA ROJA")
        assert len(rich.received("Cecilia", "📋 Paso")) == 5
        await rich.say("Cecilia", "tomo 2")
        assert rich.received("Luis", "🟡 La tomó Cecilia")  # the redraw, edited in place there
    finally:
        await rich.close()


BASELINE = json.loads((Path(__file__).parent / "simulacro_baseline.json").read_text(encoding="utf-8"))
"""What the shipped simulacro sent on a phone before this change (bench/message_count.py,
docs/messages.md): the totals and every (person, task) somebody was asked to act on."""


async def test_the_simulacro_sends_half_as_many_messages_and_drops_no_request_to_act() -> None:
    counts = await play(ROOT / "examples" / "simulacro.txt", mode="phone")
    assert counts.total * 2 <= BASELINE["total"], counts.total
    worst, who = counts.worst_window(replies=False)
    assert worst <= 3, (worst, who)  # news nobody asked for, in any 10 minutes
    asked = {(to, what) for to, what in counts.asked() if what != "question"}
    assert {tuple(pair) for pair in BASELINE["asked"]} <= asked
