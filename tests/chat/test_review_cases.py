"""A front desk under stress, played on both COMTECO seeds (001 and 004): what a new user
typed in the terminal review and the bot got wrong, one test per finding."""

from __future__ import annotations

from tests.support import Chat


def last(chat: Chat, name: str) -> str:
    return chat.inbox(name)[-1].text


async def test_spaces_around_equals_and_inside_a_value_fill_the_right_fields(desk: Chat) -> None:
    await desk.say("Ximena", "/caso danos contrato = 4452211 vulnerabilidad = 2 problema=no hay internet desde ayer")
    card = desk.latest_with_buttons("Ximena").text
    assert "• contrato: 4452211\n" in card and "• vulnerabilidad (Anexo 2): 2 Alta (24 h)" in card
    assert "• problema: no hay internet desde ayer" in card
    await desk.say("Rodrigo", "RECLAMO REITERADO 4452211")  # the same contract: no second case
    assert last(desk, "Rodrigo").startswith("Ya hay un caso abierto para contrato 4452211: R-1")


async def test_a_wrong_option_is_listed_in_the_readers_language(desk: Chat) -> None:
    await desk.say("Daniela", "/caso danos contrato=5520187 vulnerabilidad=very high")  # Daniela reads English
    assert last(desk, "Daniela") == ("«very high» is not an option of «vulnerability (Annex 2)». Options: 1. 1 Very high (12 h), "
                                     "2. 2 High (24 h), 3. 3 Moderate (48 h), 4. 4 Manageable (48 h).")


async def test_an_answer_to_a_closed_case_says_it_is_closed(desk: Chat) -> None:
    await desk.say("Silvia", "ATENCIÓN CLIENTE")
    for option in ("3", "2", "2"):  # trámite → B post venta → excedentes o mora
        await desk.say("Silvia", f"D-1 {option}")
    assert last(desk, "Silvia") == "🏁 Caso D-1 cerrado: Unidad de Cartera"
    await desk.say("Silvia", "d-1 1")
    assert last(desk, "Silvia") == "El caso D-1 ya está cerrado: Unidad de Cartera. Escribe «estado D-1» para verlo."


async def test_the_case_id_and_a_button_number_press_that_button_of_its_task(desk: Chat) -> None:
    await desk.say("Ximena", "RECLAMO REITERADO 4452211 vulnerabilidad=2")
    await desk.say("Ximena", "R-1 1")  # Call Center → step 2, a task with [2] Hecho
    assert "Hecho" in [b.label for b in desk.latest_with_buttons("Ximena").buttons]  # drawn «[2] Hecho»
    await desk.say("Ximena", "R-1 2")
    assert last(desk, "Ximena").startswith("✍️ Tarea 2 (Recepcionar la llamada del cliente): ¿Cuál es el número telefónico")
    await desk.say("Ximena", "44252211")
    assert desk.received("Ximena", "✔️ Registrado: tarea 2")
    await desk.say("Ximena", "R-1 1")  # step 3 is a question again: its option 1
    await desk.say("Ximena", "R-1 9")  # step 4 is a task: 9 is no button of it
    assert last(desk, "Ximena") == "El caso R-1 no tiene una pregunta abierta para ti. Escribe «estado R-1» para ver en qué paso va."


async def test_a_step_the_case_is_not_on_is_named_with_the_case_not_the_crisis(desk: Chat) -> None:
    await desk.say("Ximena", "RECLAMO REITERADO 4452211")
    await desk.say("Ximena", "R-1 1")  # → 1.1, the vulnerability
    await desk.say("Ximena", "hecho r-1 2")
    assert last(desk, "Ximena") == "El caso R-1 no tiene un paso 2 activo. Escribe «estado R-1» para ver en qué paso va."


async def test_a_mistyped_id_does_not_answer_another_advisers_customer(desk: Chat) -> None:
    await desk.say("Silvia", "ATENCIÓN CLIENTE")  # D-1: Silvia's customer
    await desk.say("Andrés", "NEW CUSTOMER")  # D-2: Andrés's
    await desk.say("Andrés", "D-1 2")  # meant D-2
    assert last(desk, "Andrés") == ("Step 1 of case D-1 is held by Silvia Guzmán: nothing changed. "
                                    "If it is yours to do, ask them to let it go («cant D-1 1»).")
    await desk.say("Silvia", "estado D-1")
    assert "➡️ Paso 1 · ¿Qué necesita el cliente?: lo tiene Silvia Guzmán" in last(desk, "Silvia")
    await desk.say("Gabriela", "D-1 2")  # the platform supervisor (coordinator) may answer for her
    assert desk.received("Gabriela", "✅ Paso 1: elegiste «Ubicar funcionario».")
