"""Values a task records, their corrections, and the small things that cost a stressed
person time (issue 11, points 8 and 10), read like the chat."""

from __future__ import annotations

from tests.support import Chat


async def test_a_ticket_that_is_not_a_ticket_is_asked_again_with_the_example(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: caída total")
    await chat.say("Luis", "hecho 2")
    # the playbook's own question, with its example, on every transport
    assert chat.received("Luis", "✍️ Tarea 2 (Contacto con Entel): ¿Qué número de ticket dio Entel? (ejemplo: 4455-AB)")
    await chat.say("Luis", "no sé, Entel no contesta")
    assert chat.inbox("Luis")[-1].text == (
        "Eso no parece el número de ticket de Entel. Ejemplo: 4455-AB. Escríbelo de nuevo.")
    assert not chat.received("Cecilia", "Hecha por Luis")  # nothing recorded
    await chat.say("Luis", "ticket 4455-ABC")
    assert chat.received("Luis", "✔️ Registrado: tarea 2 (Contacto con Entel) hecha · el número de ticket de Entel: 4455-ABC")


async def test_a_recorded_value_is_corrected_and_the_correction_is_in_the_bitacora(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: caída total")
    await chat.say("Luis", "hecho 2")
    await chat.say("Luis", "4455-ABC")
    await chat.say("Valeria", "corregir 2: 4455-AC")  # not hers, not a coordinator
    assert chat.inbox("Valeria")[-1].text == "Solo Luis, quien lo registró, o coordinación pueden corregir la tarea 2."
    await chat.say("Luis", "corregir 2")
    assert chat.inbox("Luis")[-1].text == (
        "✏️ Tarea 2: el número de ticket de Entel registrado es «4455-ABC». Escribe el valor correcto (ejemplo: 4455-AB).")
    await chat.say("Luis", "no me acuerdo")
    assert "Ejemplo: 4455-AB. Escríbelo de nuevo." in chat.inbox("Luis")[-1].text
    await chat.say("Luis", "4455-AC")
    assert chat.inbox("Luis")[-1].text == "✏️ Corregido en la tarea 2: el número de ticket de Entel ahora es «4455-AC» (antes «4455-ABC»)."
    await chat.say("Jaime", "corregir paso 2: 4455-AD")  # a coordinator may; Luis is told
    assert chat.received("Luis", "✏️ Jaime corrigió la tarea 2: el número de ticket de Entel ahora es «4455-AD» (antes «4455-AC»).")
    await chat.say("Jaime", "estado")
    assert "✅ 2 Contacto con Entel — Luis, 09:00 · el número de ticket de Entel: 4455-AD" in chat.inbox("Jaime")[-1].text
    await chat.say("Jaime", "bitácora")
    log = chat.received("Jaime", "Bitácora")[-1].text
    assert "· Luis · test · Valor corregido en la tarea 2 (Contacto con Entel) · el número de ticket de Entel: de «4455-ABC» a «4455-AC»" in log
    assert "· Jaime · test · Valor corregido en la tarea 2 (Contacto con Entel) · el número de ticket de Entel: de «4455-AC» a «4455-AD»" in log


async def test_correcting_the_description_tells_the_group(chat: Chat) -> None:
    await chat.say("Cecilia", "ALERTA ROJA: se cayó el servidor")
    await chat.say("Cecilia", "corregir 1: se cayó la red de la oficina")
    assert chat.received("grupo", "✏️ Información de la crisis corregida por Cecilia: se cayó la red de la oficina")
    await chat.say("Jaime", "estado")
    status = chat.inbox("Jaime")[-1].text
    assert "se cayó la red de la oficina" in status and "se cayó el servidor" not in status


async def test_leido_without_a_number_and_question_mark_help(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: caída total")
    await chat.say("Marcelo", "leído")  # his only pending step is 3 (all staff)
    assert "leíste el paso 3" in chat.inbox("Marcelo")[-1].text
    await chat.say("Marcelo", "leído")
    assert chat.inbox("Marcelo")[-1].text == "No tienes tareas pendientes para eso. Escribe «mis tareas» para verlas."
    await chat.say("Valeria", "tomo")  # steps 4, 5 and 6 are hers to take: which one?
    assert chat.inbox("Valeria")[-1].text == ("¿Cuál? Escribe el número: «tomo 4» (Banner de emergencia en fullpyme.cl), "
                                              "«tomo 5» (Email masivo), «tomo 6» (Desactivar Timify).")
    await chat.say("Valeria", "tomo 4")
    await chat.say("Valeria", "hecho")  # the one she holds
    assert chat.received("Valeria", "tarea 4 (Banner de emergencia en fullpyme.cl) hecha")
    await chat.say("Valeria", "?")
    help_text = chat.inbox("Valeria")[-1].text
    for command in ("«ALERTA ROJA»", "«mis tareas»", "«informe»", "«panel»", "«corregir 2»", "«?»"):
        assert command in help_text


async def test_status_of_the_check_names_only_the_steps_still_open(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: caída total")
    await chat.say("Luis", "hecho 2")
    await chat.say("Luis", "T-1")
    for name, number in (("Valeria", "4"), ("Luis", "5"), ("Marcelo", "6")):
        await chat.say(name, f"hecho {number}")
    await chat.say("Jaime", "estado")
    assert "⏳ 7 Chequeo de las tareas — espera el paso 3" in chat.inbox("Jaime")[-1].text
    await chat.say("Claudia Riveros", "tomo 7")
    assert chat.inbox("Claudia Riveros")[-1].text == "La tarea 7 aún no empieza: espera el paso 3."
