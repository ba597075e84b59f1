"""Issue 11's confirmations on Slack, through the real Bolt app and the strict fake: the
typed description is shown before it goes to all (the modal is deliberate and goes at
once), FIN DE LA CRISIS with work undone asks «¿Cerrar igual?», doing or signing a task
someone else holds asks first (and Slack's modal for the value does not ask twice), and
a recorded value is corrected by chat."""

from __future__ import annotations

from tests.slack.harness import Workspace

SHARED = "ℹ️ Información de la crisis (Cecilia)"


def _thread(slack: Workspace) -> list[str]:
    live = slack.announcement()
    return [m.shown for m in slack.channel() if m.thread_ts == live.ts]


def test_preview_close_anyway_sign_for_someone_and_corregir_on_slack(slack: Workspace) -> None:
    # 2. a typed description is previewed; a number is not a description
    slack.write("Cecilia", "ALERTA ROJA")
    slack.dm("Cecilia", "1")
    assert slack.dms("Cecilia")[-1].shown.startswith("No tomé «1» como la descripción de la crisis.")
    slack.dm("Cecilia", "Se cayó la base de datos a las 10:05")
    [preview] = slack.got("Cecilia", "Se enviará a todos")
    assert "«Se cayó la base de datos a las 10:05»" in preview.shown
    assert list(preview.buttons()) == ["Enviar", "Corregir"]
    assert not any(SHARED in shown for shown in _thread(slack))
    assert "Situación:" not in slack.announcement().shown
    slack.press("Cecilia", "Corregir")
    [preview] = slack.got("Cecilia", "Se enviará a todos")
    assert preview.buttons() == {} and "Pulsaste «Corregir»" in preview.shown  # no second press on it
    assert slack.got("Cecilia", "Escribe de nuevo la descripción de la crisis")
    assert slack.latest_modal("Cecilia")["title"]["text"] == "Describir la crisis"  # Slack asks in a form
    slack.submit("Cecilia", "Se cayó la base de datos de clientes a las 10:05; no entran pedidos")
    assert len(slack.got("Cecilia", "Se enviará a todos")) == 1  # the form is deliberate: no second preview
    assert "Situación: Se cayó la base de datos de clientes a las 10:05; no entran pedidos" in slack.announcement().shown
    assert [s for s in _thread(slack) if SHARED in s] == [
        "ℹ️ Información de la crisis (Cecilia): Se cayó la base de datos de clientes a las 10:05; no entran pedidos"]

    # 4. a coordinator marks done a task Luis holds: asked first; the modal's value does not ask again
    slack.press("Luis", "Lo tomo", containing="Paso 2 · Contacto con Entel")
    slack.dm("Jaime", "hecho 2")
    [question] = slack.got("Jaime", "La tarea 2 la tiene Luis. ¿La marcas hecha tú?")
    assert list(question.buttons()) == ["Sí, la hice yo", "No"]
    slack.press("Jaime", "Sí, la hice yo")
    assert slack.got("Jaime", "✍️ Tarea 2 (Contacto con Entel): ¿Qué número de ticket dio Entel?")
    slack.submit("Jaime", "4455-ABC")
    assert len(slack.got("Jaime", "La tarea 2 la tiene Luis")) == 1
    assert slack.got("Jaime", "✔️ Registrado: tarea 2 (Contacto con Entel) hecha · el número de ticket de Entel: 4455-ABC")
    assert slack.got("Luis", "Jaime marcó hecha la tarea 2 (Contacto con Entel), que tenías tú.")

    # 8. the value is corrected by chat; the channel's summary shows the new one
    slack.dm("Jaime", "corregir 2")
    assert slack.dms("Jaime")[-1].shown.startswith("✏️ Tarea 2: el número de ticket de Entel registrado es «4455-ABC».")
    slack.dm("Jaime", "4455-AC")
    assert slack.got("Jaime", "✏️ Corregido en la tarea 2: el número de ticket de Entel ahora es «4455-AC» (antes «4455-ABC»).")
    assert "✅ 2 Contacto con Entel — Jaime, 09:00 · el número de ticket de Entel: 4455-AC" in slack.announcement().shown

    # 1. FIN DE LA CRISIS with work undone asks first; «Seguir» keeps it open
    slack.write("Cecilia", "FIN DE LA CRISIS")
    [ask] = slack.got("Cecilia", "¿Cerrar igual?")
    assert "Quedan 4 tareas abiertas (3, 4, 5, 6) y falta la firma del paso 7." in ask.shown
    assert list(ask.buttons()) == ["Cerrar igual", "Seguir"]
    assert not any("FIN DE LA CRISIS" in m.shown for m in slack.channel())
    slack.press("Cecilia", "Seguir")
    assert slack.dms("Cecilia")[-1].shown == "De acuerdo, la crisis sigue abierta."
    assert slack.got("Cecilia", "¿Cerrar igual?")[0].buttons() == {}
    assert "🔴 Activa" in slack.announcement().shown

    # 4. signing step 7 that Claudia Riveros took: «¿La firmas tú?»
    for name, text in (("Juan Pablo", "hecho 4"), ("Valeria", "hecho 5"), ("Claudia Riveros", "hecho 6"),
                       ("Juan Pablo", "hecho 3")):
        slack.dm(name, text)
    slack.press("Juan Pablo", "Dar por cumplido", containing="por todos?")  # closing the round for all asks first
    slack.press("Claudia Riveros", "Lo tomo", containing="Paso 7 · Chequeo")
    slack.dm("Claudia Martínez", "hecho 7")
    [sign] = slack.got("Claudia Martínez", "La tarea 7 la tiene Claudia Riveros. ¿La firmas tú?")
    assert list(sign.buttons()) == ["Sí, firmo yo", "No"]
    assert not slack.got("Claudia Martínez", "Verificación firmada")
    slack.press("Claudia Martínez", "Sí, firmo yo")
    assert slack.got("Claudia Martínez", "✔️ Verificación firmada.")
    assert slack.got("Claudia Riveros", "Claudia Martínez firmó la tarea 7 (Chequeo de las tareas), que tenías tú.")
    assert not any("en tu nombre" in m.shown for m in slack.dms("Claudia Riveros"))
    assert "✅ 7 Chequeo de las tareas — Claudia Martínez" in slack.announcement().shown

    # 1. nothing undone now: FIN closes without asking; «Cerrar igual» was never needed
    slack.write("Cecilia", "FIN DE LA CRISIS")
    assert len(slack.got("Cecilia", "¿Cerrar igual?")) == 1
    assert any("✅ FIN DE LA CRISIS · anunciado por Cecilia" in m.shown for m in slack.channel())
    assert not [c for c in slack.fake.refused() if c.error != "channel_not_found"]


def test_close_anyway_on_slack_closes_and_a_late_take_is_told(slack: Workspace) -> None:
    slack.write("Catalina", "ALERTA ROJA: no carga el portal de clientes")
    slack.advance("10m")
    [reminder] = slack.got("Valeria", "⏰ Recordatorio: la tarea 4")
    assert reminder.buttons()
    slack.command("Catalina", "cerrar")
    [ask] = slack.got("Catalina", "¿Cerrar igual?")
    assert "Quedan 5 tareas abiertas (2, 3, 4, 5, 6) y falta la firma del paso 7." in ask.shown
    slack.press("Catalina", "Cerrar igual")
    assert any("✅ FIN DE LA CRISIS · anunciado por Catalina" in m.shown for m in slack.channel())
    assert "🟠 FIN DE LA CRISIS en curso" in slack.announcement().shown
    # the crisis cards and their reminders lose their buttons: nothing to press on a task no longer active
    [card] = slack.got("Valeria", "📋 Paso 4 · Banner")
    assert card.buttons() == {} and "⛔ No se realizó: la crisis terminó antes." in card.shown
    assert slack.got("Valeria", "⏰ Recordatorio: la tarea 4")[0].buttons() == {}
    assert slack.got("Claudia Riveros", "📋 Paso 7 · Chequeo")[0].buttons() == {}
    slack.dm("Claudia Riveros", "tomo 7")
    assert slack.dms("Claudia Riveros")[-1].shown == "La tarea 7 ya no está activa."
