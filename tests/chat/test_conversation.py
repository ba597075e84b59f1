"""Whole conversations against the real runtime (SQLite file, outbox, timers), read like
a chat: say a line, read what each person got, press a button, move the clock."""

from __future__ import annotations

import asyncio

from flows.commands import Press
from tests.support import Chat


async def test_alert_reaches_each_responsible_and_reminders_then_escalation(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: se cayó el servidor principal")
    assert chat.received("grupo", "🚨 ALERTA ROJA · decretada por Jaime")
    assert chat.received("grupo", "Situación: se cayó el servidor principal")
    card = chat.received("Cecilia", "📋 Paso 2 · Contacto con Entel")[0]
    assert "Llamar al 600 3600 106 (Entel). RUT 76.164.567-6." in card.text
    assert [b.label for b in card.buttons] == ["Lo tomo", "Hecho", "No puedo"]

    await chat.press("Cecilia", "Lo tomo", containing="Contacto con Entel")
    assert chat.received("Cecilia", "Listo, la tarea 2 (Contacto con Entel) es tuya.")
    assert chat.received("Luis", "🟡 La tomó Cecilia a las 09:00.")

    await chat.advance("10m")
    reminders = chat.received("Valeria", "⏰ Recordatorio: la tarea 4 (Banner de emergencia en fullpyme.cl) sigue sin responsable desde hace 10 min.")
    assert len(reminders) == 1 and [b.label for b in reminders[0].buttons] == ["Lo tomo", "Hecho", "No puedo"]
    assert not chat.received("Cecilia", "Recordatorio: la tarea 2")  # hers is taken
    await chat.advance("10m")
    assert len(chat.received("Valeria", "Recordatorio: la tarea 4")) == 2
    assert not chat.received("Jaime", "Escalamiento: la tarea 4")
    await chat.advance("10m")
    escalation = chat.received("Jaime", "🔺 Escalamiento: la tarea 4 (Banner de emergencia en fullpyme.cl) sigue sin responsable tras 30 min.")
    assert escalation and chat.received("Juan Pablo", "🔺 Escalamiento: la tarea 4")
    assert not chat.received("Valeria", "Escalamiento")  # only the coordinating role
    await chat.advance("2h")  # nothing fires twice
    assert len(chat.received("Valeria", "Recordatorio: la tarea 4")) == 2
    assert len(chat.received("Jaime", "Escalamiento: la tarea 4")) == 1


async def test_acknowledged_is_not_done_the_owner_is_asked_then_escalated(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA")
    await chat.press("Valeria", "Lo tomo", containing="Banner")
    await chat.advance("44m")
    assert not chat.received("Valeria", "¿Sigues en esto?")
    await chat.advance("1m")
    [checkin] = chat.received("Valeria", "⌛ La tarea 4 (Banner de emergencia en fullpyme.cl) pasó su plazo. ¿Sigues en esto?")
    assert [b.label for b in checkin.buttons] == ["Sigo en esto", "Hecho", "No puedo"]
    await chat.press("Valeria", "Sigo en esto")
    assert chat.received("Valeria", "Perfecto, te vuelvo a preguntar a las 10:00.")
    await chat.advance("15m")
    assert len(chat.received("Valeria", "¿Sigues en esto?")) == 2
    await chat.advance("10m")  # no answer this time
    assert chat.received("Jaime", "🔺 Valeria no responde sobre la tarea 4 (Banner de emergencia en fullpyme.cl), vencida hace 10 min.")


async def test_entel_ticket_number_is_asked_and_recorded(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA")
    await chat.press("Luis", "Hecho", containing="Contacto con Entel")
    assert chat.received("Luis", "✍️ Tarea 2 (Contacto con Entel): ¿Qué número de ticket dio Entel?")
    await chat.say("Luis", "4455-AB")
    assert chat.received("Luis", "✔️ Registrado: tarea 2 (Contacto con Entel) hecha · el número de ticket de Entel: 4455-AB")
    assert chat.received("Cecilia", "✅ Hecha por Luis a las 09:00 · el número de ticket de Entel: 4455-AB")
    await chat.say("Juan Pablo", "estado")
    status = chat.inbox("Juan Pablo")[-1].text
    assert "✅ 2 Contacto con Entel — Luis, 09:00 · el número de ticket de Entel: 4455-AB" in status


async def test_declarer_description_is_asked_and_shared(chat: Chat) -> None:
    await chat.say("Catalina", "ALERTA ROJA")
    assert chat.received("Catalina", "Cuenta lo que sabes de la crisis")
    await chat.say("Catalina", "No responde la API desde las 9")
    assert chat.received("Catalina", "Se enviará a todos: «No responde la API desde las 9»")  # seen before it goes
    await chat.press("Catalina", "Enviar")
    assert chat.received("grupo", "ℹ️ Información de la crisis (Catalina): No responde la API desde las 9")


async def test_someone_not_a_declarer_starts_nothing_by_themselves(chat: Chat) -> None:
    await chat.say("Luis", "ALERTA ROJA")
    assert not chat.received("grupo", "ALERTA ROJA")
    assert chat.received("Luis", "Avisé a quienes pueden decretar (Juan Pablo, Cecilia, Catalina, Jaime)")
    await chat.say("Marcelo", "alerta roja!!")
    assert chat.received("Marcelo", "Ya avisé a Juan Pablo, Cecilia, Catalina, Jaime; esperando su confirmación.")
    assert len(chat.received("Jaime", "¿Decretar ALERTA ROJA?")) == 1  # not asked twice
    await chat.say("Luis", "estado")
    assert chat.inbox("Luis")[-1].text == "No hay ninguna crisis abierta."
    await chat.press("Jaime", "Decretar ALERTA ROJA")
    assert chat.received("grupo", "🚨 ALERTA ROJA · decretada por Jaime a las 09:00. Aviso de Luis.")


async def test_two_people_claiming_at_once_one_wins_the_other_is_told(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA")
    action = next(b.action for b in chat.received("Valeria", "Email masivo")[0].buttons if b.label == "Lo tomo")
    await asyncio.gather(
        chat.rt.service.handle(Press("valeria", action, "test")),
        chat.rt.service.handle(Press("luis", action, "test")),
    )
    await chat.rt.outbox.drain()
    winners = [name for name in ("Valeria", "Luis") if chat.received(name, "Listo, la tarea 5 (Email masivo) es tuya.")]
    assert len(winners) == 1
    loser = "Luis" if winners == ["Valeria"] else "Valeria"
    assert chat.received(loser, f"La tarea 5 ya la tomó {winners[0]} a las 09:00.")


async def test_whole_crisis_to_the_report(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: caída del servidor")
    await chat.press("Cecilia", "Hecho", containing="Contacto con Entel")
    await chat.say("Cecilia", "T-1")
    for name, step in (("Valeria", "Banner"), ("Luis", "Email masivo"), ("Marcelo", "Desactivar Timify")):
        await chat.press(name, "Lo tomo", containing=step)
        await chat.press(name, "Hecho", containing=step)
    for name in ("Juan Pablo", "Cecilia", "Catalina", "Jaime", "Luis", "Valeria", "Claudia Riveros", "Claudia Martínez", "Marcelo"):
        await chat.press(name, "Leído", containing="Atención al cliente")
    checklist = chat.received("Claudia Riveros", "📋 Paso 7 · Chequeo de las tareas")[-1]
    assert "✅ 2 Contacto con Entel: Cecilia, 09:00 · el número de ticket de Entel: T-1" in checklist.text
    await chat.press("Claudia Riveros", "Firmar verificación")
    await chat.say("Jaime", "FIN DE LA CRISIS")
    assert chat.received("grupo", "✅ FIN DE LA CRISIS · anunciado por Jaime")
    for step in ("Informar a los clientes", "Quitar el banner", "Email masivo de fin", "Habilitar Timify"):
        assert chat.received("Claudia Martínez", step)
        await chat.press("Claudia Martínez", "Hecho", containing=step)
    await chat.advance("5m")
    await chat.press("Juan Pablo", "Hecho", containing="Volver a la normalidad")
    [report] = [m for m in chat.inbox("grupo") if m.kind == "report"]
    assert "🏁 Crisis" in report.text and "Duración: 5 min." in report.text
    assert "Tareas: 13 hechas" in report.text and "Marcó hecha" not in report.text  # a summary, not the bitácora
    await chat.say("Jaime", "bitácora")  # the whole record, once it is over, on request
    lines = chat.inbox("Jaime")[-1].text.splitlines()
    assert "23/11 09:00 · Jaime · test · Decretó ALERTA ROJA" in lines
    assert "23/11 09:00 · Claudia Riveros · test · Firmó la verificación de los pasos 1, 2, 3, 4, 5, 6" in lines
    assert "23/11 09:05 · Juan Pablo · test · Marcó hecha la tarea 8f (Volver a la normalidad)" in lines
    assert lines[-1] == "23/11 09:05 · crisisbot · test · Crisis cerrada"
    await chat.say("Jaime", "ALERTA ROJA")  # a new crisis can start after the close
    assert len([m for m in chat.inbox("grupo") if m.kind == "announcement" and "decretada" in m.text]) == 2


async def test_unknown_step_and_crisis_over(chat: Chat) -> None:
    await chat.say("Jaime", "hecho 9")
    assert chat.inbox("Jaime")[-1].text == "No hay ninguna crisis abierta."
    await chat.say("Jaime", "ALERTA ROJA")
    await chat.say("Jaime", "hecho 9")
    assert "No hay una tarea 9 activa" in chat.inbox("Jaime")[-1].text


async def test_english_speaker_reads_english(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.support import DIRECTORY, settings_for

    text = DIRECTORY.read_text(encoding="utf-8").replace("    name: Luis\n", "    name: Luis\n    lang: en\n")
    directory = tmp_path / "dir.yaml"
    directory.write_text(text, encoding="utf-8")
    chat = await Chat.open(settings_for(tmp_path, directory=directory))
    try:
        await chat.say("Jaime", "ALERTA ROJA")
        card = chat.received("Luis", "📋 Step 2 · Contact Entel")[0]
        assert [b.label for b in card.buttons] == ["I'll take it", "Done", "I can't"]
        assert chat.received("Cecilia", "📋 Paso 2 · Contacto con Entel")
    finally:
        await chat.close()
