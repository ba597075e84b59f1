"""Nothing irreversible by accident (issue 11, points 1, 2 and 4), read like the chat:
FIN DE LA CRISIS with work undone asks first; closing steps that undo what was never done
are not asked for; a command, a button or an old question never becomes the description,
which the declarer sees before it goes to all; doing a task someone else holds asks first
and names who really did it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.report import load_report, markdown_report
from flows.clock import ManualClock
from flows.commands import Press
from tests.support import START, Chat, settings_for

DESCRIPTION_SHARED = "ℹ️ Información de la crisis"


def crisis_id(chat: Chat) -> str:
    ref = next(m.ref for m in chat.inbox("grupo") if m.ref and m.ref.startswith("announcement:"))
    return ref.removeprefix("announcement:")


async def do_steps_2_to_6(chat: Chat) -> None:
    """Everything of the crisis but the sign-off (step 7), by other people than the seed's."""
    await chat.say("Luis", "hecho 2")
    await chat.say("Luis", "5521-XY")
    await chat.say("Juan Pablo", "hecho 4")
    await chat.say("Valeria", "hecho 5")
    await chat.say("Claudia Riveros", "hecho 6")
    await chat.say("Juan Pablo", "hecho 3")  # a coordinator closes the all-staff round (asked first)
    await chat.press("Juan Pablo", "Dar por cumplido", containing="por todos?")


# 1. FIN DE LA CRISIS ---------------------------------------------------------------


async def test_fin_with_work_undone_asks_first_and_keeps_it_open_on_seguir(chat: Chat) -> None:
    await chat.say("Catalina", "ALERTA ROJA: no carga el portal de clientes")
    await chat.say("Luis", "hecho 2")
    await chat.say("Luis", "5521-XY")
    await chat.say("Valeria", "tomo 4")
    await chat.say("Valeria", "hecho 4")
    await chat.say("Catalina", "FIN DE LA CRISIS")
    [question] = chat.received("Catalina", "¿Cerrar igual?")
    assert question.text == "⚠️ Quedan 3 tareas abiertas (3, 5, 6) y falta la firma del paso 7. ¿Cerrar igual?"
    assert [b.label for b in question.buttons] == ["Cerrar igual", "Seguir"]
    assert not chat.received("grupo", "FIN DE LA CRISIS")  # nothing closed yet

    await chat.press("Catalina", "Seguir")
    assert chat.inbox("Catalina")[-1].text == "De acuerdo, la crisis sigue abierta."
    await chat.say("Marcelo", "tomo 6")
    assert chat.received("Marcelo", "Listo, la tarea 6 (Desactivar Timify) es tuya.")
    await chat.say("Jaime", "estado")
    assert "🔴 Activa" in chat.inbox("Jaime")[-1].text


async def test_a_second_fin_shows_the_same_question_and_confirming_closes(chat: Chat) -> None:
    await chat.say("Catalina", "ALERTA ROJA: no carga el portal de clientes")
    await chat.say("Catalina", "FIN DE LA CRISIS")
    await chat.say("Luis", "hecho 2")
    await chat.say("Luis", "5521-XY")
    await chat.say("Catalina", "fin de la crisis!!")  # impatient: asked again, not a second question
    questions = chat.received("Catalina", "¿Cerrar igual?")
    assert len(questions) == 2 and len({q.ref for q in questions}) == 1
    assert questions[0].buttons == questions[1].buttons  # the same question, its list updated
    assert questions[1].text.startswith("⚠️ Quedan 4 tareas abiertas (3, 4, 5, 6)")

    await chat.press("Catalina", "Cerrar igual")
    assert chat.received("grupo", "✅ FIN DE LA CRISIS · anunciado por Catalina")
    await chat.press("Catalina", "Cerrar igual")  # the older copy of the question: already answered
    assert len(chat.received("grupo", "✅ FIN DE LA CRISIS")) == 1
    await chat.say("Claudia Riveros", "tomo 7")
    assert chat.inbox("Claudia Riveros")[-1].text == "La tarea 7 ya no está activa."


async def test_a_proposed_closing_shows_the_declarer_what_is_open(chat: Chat) -> None:
    await chat.say("Cecilia", "ALERTA ROJA: caída del correo")
    await chat.say("Valeria", "FIN DE LA CRISIS")  # not a declarer: the declarers are asked
    proposal = chat.received("Jaime", "pide cerrar la crisis")[-1]
    assert "Quedan 5 tareas abiertas (2, 3, 4, 5, 6) y falta la firma del paso 7." in proposal.text
    await chat.press("Jaime", "Anunciar FIN")
    assert chat.received("grupo", "✅ FIN DE LA CRISIS · anunciado por Jaime")


async def test_nothing_undone_closes_at_once_and_asks_for_every_closing_step(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: caída total")
    await do_steps_2_to_6(chat)
    await chat.say("Claudia Martínez", "hecho 7")
    await chat.say("Jaime", "FIN DE LA CRISIS")
    assert not chat.received("Jaime", "¿Cerrar igual?")
    [announcement] = chat.received("grupo", "✅ FIN DE LA CRISIS · anunciado por Jaime")
    assert "No hace falta" not in announcement.text
    for title in ("Quitar el banner de fullpyme.cl", "Habilitar Timify"):  # 4 and 6 were done: undo them
        assert chat.received("Claudia Martínez", f"· {title}")


async def test_closing_steps_that_undo_what_was_never_done_are_not_asked_for(chat: Chat) -> None:
    await chat.say("Catalina", "ALERTA ROJA: no carga el portal de clientes")
    await chat.say("Juan Pablo", "hecho 4")  # the banner went up; Timify (6) was never disabled
    await chat.say("Catalina", "FIN DE LA CRISIS")
    await chat.press("Catalina", "Cerrar igual")
    [announcement] = chat.received("grupo", "✅ FIN DE LA CRISIS · anunciado por Catalina")
    assert "• 8c Quitar el banner de fullpyme.cl:" in announcement.text
    assert "• 8e Habilitar Timify:" not in announcement.text
    assert announcement.text.endswith("No hace falta:\n• 8e Habilitar Timify (el paso 6 no se hizo)")
    assert chat.received("Luis", "· Quitar el banner de fullpyme.cl")
    assert not chat.received("Luis", "Habilitar Timify")  # no card, and below: no reminders
    await chat.advance("30m")
    assert not chat.received("Luis", "Habilitar Timify") and chat.received("Luis", "Recordatorio: la tarea 8c")
    await chat.say("Jaime", "estado")
    assert "8e Habilitar Timify — no necesaria (crisisbot): el paso 6 no se hizo" in chat.inbox("Jaime")[-1].text
    for step in ("8b", "8c", "8d"):
        await chat.say("Claudia Martínez", f"hecho {step}")
    await chat.say("Claudia Martínez", "hecho 8f")  # 8f waits for 8b-8e: 8e not needed counts
    assert chat.received("grupo", "🏁")


# 2. the description -----------------------------------------------------------------


async def test_commands_and_buttons_are_never_the_description_which_is_shown_before_it_goes(chat: Chat) -> None:
    await chat.say("Cecilia", "ALERTA ROJA")
    assert chat.received("Cecilia", "Cuenta lo que sabes de la crisis")
    for line in ("1", "ayuda", "estado", "?", "END OF CRISIS", "👍"):
        await chat.say("Cecilia", line)
    assert not chat.received("grupo", DESCRIPTION_SHARED)
    assert not chat.received("Cecilia", "Se enviará a todos")
    assert chat.received("Cecilia", "No tomé «1» como la descripción de la crisis.")
    assert chat.received("Cecilia", "📊 Estado de la crisis")  # the commands ran

    await chat.say("Cecilia", "Se cayó la base de datos a las 10:05")
    [preview] = chat.received("Cecilia", "Se enviará a todos")
    assert preview.text == "Se enviará a todos: «Se cayó la base de datos a las 10:05»"
    assert [b.label for b in preview.buttons] == ["Enviar", "Corregir"]
    assert not chat.received("grupo", DESCRIPTION_SHARED)
    await chat.press("Cecilia", "Corregir")
    assert chat.inbox("Cecilia")[-1].text.startswith("Escribe de nuevo la descripción de la crisis")
    await chat.say("Cecilia", "Se cayó la base de datos de clientes a las 10:05; no entran pedidos")
    await chat.press("Cecilia", "Enviar")
    shared = chat.received("grupo", DESCRIPTION_SHARED)
    assert [m.text for m in shared] == [
        "ℹ️ Información de la crisis (Cecilia): Se cayó la base de datos de clientes a las 10:05; no entran pedidos"]
    await chat.say("Cecilia", "ya volvió una parte")  # asked no more: ordinary chatter
    assert len(chat.received("grupo", DESCRIPTION_SHARED)) == 1


async def test_the_question_expires_and_can_be_asked_again(chat: Chat) -> None:
    await chat.say("Catalina", "ALERTA ROJA")
    await chat.advance("10m")  # asked again at its 10-minute deadline
    await chat.advance("20m")  # that too is old now
    await chat.say("Catalina", "perdón, estaba en otra llamada")
    assert not chat.received("Catalina", "Se enviará a todos")
    assert chat.inbox("Catalina")[-1].text.startswith(
        "No tomé tu mensaje como la descripción de la crisis: te lo pedí hace más de 15 min.")
    await chat.say("Catalina", "hecho 1")
    await chat.say("Catalina", "El servidor web no responde desde las 9:40")
    await chat.press("Catalina", "Enviar")
    assert chat.received("grupo", "ℹ️ Información de la crisis (Catalina): El servidor web no responde desde las 9:40")


async def test_a_description_given_with_the_alert_goes_out_at_once(chat: Chat) -> None:
    await chat.say("Cecilia", "ALERTA ROJA: no hay internet en la oficina")
    assert chat.received("grupo", "Situación: no hay internet en la oficina")
    assert not chat.received("Cecilia", "Se enviará a todos")


async def test_the_preview_button_survives_a_restart(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    first = await Chat.open(settings, ManualClock(START))
    await first.say("Jaime", "ALERTA ROJA")
    await first.say("Jaime", "Caída del proveedor de internet")
    send = next(b.action for b in first.latest_with_buttons("Jaime").buttons if b.label == "Enviar")
    await first.close()
    second = await Chat.open(settings, ManualClock(START + timedelta(minutes=2)))
    try:
        await second.rt.service.handle(Press("jaime", send, "test"))
        await second.rt.outbox.drain()
        assert second.received("grupo", "ℹ️ Información de la crisis (Jaime): Caída del proveedor de internet")
    finally:
        await second.close()


# 4. doing a task someone else holds ---------------------------------------------------


async def test_signing_a_task_someone_else_holds_asks_and_names_who_did_it(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: caída total")
    await do_steps_2_to_6(chat)
    await chat.say("Claudia Riveros", "tomo 7")
    await chat.say("Claudia Martínez", "hecho 7")
    [question] = chat.received("Claudia Martínez", "La tarea 7 la tiene Claudia Riveros")
    assert question.text == "La tarea 7 la tiene Claudia Riveros. ¿La firmas tú?"
    assert [b.label for b in question.buttons] == ["Sí, firmo yo", "No"]
    assert not chat.received("Claudia Martínez", "Verificación firmada")
    await chat.press("Claudia Martínez", "No")
    assert chat.inbox("Claudia Martínez")[-1].text == "De acuerdo, no cambié nada: la tarea 7 sigue con Claudia Riveros."

    await chat.say("Claudia Martínez", "hecho 7")
    await chat.press("Claudia Martínez", "Sí, firmo yo")
    assert chat.received("Claudia Martínez", "✔️ Verificación firmada.")
    [told] = chat.received("Claudia Riveros", "Claudia Martínez firmó la tarea 7")
    assert told.text == "Claudia Martínez firmó la tarea 7 (Chequeo de las tareas), que tenías tú."
    assert not any("en tu nombre" in m.text for m in chat.inbox("Claudia Riveros"))
    await chat.say("Jaime", "bitácora")
    log = chat.inbox("Jaime")[-1].text
    assert "Claudia Martínez · test · Confirmó firmar la tarea 7 (Chequeo de las tareas), que tenía Claudia Riveros" in log
    assert "Claudia Martínez · test · Firmó la verificación de los pasos 1, 2, 3, 4, 5, 6" in log
    report = await load_report(chat.rt.db, crisis_id(chat), chat.rt.directory, chat.clock.now())
    assert report is not None
    [row] = [line for line in markdown_report(report, chat.rt.directory, "es").splitlines()
             if line.startswith("| 7 | Chequeo de las tareas")]
    assert "Claudia Riveros (la tomó) → Claudia Martínez (firmó)" in row


async def test_a_coordinator_doing_or_releasing_someone_elses_task_confirms_first(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: caída total")
    await chat.say("Valeria", "tomo 4")
    await chat.say("Luis", "tomo 5")
    await chat.say("Jaime", "hecho 4")
    assert chat.inbox("Jaime")[-1].text == "La tarea 4 la tiene Valeria. ¿La marcas hecha tú?"
    await chat.say("Jaime", "hecho 4")  # asked again: the same question, not a second one
    assert len({m.ref for m in chat.received("Jaime", "La tarea 4 la tiene Valeria")}) == 1
    await chat.press("Jaime", "Sí, la hice yo")
    assert chat.received("Valeria", "Jaime marcó hecha la tarea 4 (Banner de emergencia en fullpyme.cl), que tenías tú.")
    assert chat.received("Cecilia", "✅ Hecha por Jaime a las 09:00.")

    await chat.say("Valeria", "no puedo 5")  # a responsible cannot take it off Luis
    assert chat.inbox("Valeria")[-1].text == "La tarea 5 no está a tu nombre."
    await chat.say("Jaime", "no puedo 5")
    assert chat.inbox("Jaime")[-1].text == "La tarea 5 la tiene Luis. ¿Se la quitas para que la tome otra persona?"
    await chat.press("Jaime", "Sí, quitársela")
    assert chat.received("Luis", "Jaime te quitó la tarea 5 (Email masivo); se avisó a los demás responsables.")
    assert chat.received("Valeria", "🔁 Luis no puede con la tarea 5 (Email masivo). ¿Alguien la toma?")
    await chat.say("Valeria", "tomo 5")
    assert chat.received("Valeria", "Listo, la tarea 5 (Email masivo) es tuya.")


async def test_only_the_person_asked_answers_the_question(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: caída total")
    await chat.say("Valeria", "tomo 4")
    await chat.say("Cecilia", "hecho 4")
    yes = next(b.action for b in chat.latest_with_buttons("Cecilia").buttons if b.label == "Sí, la hice yo")
    await chat.rt.service.handle(Press("jaime", yes, "test"))
    await chat.rt.outbox.drain()
    assert chat.inbox("Jaime")[-1].text == "Esa pregunta era para Cecilia."
    await chat.say("Jaime", "estado")
    assert "🟡 4 Banner de emergencia en fullpyme.cl — Valeria" in chat.inbox("Jaime")[-1].text
