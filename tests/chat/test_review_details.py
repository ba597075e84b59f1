"""Conversation details found in review (issue 11, points 3, 5 and 10), read like the
terminal chat: a bare number answers the question the bot just asked that person; a
«¿Cuál?» always offers something typed that works; a digest's tasks say what to type
without a line of repeated numbers; «informe» after the crisis is short on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chat.test_buttons import Screen
from tests.chat.test_closing import to_the_end
from tests.support import Chat, settings_for

# Valeria is responsible for steps 3 (read), 4 (banner), 5 (email) and 6 (Timify); Jaime declares.
DECLARED = ("Jaime: ALERTA ROJA: se cayó el servidor", "Luis: tomo 5", "Marcelo: tomo 6")


@pytest.fixture
async def screen(tmp_path: Path) -> Screen:
    opened = await Screen.open(tmp_path)
    yield opened  # type: ignore[misc]
    await opened.close()


async def test_a_bare_number_answers_the_question_just_asked_to_that_person(screen: Screen) -> None:
    await screen.type(*DECLARED)
    asked = await screen.type("Valeria: hecho 5")  # her card «Leído 3» has a «1» too
    assert "La tarea 5 la tiene Luis. ¿La marcas hecha tú?\n    [1] Sí, la hice yo  [3] No" in asked
    answered = await screen.type("Valeria: 1")
    assert "¿Cuál?" not in answered
    assert "✔️ Registrado: tarea 5 (Email masivo) hecha." in answered
    assert "Valeria marcó hecha la tarea 5 (Email masivo), que tenías tú." in answered
    # the declarer's «¿Cerrar igual?»: «3» is «Seguir», not «No puedo» on one of his cards
    asked = await screen.type("Jaime: FIN DE LA CRISIS")
    assert "¿Cerrar igual?" in asked
    kept = await screen.type("Jaime: 3")
    assert "De acuerdo, la crisis sigue abierta." in kept and "¿Cuál?" not in kept


async def test_once_a_card_arrives_after_the_question_a_number_asks_which(screen: Screen) -> None:
    await screen.type(*DECLARED, "Valeria: hecho 5")
    await screen.type("/avanzar 10m")  # reminders of steps 3 and 4 arrive after her question
    asked = await screen.type("Valeria: 1")
    assert ("¿Cuál? «1» está en varias tarjetas. Escribe «leído 3» (Atención al cliente, todas las áreas), «tomo 4» "
            "(Banner de emergencia en fullpyme.cl) o «sí 5» (La tarea 5 la tiene Luis. ¿La marcas hecha tú?).") in asked
    assert await screen.task_state("email") == "claimed"
    answered = await screen.type("Valeria: sí 5")  # what «¿Cuál?» offered works
    assert "✔️ Registrado: tarea 5 (Email masivo) hecha." in answered


async def test_two_questions_with_the_same_words_are_told_apart_by_step(screen: Screen) -> None:
    await screen.type(*DECLARED, "Valeria: hecho 5", "Valeria: hecho 6", "/avanzar 10m")
    asked = await screen.type("Valeria: sí, la hice yo")
    assert ("¿Cuál? «sí, la hice yo» está en varias tarjetas. Escribe «sí 5» (La tarea 5 la tiene Luis. ¿La marcas "
            "hecha tú?) o «sí 6» (La tarea 6 la tiene Marcelo. ¿La marcas hecha tú?).") in asked
    done = await screen.type("Valeria: sí 6")
    assert "✔️ Registrado: tarea 6 (Desactivar Timify) hecha." in done
    assert await screen.task_state("email") == "claimed"
    kept = await screen.type("Valeria: no 5")
    assert "De acuerdo, no cambié nada: la tarea 5 sigue con Luis." in kept
    assert await screen.task_state("email") == "claimed"


async def test_a_digest_says_what_to_type_on_each_task_without_repeating_numbers(screen: Screen) -> None:
    await screen.type(*DECLARED)
    shown = await screen.type("/avanzar 10m")
    valeria = shown.split("🤖 → Valeria\n", 1)[1].split("\n[", 1)[0]
    assert "    → leído 3\n" in valeria and "    → tomo 4 · hecho 4 · no puedo 4" in valeria
    assert "[1]" not in valeria and "Lo tomo · 4" not in valeria
    marcelo = shown.split("🤖 → Marcelo\n", 1)[1].split("\n[", 1)[0]  # one card alone keeps its numbered buttons
    assert marcelo.rstrip().endswith("    [1] Leído")
    asked = await screen.type("Valeria: 1")
    assert "¿Cuál? «1» está en varias tarjetas. Escribe «leído 3»" in asked


async def test_informe_after_closing_is_the_short_summary_and_bitacora_gives_the_log(tmp_path: Path) -> None:
    chat = await Chat.open(settings_for(tmp_path))  # no dashboard served: no link to give
    try:
        await to_the_end(chat)
        chat.new()
        await chat.say("Luis", "informe")
        [answer] = [m.text for to, m in chat.new() if to == chat.pid("Luis")]  # one short message
        assert answer.startswith("🏁 Crisis ") and "Duración: 5 min." in answer
        assert answer.endswith("Escribe «bitácora» para ver el registro completo.")
        assert len(answer.splitlines()) <= 6 and not chat.received("Luis", "📒 Bitácora")
        await chat.say("Luis", "bitácora")
        assert "· Jaime · test · Decretó ALERTA ROJA" in chat.inbox("Luis")[-1].text
    finally:
        await chat.close()


async def test_informe_during_the_crisis_is_the_status_and_bitacora_gives_the_log(tmp_path: Path) -> None:
    chat = await Chat.open(settings_for(tmp_path))
    try:
        await chat.say("Catalina", "ALERTA ROJA: no responde la central telefónica")
        await chat.say("Luis", "tomo 5")
        chat.new()
        await chat.say("Marcelo", "informe")  # on a phone mid-crisis: what stands now, not the whole log
        answers = [m.text for to, m in chat.new() if to == chat.pid("Marcelo")]
        assert answers[0].startswith("📊 Estado de la crisis") and "5 Email masivo" in answers[0] and "Luis" in answers[0]
        assert answers[-1] == "Escribe «bitácora» para ver el registro completo."
        assert not chat.received("Marcelo", "📒 Bitácora")
        await chat.say("Marcelo", "bitácora")
        assert "Decretó ALERTA ROJA" in chat.inbox("Marcelo")[-1].text
    finally:
        await chat.close()


async def test_a_number_under_the_card_of_a_task_just_taken_presses_that_card(screen: Screen) -> None:
    await screen.type("Catalina: ALERTA ROJA: no entra nadie a la plataforma")
    taken = await screen.type("Luis: tomo 5")  # steps 2 and 4 are open and carry a «2» (Hecho) too
    assert taken.rstrip().endswith("[2] Hecho  [3] No puedo")
    done = await screen.type("Luis: 2")  # what he is looking at: the card of the task he just took
    assert "¿Cuál?" not in done and "✔️ Registrado: tarea 5 (Email masivo) hecha." in done
    # once other buttons arrive after it, a bare number is ambiguous again
    await screen.type("Luis: tomo 4", "/avanzar 10m")
    asked = await screen.type("Luis: 3")
    assert "¿Cuál?" in asked
