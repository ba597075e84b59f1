"""A whole crisis driven from Slack: signed events, buttons, modals and /crisis into the
real Bolt app; what the bot sent read back from the fake Slack Web API."""

from __future__ import annotations

import json

from tests.slack.harness import CHANNEL, OTHER_CHANNEL, Workspace

EVERYONE = ("Juan Pablo", "Cecilia", "Catalina", "Jaime", "Luis", "Valeria", "Claudia Riveros", "Claudia Martínez",
            "Marcelo")


def test_whole_crisis_from_alerta_roja_to_the_report(slack: Workspace) -> None:
    assert slack.write("Jaime", "ALERTA ROJA").status_code == 200

    # the channel: one announcement, the live summary
    live = slack.announcement()
    assert live.channel == CHANNEL
    assert "🚨 ALERTA ROJA · Plan de contingencia FullPyme" in live.shown
    assert "Decretada por Jaime a las 09:00" in live.shown
    assert "⬜ 2 Contacto con Entel — sin tomar" in live.shown
    assert "Total: 0 hechas · 1 en curso · 5 sin tomar · 1 esperando · 0 vencidas" in live.shown
    assert [m for m in slack.channel() if m.thread_ts is None] == [live]  # task chatter stays out of the channel

    # each responsible: a card by direct message, with its buttons
    [card] = slack.got("Cecilia", "📋 Paso 2 · Contacto con Entel")
    assert "Llamar al 600 3600 106 (Entel). RUT 76.164.567-6." in card.shown
    assert list(card.buttons()) == ["Lo tomo", "Hecho", "No puedo"]
    assert card.buttons()["Lo tomo"]["element"]["style"] == "primary"
    assert not slack.got("Marcelo", "Contacto con Entel")  # not his role
    assert slack.got("Marcelo", "📋 Paso 6 · Desactivar Timify")

    # the declarer is asked for the description: a button opens the modal
    [question] = slack.got("Jaime", "Cuenta lo que sabes de la crisis")
    assert list(question.buttons()) == ["✍️ Escribir la descripción"]
    slack.press("Jaime", "✍️ Escribir la descripción")
    modal = slack.latest_modal("Jaime")
    assert modal["title"]["text"] == "Describir la crisis"
    assert modal["blocks"][-1]["label"]["text"] == "La descripción de la crisis"
    slack.submit("Jaime", "Se cayó el servidor principal desde las 8:40")
    live = slack.announcement()
    assert "Situación: Se cayó el servidor principal desde las 8:40" in live.shown
    assert "✅ 1 Decretar la alerta — Jaime, 09:00" in live.shown
    thread = [m for m in slack.channel() if m.thread_ts == live.ts]
    assert any("ℹ️ Información de la crisis (Jaime): Se cayó el servidor principal" in m.shown for m in thread)

    # Cecilia takes the Entel task: her card and everybody's card change in place
    slack.press("Cecilia", "Lo tomo", containing="Contacto con Entel")
    assert slack.got("Cecilia", "Listo, la tarea 2 (Contacto con Entel) es tuya.")
    [card] = slack.got("Cecilia", "📋 Paso 2 · Contacto con Entel")
    assert "🟡 Es tuya desde las 09:00." in card.shown and list(card.buttons()) == ["Hecho", "No puedo"]
    [luis_card] = slack.got("Luis", "📋 Paso 2 · Contacto con Entel")
    assert "🟡 La tomó Cecilia a las 09:00." in luis_card.shown and luis_card.buttons() == {}
    assert luis_card.updates >= 1

    # "Hecho" on a task that records a value opens a modal for the Entel ticket
    slack.press("Cecilia", "Hecho", containing="Contacto con Entel")
    modal = slack.latest_modal("Cecilia")
    assert modal["title"]["text"] == "Completar tarea 2"
    assert "¿Qué número de ticket dio Entel?" in json.dumps(modal["blocks"], ensure_ascii=False)
    assert not slack.got("Cecilia", "Registrado")  # nothing done until the modal is sent
    slack.submit("Cecilia", "T-4455")
    assert slack.got("Cecilia", "✔️ Registrado: tarea 2 (Contacto con Entel) hecha · el número de ticket de Entel: T-4455")
    [card] = slack.got("Cecilia", "📋 Paso 2 · Contacto con Entel")
    assert "✅ Hecha por Cecilia a las 09:00 · el número de ticket de Entel: T-4455" in card.shown
    assert card.buttons() == {}  # no stale buttons on the presser's card either
    assert "✅ 2 Contacto con Entel — Cecilia, 09:00 · el número de ticket de Entel: T-4455" in slack.announcement().shown

    for name, step in (("Valeria", "Banner"), ("Luis", "Email masivo"), ("Marcelo", "Desactivar Timify")):
        slack.press(name, "Lo tomo", containing=step)
        slack.press(name, "Hecho", containing=step)
        [done] = slack.got(name, f"Paso {'456'[('Banner', 'Email masivo', 'Desactivar Timify').index(step)]} · ")
        assert "✅ Hecha por" in done.shown and done.buttons() == {}
    slack.press("Marcelo", "Leído", containing="Atención al cliente")
    [card] = slack.got("Marcelo", "📋 Paso 3 · Atención al cliente")
    assert "(1 de 9 ya lo hizo)" in card.shown and card.buttons() == {}  # his «Leído» is gone
    [card] = slack.got("Luis", "📋 Paso 3 · Atención al cliente")
    assert list(card.buttons()) == ["Leído"]
    for name in EVERYONE[:-1]:
        slack.press(name, "Leído", containing="Atención al cliente")
    [checklist] = slack.got("Claudia Riveros", "📋 Paso 7 · Chequeo de las tareas")
    assert "✅ 2 Contacto con Entel: Cecilia, 09:00 · el número de ticket de Entel: T-4455" in checklist.shown
    slack.press("Claudia Riveros", "Firmar verificación")
    assert slack.got("Claudia Riveros", "✔️ Verificación firmada.")
    assert "Total: 7 hechas" in slack.announcement().shown

    # /crisis estado answers by direct message
    response = slack.command("Juan Pablo", "estado")
    assert response.status_code == 200 and "mensaje directo" in response.json()["text"]
    status = slack.dms("Juan Pablo")[-1].shown
    assert "📊 Estado de la crisis" in status and "✅ 7 Chequeo de las tareas — Claudia Riveros" in status

    # FIN DE LA CRISIS: the closing announcement in the channel, closing cards by DM
    slack.command("Jaime", "cerrar")
    assert any("✅ FIN DE LA CRISIS · anunciado por Jaime" in m.shown for m in slack.channel() if m.thread_ts is None)
    assert "🟠 FIN DE LA CRISIS en curso" in slack.announcement().shown
    for step in ("Informar a los clientes", "Quitar el banner", "Email masivo de fin", "Habilitar Timify"):
        slack.press("Claudia Martínez", "Hecho", containing=step)
    slack.press("Juan Pablo", "Hecho", containing="Volver a la normalidad")

    # a short summary in the channel; the announcement shows the crisis closed
    summaries = [m for m in slack.channel() if "🏁 Crisis" in m.shown and "Duración:" in m.shown]
    assert len(summaries) == 1 and summaries[0].thread_ts is None
    summary = summaries[0].shown
    assert "Tareas: 13 hechas · 0 no necesarias · 0 sin realizar" in summary and "No se hizo" not in summary and "Decretó" not in summary
    assert "🏁 Crisis cerrada" in slack.announcement().shown
    # the whole log by direct message, right after closing
    slack.dm("Jaime", "bitácora")
    log = "\n".join(m.shown for m in slack.dms("Jaime")[-3:])
    assert "Decretó ALERTA ROJA" in log and "T-4455" in log and "slack" in log
    assert len([m for m in slack.channel() if m.blocks and m.blocks[0].get("type") == "header"]) == 1


def test_keywords_work_in_any_channel_and_by_direct_message(slack: Workspace) -> None:
    slack.write("Catalina", "estado", channel=OTHER_CHANNEL)
    assert slack.dms("Catalina")[-1].shown == "No hay ninguna crisis abierta."
    slack.dm("Cecilia", "🚨 alerta roja: no carga la web")
    assert "Situación: no carga la web" in slack.announcement().shown
    slack.write("Jaime", "ALERTA ROJA", channel=OTHER_CHANNEL)  # joins the open crisis
    assert slack.got("Jaime", "Ya hay una crisis abierta desde las 09:00, decretada por Cecilia.")
    before = len(slack.dms("Luis")), len(slack.channel())
    slack.write("Luis", "hola a todos, ¿alguien sabe algo?", channel=CHANNEL)  # chatter: no answer
    assert (len(slack.dms("Luis")), len(slack.channel())) == before
    slack.dm("Luis", "hola")  # in a direct message the bot says it did not understand
    assert slack.dms("Luis")[-1].shown.startswith("No entendí.")
    slack.dm("Luis", "FIN DE LA CRISIS")  # not a declarer: the declarers are asked to confirm
    assert slack.got("Luis", "Avisé a quienes pueden cerrar la crisis")
    [proposal] = slack.got("Jaime", "Luis pide cerrar la crisis")
    assert list(proposal.buttons()) == ["Anunciar FIN", "Descartar"]
    slack.press("Jaime", "Descartar", containing="Luis pide cerrar")
    [proposal] = slack.got("Jaime", "Luis pide cerrar la crisis")
    assert proposal.buttons() == {} and "Pulsaste «Descartar» a las 09:00." in proposal.shown
    assert slack.got("Luis", "Jaime descartó el aviso")


def test_slash_command_declares_and_asks_the_description_in_a_modal(slack: Workspace) -> None:
    response = slack.command("Juan Pablo", "declarar")
    assert response.status_code == 200
    assert "🚨 ALERTA ROJA" in slack.announcement().shown
    modal = slack.latest_modal("Juan Pablo")
    assert modal["title"]["text"] == "Describir la crisis" and modal["callback_id"] == "crisis_input"
    assert slack.fake.views[-1]["trigger_id"].count(".") == 2  # the command's own trigger
    slack.submit("Juan Pablo", "Sin sistema de facturación")
    assert "Situación: Sin sistema de facturación" in slack.announcement().shown


def test_slash_command_subcommands(slack: Workspace) -> None:
    usage = slack.command("Luis", "").json()["text"]
    assert "/crisis estado" in usage and "/crisis mis-tareas" in usage
    assert slack.command("Luis", "bailar").json()["text"] == usage
    assert slack.command("Luis", "ayuda").json()["text"] == usage
    assert slack.got("Luis", "«ALERTA ROJA» decreta una crisis")  # the engine's help, by DM
    slack.command("Cecilia", "declarar se cayó la VPN")
    assert "Situación: se cayó la VPN" in slack.announcement().shown
    assert not slack.fake.called("views.open")  # the description came with the command
    slack.command("Valeria", "mis-tareas", channel="DVALERIA")
    assert slack.got("Valeria", "Tus tareas abiertas:")
    slack.command("Jaime", "informe")
    assert slack.got("Jaime", "📒 Bitácora de la crisis") and slack.got("Jaime", "Decretó ALERTA ROJA")


def test_app_home_shows_the_viewers_tasks_and_the_status(slack: Workspace) -> None:
    slack.open_home("Valeria")
    home = slack.fake.home_of(slack.user("Valeria"))
    assert home is not None and "No hay ninguna crisis abierta" in json.dumps(home, ensure_ascii=False)
    slack.write("Jaime", "ALERTA ROJA: sin internet")
    slack.open_home("Valeria")
    home = slack.fake.home_of(slack.user("Valeria"))
    assert home is not None
    text = json.dumps(home, ensure_ascii=False)
    assert "📊 Estado de la crisis" in text and "Situación: sin internet" in text
    assert "Banner de emergencia" in text and "Contacto con Entel" not in text.split("Tus tareas abiertas")[1]
    slack.press_home("Valeria", "Lo tomo", containing="Banner")
    assert slack.got("Valeria", "Listo, la tarea 4 (Banner de emergencia en fullpyme.cl) es tuya.")
    home = slack.fake.home_of(slack.user("Valeria"))
    assert home is not None and "🟡 Es tuya desde las 09:00." in json.dumps(home, ensure_ascii=False)


def test_a_reminder_carries_the_buttons_and_loses_them_once_pressed(slack: Workspace) -> None:
    slack.write("Jaime", "ALERTA ROJA")
    slack.advance("10m")
    [reminder] = slack.got("Valeria", "⏰ Recordatorio: la tarea 4 (Banner de emergencia en fullpyme.cl)")
    assert list(reminder.buttons()) == ["Lo tomo", "Hecho", "No puedo"]
    slack.press("Valeria", "Lo tomo", containing="Recordatorio: la tarea 4")
    [reminder] = slack.got("Valeria", "⏰ Recordatorio: la tarea 4")
    assert reminder.buttons() == {} and "Pulsaste «Lo tomo» a las 09:10." in reminder.shown
    [card] = slack.got("Valeria", "📋 Paso 4 · Banner")
    assert "🟡 Es tuya desde las 09:10." in card.shown


def test_when_the_modal_cannot_open_the_value_is_asked_in_chat(slack: Workspace) -> None:
    slack.write("Jaime", "ALERTA ROJA: sin red")
    slack.fake.fail_next("views.open", status=200, error="expired_trigger_id", retry_after=None)
    slack.press("Luis", "Hecho", containing="Contacto con Entel")
    [question] = slack.got("Luis", "✍️ Tarea 2 (Contacto con Entel): ¿Qué número de ticket dio Entel?")
    assert list(question.buttons()) == ["✍️ Responder"]
    slack.press("Luis", "✍️ Responder")
    assert slack.latest_modal("Luis")["title"]["text"] == "Completar tarea 2"
    slack.dm("Luis", "  99-XY ")  # or he just types it
    assert slack.got("Luis", "✔️ Registrado: tarea 2 (Contacto con Entel) hecha · el número de ticket de Entel: 99-XY")
    slack.press("Luis", "✍️ Responder")  # nothing pending any more
    assert "No tengo ninguna pregunta pendiente para ti." in slack.ephemeral_to("Luis")
