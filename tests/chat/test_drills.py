"""Drills in the real channels (issue 14, points 1 and 2), read like the chat: SIMULACRO
starts one; every message of it says so, in its reader's language; the public banner never
shows it; the crisis keyword during a drill is asked about; a real crisis ends the drill at
once and says so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from flows.banner import is_up
from flows.messages import GROUP
from tests.support import Chat, directory_with, settings_for

PREFIX = "🧪 SIMULACRO · "


@pytest.fixture
async def mixed(tmp_path: Path) -> AsyncIterator[Chat]:
    """The test directory, Luis reading English."""
    chat = await Chat.open(settings_for(tmp_path, directory=directory_with(tmp_path, {"Luis": "lang: en"})))
    try:
        yield chat
    finally:
        await chat.close()


async def test_a_drill_says_so_in_every_message_in_each_readers_language(mixed: Chat) -> None:
    chat = mixed
    chat.new()
    await chat.say("Catalina", "SIMULACRO: cae el servidor principal")
    await chat.say("Luis", "tomo 2")
    await chat.say("Luis", "hecho 2")
    await chat.say("Luis", "5521-XY")
    await chat.say("Valeria", "estado")
    await chat.advance("10m")  # reminders and escalations of the drill
    sent = chat.new()
    assert len(sent) > 15
    for to, message in sent:
        lang = "en" if to == chat.pid("Luis") else "es"
        expected = "🧪 DRILL · " if lang == "en" else PREFIX
        assert message.text.startswith(expected), (to, message.text)
        for other, text in message.langs:  # the group's text relayed to each phone in its language
            assert text.startswith("🧪 DRILL · " if other == "en" else PREFIX), text
    [announcement] = [m for to, m in sent if to == GROUP and m.kind == "announcement"]
    assert "Simulacro iniciado por Catalina" in announcement.text and "nada de esto es real" in announcement.text
    assert "Tareas:" in announcement.text
    assert any("Drill started by Catalina" in text for _, text in announcement.langs)


async def test_the_public_banner_never_shows_a_drill(chat: Chat) -> None:
    await chat.say("Catalina", "SIMULACRO")
    crisis = await chat.open_crisis()
    assert crisis is not None and crisis.drill and not is_up(crisis)
    await chat.say("Catalina", "banner")
    assert chat.inbox("Catalina")[-1].text.startswith(PREFIX + "📣 En un simulacro el banner del sitio no se publica.")
    await chat.say("Catalina", "banner: Ensayo de corte, sigan atentos")  # rehearsed, never published
    assert chat.inbox("Catalina")[-1].text == (
        PREFIX + "📣 Anotado: el banner habría dicho «Ensayo de corte, sigan atentos» (en un simulacro no se publica).")
    crisis = await chat.open_crisis()
    assert crisis is not None and not is_up(crisis)


async def test_only_declarers_start_a_drill_and_never_over_an_open_crisis(chat: Chat) -> None:
    await chat.say("Luis", "SIMULACRO")
    assert chat.inbox("Luis")[-1].text.startswith("Solo pueden iniciar un simulacro quienes decretan la crisis:")
    assert await chat.open_crisis() is None
    await chat.say("Catalina", "ALERTA ROJA: se cayó la web")
    await chat.say("Jaime", "SIMULACRO")
    assert chat.inbox("Jaime")[-1].text.startswith("Hay una crisis real abierta desde las")
    crisis = await chat.open_crisis()
    assert crisis is not None and not crisis.drill


async def test_the_crisis_keyword_during_a_drill_asks_and_part_of_the_drill_keeps_it(chat: Chat) -> None:
    await chat.say("Catalina", "SIMULACRO")
    await chat.say("Luis", "ALERTA ROJA: no responde Entel")
    [question] = chat.received("Luis", "¿Es una crisis real o parte del simulacro?")
    assert not question.text.startswith(PREFIX)  # the question itself is real
    assert [b.label for b in question.buttons] == ["🚨 Crisis real", "🧪 Parte del simulacro"]
    await chat.press("Luis", "🧪 Parte del simulacro")
    assert chat.inbox("Luis")[-1].text == PREFIX + "Entendido: es parte del simulacro. Sigue el simulacro."
    crisis = await chat.open_crisis()
    assert crisis is not None and crisis.drill


async def test_a_real_crisis_from_a_declarer_ends_the_drill_at_once(chat: Chat) -> None:
    await chat.say("Catalina", "SIMULACRO")
    drill = await chat.open_crisis()
    chat.new()
    await chat.say("Jaime", "ALERTA ROJA: se cayó de verdad el servidor")
    await chat.press("Jaime", "🚨 Crisis real")
    sent = chat.new()
    group = [m.text for to, m in sent if to == GROUP]
    ended = next(i for i, text in enumerate(group) if text.startswith("🚨 El simulacro terminó: Jaime decretó una crisis real"))
    declared = next(i for i, text in enumerate(group) if text.startswith("🚨 ALERTA ROJA · decretada por Jaime"))
    assert ended < declared
    assert "se cayó de verdad el servidor" in group[declared]
    assert not any(m.text.startswith(PREFIX) for to, m in sent if to == GROUP and m.kind != "summary"
                   and m.text in group[ended:])  # the real crisis is not marked
    # the drill's live message and its cards are redrawn as ended: no button left to press on them
    assert any(to == GROUP and m.ref == f"summary:{drill.id}" for to, m in sent)
    redrawn = [m for to, m in sent if to == chat.pid("Luis") and (m.ref or "").startswith(f"card:{drill.id}/")]
    assert redrawn and all(not m.buttons and m.text.startswith(PREFIX) for m in redrawn)
    crisis = await chat.open_crisis()
    assert crisis is not None and not crisis.drill and crisis.id != drill.id and is_up(crisis)
    await chat.say("Luis", "hecho 2")
    assert not chat.inbox("Luis")[-1].text.startswith(PREFIX)


async def test_a_real_crisis_proposed_by_staff_ends_the_drill_when_a_declarer_confirms(chat: Chat) -> None:
    await chat.say("Catalina", "SIMULACRO")
    await chat.say("Luis", "ALERTA ROJA: cortaron la fibra")
    await chat.press("Luis", "🚨 Crisis real")
    [proposal] = chat.received("Jaime", "«ALERTA ROJA: cortaron la fibra»")
    assert proposal.text.startswith("🚨 ¿Decretar ALERTA ROJA? Luis dice que es una crisis REAL, no parte del simulacro")
    await chat.press("Jaime", "Decretar ALERTA ROJA")
    assert chat.received("grupo", "🚨 El simulacro terminó: Jaime decretó una crisis real")
    crisis = await chat.open_crisis()
    assert crisis is not None and not crisis.drill and crisis.reported_by == chat.pid("Luis")


async def test_a_drill_started_from_elsewhere_keeps_the_script_it_was_given(chat: Chat) -> None:
    from datetime import timedelta

    from flows.commands import StartDrill
    from flows.playbook import Inject, Playbook

    script = (Inject(at=timedelta(minutes=5), text="Entel no contesta", to_step="entel"),)
    await chat.rt.service.handle(StartDrill(chat.pid("Jaime"), "prueba de guion", "test", script))
    await chat.rt.outbox.drain()
    crisis = await chat.open_crisis()
    assert crisis is not None and crisis.drill
    assert Playbook.from_frozen(crisis.playbook_json).drill.injects == list(script)
    assert chat.received("grupo", PREFIX + "Simulacro iniciado por Jaime")
    assert not chat.rt.playbook.drill.injects  # the playbook file is left as it was


def test_a_digest_of_drill_messages_says_it_is_a_drill_once() -> None:
    """Channels that cannot edit what they sent get a burst as one digest (bot/compact.py):
    the drill's mark opens it, and is not repeated before each part."""
    from flows.digest import merge
    from flows.messages import OutMessage

    parts = [OutMessage(to="luis", text=PREFIX + "⏰ Recordatorio: la tarea 2", drill=True),
             OutMessage(to="luis", text=PREFIX + "📋 Paso 4 · Web", drill=True)]
    merged = merge(parts, "es", lambda step_id: None)
    assert merged.drill and merged.text.startswith(PREFIX) and merged.text.count("SIMULACRO") == 1
    assert "📋 Paso 4 · Web" in merged.text


async def test_during_a_drill_cancel_and_a_second_drill_say_how_to_end_it(chat: Chat) -> None:
    await chat.say("Catalina", "SIMULACRO")
    await chat.say("Jaime", "SIMULACRO")
    assert chat.inbox("Jaime")[-1].text.endswith("Para terminarlo, escribe FIN DE LA CRISIS.")
    await chat.say("Jaime", "SIMULACRO cancelar")
    assert chat.inbox("Jaime")[-1].text == (
        PREFIX + "No hay ningún simulacro programado. Para terminar el que está en curso, escribe FIN DE LA CRISIS.")


async def test_which_card_a_number_means_is_asked_as_the_drills_too(chat: Chat) -> None:
    """«¿Cuál?» and «ninguna de tus tarjetas» come from outside the engine (bot/choices.py):
    during a drill they carry its mark as well (review of issue 14)."""
    await chat.say("Catalina", "SIMULACRO: cae la web")
    await chat.type("Cecilia", "1")  # «Lo tomo» / «Leído» on several of her cards
    assert chat.inbox("Cecilia")[-1].text.startswith(PREFIX + "¿Cuál?")
    await chat.type("Cecilia", "7")
    assert chat.inbox("Cecilia")[-1].text.startswith(PREFIX)


async def test_a_bare_1_still_declares_the_real_crisis_after_drill_reminders_came(chat: Chat) -> None:
    """«¿Decretar ALERTA ROJA? Luis dice que es una crisis REAL…» says «1» declares it; drill
    reminders arriving after it must not turn that «1» into «¿Cuál?» over the drill's cards.
    Its «3» is never read as dismissing a real crisis by a slip (review of issue 14)."""
    await chat.say("Catalina", "SIMULACRO: cae la web")
    await chat.say("Luis", "ALERTA ROJA: humo en la sala de servidores")
    await chat.press("Luis", "🚨 Crisis real")
    await chat.advance("11m")  # the drill's reminders reach Jaime after the question
    assert chat.inbox("Jaime")[-1].text.startswith(PREFIX)
    await chat.type("Jaime", "3")  # «No puedo» on a card, or «Descartar»? asked, never dismissed
    assert not chat.received("Luis", "descart")
    await chat.type("Jaime", "1")
    assert chat.received("grupo", "🚨 El simulacro terminó: Jaime decretó una crisis real")
    crisis = await chat.open_crisis()
    assert crisis is not None and not crisis.drill and crisis.reported_by == chat.pid("Luis")


async def test_the_drills_bitacora_says_it_started_a_drill_not_a_red_alert(chat: Chat) -> None:
    await chat.say("Catalina", "SIMULACRO: cae la web")
    await chat.say("Jaime", "bitácora")
    text = chat.inbox("Jaime")[-1].text
    assert "Inició el simulacro" in text and "Decretó ALERTA ROJA" not in text
