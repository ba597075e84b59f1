"""The crisis plan and the case procedures running in one bot (issue 12, point 1), seen from
the people: ALERTA ROJA still asks only the crisis plan's staff, a case goes on while a
crisis is open without either taking the other's words, «?» says how to open a case, and a
case procedure's coordinator gets the dashboard."""

from __future__ import annotations

import pytest

from tests.chat.test_closing import FakeLinks
from tests.support import Chat

FULLPYME = ("Juan Pablo", "Cecilia", "Catalina", "Jaime", "Luis", "Valeria", "Claudia Riveros", "Claudia Martínez",
            "Marcelo")


@pytest.fixture
def chat(desk: Chat) -> Chat:
    desk.rt.service.links = FakeLinks()
    return desk


async def test_the_all_staff_round_is_the_crisis_plans_people_only(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: se cayó el servidor")
    asked = {to for to, m in chat.transport.sent if "Paso 3 · Atención al cliente" in m.text and m.buttons}
    assert asked == {chat.pid(name) for name in FULLPYME}
    assert not chat.inbox("Silvia Guzmán")  # a front-desk adviser of the case procedures: not in this plan


async def test_a_case_and_the_crisis_keep_their_own_words(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: se cayó el servidor")
    await chat.say("Silvia", "ATENCIÓN CLIENTE")
    assert chat.received("Silvia", "Caso D-1 abierto")
    await chat.say("Jaime", "estado")  # the crisis's status, not a case's
    assert chat.received("Jaime", "Contacto con Entel")
    await chat.say("Silvia", "D-1 1")  # información general → folleto
    await chat.say("Silvia", "hecho D-1 2")
    assert chat.received("Silvia", "🏁 Caso D-1 cerrado")
    await chat.say("Cecilia", "hecho 2")  # the crisis's step 2 still answers
    assert chat.received("Cecilia", "Tarea 2 (Contacto con Entel)")


async def test_help_says_how_to_open_a_case_and_a_case_coordinator_gets_the_panel(chat: Chat) -> None:
    await chat.say("Silvia", "?")
    [help_message] = chat.received("Silvia", "Qué puedes escribir")
    help_text = help_message.text
    assert "/caso comteco_direccionamiento" in help_text and "ATENCIÓN CLIENTE" in help_text and "mis casos" in help_text
    await chat.say("Mónica", "panel")  # jefatura_soporte: the coordinators of seed 001
    assert chat.received("Mónica", "https://crisis.example/panel/casos?para=")  # her cases, not the crisis panel
    await chat.say("Silvia", "panel")  # an adviser oversees nothing
    assert not chat.received("Silvia", "https://crisis.example/panel")


async def test_a_bare_verb_goes_to_the_one_case_the_person_holds(chat: Chat) -> None:
    await chat.say("Ximena", "/caso danos contrato=4452211 vulnerabilidad=2")
    await chat.say("Ximena", "R-1 1")  # received by the call center → step 2, hers (she is an operator)
    await chat.say("Ximena", "hecho")  # no case id, no crisis task: her only case
    assert chat.received("Ximena", "¿Cuál es el número telefónico")
    await chat.say("Ximena", "44252211")
    assert chat.received("Ximena", "Registrado: tarea 2")
    await chat.say("Jaime", "ALERTA ROJA: se cayó el servidor")
    await chat.say("Jaime", "hecho")  # Jaime holds the crisis's step 1, not a case: the crisis's words
    assert not chat.received("Jaime", "No hay ninguna crisis abierta")


async def test_deadlines_of_several_cases_falling_due_together_each_reach_their_holder(chat: Chat) -> None:
    await chat.say("Ximena", "/caso danos contrato=1111111 vulnerabilidad=1")
    await chat.say("Rodrigo", "/caso danos contrato=2222222 vulnerabilidad=1")
    await chat.say("Daniela", "/caso danos contrato=3333333 vulnerabilidad=1")
    await chat.advance("12h")  # the three due times (12 h) fire in one sweep, one transaction
    for name, case in (("Ximena", "R-1"), ("Rodrigo", "R-2"), ("Daniela", "R-3")):
        [checkin] = [m for m in chat.inbox(name) if m.kind == "nudge"]  # «¿Sigues en esto?» / «Still on it?»
        assert f" {case} · " in checkin.text, (name, checkin.text)
    await chat.say("Rodrigo", "estado R-2")  # each case's state was written, not only the last one's
    assert "Rodrigo Mamani" in chat.inbox("Rodrigo")[-1].text


async def test_an_answer_typed_as_its_label_or_letter_goes_to_the_question_the_person_holds(desk: Chat) -> None:
    await desk.say("Silvia", "ATENCIÓN CLIENTE")
    await desk.say("Silvia", "Trámite específico")  # the label, no case id: her one question (D-1, step 1)
    assert desk.received("Silvia", "Paso 5 · ¿Qué tipo de trámite?")
    await desk.say("Silvia", "C")  # the letter of «C. Baja de servicios»
    assert desk.received("Silvia", "Paso 5C")
