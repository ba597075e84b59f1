"""Seed 001 (repeated damage complaints, playbooks/comteco_danos_reiterados.yaml) played as
chat: paths the example script does not take, read as each unit reads them."""

from __future__ import annotations

from tests.support import Chat


def last(chat: Chat, name: str) -> str:
    return chat.inbox(name)[-1].text


async def test_help_desk_solves_it_online_at_step_10(desk: Chat) -> None:
    await desk.say("Marco", "RECLAMO REITERADO 7781234 vulnerabilidad=1")
    opened = desk.received("Marco", "📁 Caso R-1 abierto (Daños reiterados COMTECO).")[0].text
    assert "Vence 23/11 20:00." in opened  # 12 h (Anexo 2, 1 Muy alta), in La Paz time
    await desk.press("Marco", "Help Desk")
    card = desk.latest_with_buttons("Marco")
    assert "📋 Paso 9 · Recibir el reclamo de daño técnico" in card.text
    assert "• vulnerabilidad (Anexo 2): 1 Muy alta (12 h)" in card.text
    await desk.say("Marco", "hecho R-1 9")
    await desk.type("Marco", "1")  # step 10: «Sí, solucionado»
    assert desk.received("Marco", "✅ Paso 10: elegiste «Sí, solucionado».")
    assert last(desk, "Marco") == "🏁 Caso R-1 cerrado: solucionado"
    assert not desk.inbox("Daniela") and not desk.inbox("Ximena")  # kept by Marco, nobody else bothered
    await desk.say("Marco", "mis casos")
    assert last(desk, "Marco") == "No tienes casos abiertos."


async def test_operations_centre_19_to_24_then_administration_escalates(desk: Chat) -> None:
    await desk.say("Lucía", "/caso danos contrato=4452211 vulnerabilidad=2")
    await desk.say("Lucía", "R-1 3")  # Retención → 12
    await desk.say("Lucía", "hecho R-1 12")
    assert last(desk, "Lucía") == "✍️ Tarea 12 (Pedir información del servicio con problema): ¿Qué problema tiene el servicio?"
    await desk.say("Lucía", "sin tono desde el lunes")
    await desk.say("Lucía", "R-1 1")  # 13: asignada → 14
    await desk.say("Lucía", "hecho R-1 14")  # → 15, with a request number
    await desk.say("Lucía", "hecho R-1 15")
    await desk.say("Lucía", "no sé")  # no number: refused with the example
    assert "SOL-88123" in last(desk, "Lucía") and "Registrado" not in last(desk, "Lucía")
    await desk.say("Lucía", "SOL-4410")
    assert desk.received("Lucía", "· el número de solicitud: SOL-4410")
    # hand-off: the retention coordinator gets the case with what was recorded
    card = desk.latest_with_buttons("Verónica")
    assert "📋 Paso 16 · Gestión técnica y control de calidad" in card.text
    for line in ("• contrato: 4452211", "• problema: sin tono desde el lunes", "• número de solicitud: SOL-4410",
                 "✅ 12 Pedir información del servicio con problema — Lucía Gutiérrez 08:00 · sin tono desde el lunes"):
        assert line in card.text
    await desk.press("Verónica", "Telefonía o TV")  # → 19, the operations centre
    assert "📋 Paso 19 · ¿El servicio funciona bien?" in desk.latest_with_buttons("Wilson").text
    await desk.press("Wilson", "No funciona")  # → 20, Wilson keeps it
    await desk.say("Wilson", "R-1 2")  # the technician did not fix it → 21
    card = desk.latest_with_buttons("Sergio")
    assert "📋 Paso 21 · Generar orden de trabajo inmediata" in card.text
    assert "✅ 20 ¿El técnico lo solucionó? — Wilson Condori 08:00 · No" in card.text
    await desk.press("Sergio", "Hecho", containing="Paso 21")
    await desk.say("Sergio", "R-1 No")  # 22 → 23
    await desk.say("Sergio", "R-1 No")  # 23 → 24
    await desk.say("Sergio", "hecho R-1 24")  # → 25, administration
    await desk.press("Carla", "Reclamo reiterado")  # vulnerabilidad 2 → 26
    await desk.say("Carla", "hecho R-1 26")
    assert "📋 Paso 27 · Coordinar con Jefe Depto. Centro de Operaciones" in desk.latest_with_buttons("Hugo").text
    await desk.say("Hugo", "hecho R-1 27")
    closed = "🏁 Caso R-1 cerrado: escalado a Jefe Div. Provisión y Aseguramiento"
    assert last(desk, "Hugo") == closed and last(desk, "Lucía") == closed  # whoever acted last, and the opener
    # a press on an old card of a finished step says it is done
    await desk.press("Wilson", "Sí, funciona")
    assert last(desk, "Wilson") == "La tarea 19 ya está hecha (por Wilson Condori a las 08:00)."


async def test_administration_finds_no_repeat_and_a_repeat_is_joined_not_duplicated(desk: Chat) -> None:
    await desk.say("Gonzalo", "RECLAMO REITERADO 5550001 vulnerabilidad=4")
    await desk.say("Rodrigo", "RECLAMO REITERADO 5550001")  # the same contract while it is open
    assert last(desk, "Rodrigo") == ("Ya hay un caso abierto para contrato 5550001: R-1 (abierto 08:00 por "
                                     "Gonzalo Choque). Escribe «estado R-1».")
    await desk.say("Rodrigo", "estado R-1")
    assert "Abierto por Gonzalo Choque el 23/11 08:00" in last(desk, "Rodrigo")
    await desk.say("Gonzalo", "R-1 3")
    await desk.say("Gonzalo", "hecho R-1 12")
    await desk.say("Gonzalo", "no sincroniza")
    await desk.say("Gonzalo", "R-1 Cerrada sin solución")  # 13 → 15 (the departure from the text)
    await desk.say("Gonzalo", "hecho R-1 15")
    await desk.say("Gonzalo", "SOL-7")
    await desk.say("Verónica", "R-1 3")  # 16: Administración CO → 25
    await desk.press("Carla", "Sin reiteraciones")
    assert last(desk, "Carla") == "🏁 Caso R-1 cerrado: sin reiteraciones en el RDT"
    assert last(desk, "Gonzalo") == "🏁 Caso R-1 cerrado: sin reiteraciones en el RDT"
    await desk.say("Rodrigo", "RECLAMO REITERADO 5550001")  # closed: a new case, marked repeated
    opened = desk.received("Rodrigo", "📁 Caso R-2 abierto")[0].text
    assert "Reiterado: 1 caso antes con el mismo dato." in opened
    assert "• Reiterado: sí" in desk.latest_with_buttons("Rodrigo").text


async def test_a_due_case_asks_its_holder_then_tells_the_coordinators(desk: Chat) -> None:
    await desk.say("Ximena", "/caso r 9990001")  # no vulnerability: asked at 1.1
    await desk.say("Ximena", "R-1 1")
    await desk.say("Ximena", "R-1 7")  # not an option
    assert "responde con una opción" in last(desk, "Ximena")
    await desk.say("Ximena", "R-1 1")  # 1 Muy alta: due in 12 h
    assert "⏰ Vence 23/11 20:00" in desk.latest_with_buttons("Ximena").text
    await desk.say("Ximena", "mis casos")
    assert "R-1 (Daños reiterados COMTECO)" in last(desk, "Ximena") and "vence 23/11 20:00" in last(desk, "Ximena")
    await desk.say("Ximena", "hecho R-1 2")
    await desk.say("Ximena", "44252211")  # step 3, a question she keeps
    await desk.advance("12h")
    assert last(desk, "Ximena") == ("⌛ La pregunta 3 (¿En qué estado está la solicitud de daño?) pasó su plazo: elige una opción. "
                                    "Si aún no puedes, escribe «sigo R-1 3».\n📁 Caso R-1 · Daños reiterados COMTECO")
    assert not desk.inbox("Mónica")
    await desk.advance("1h")  # no answer: the coordinators are told, each in their language, with the case
    assert last(desk, "Mónica").startswith("🔺 Ximena Quispe no responde sobre la tarea 3")
    assert last(desk, "Mónica").endswith("📁 Caso R-1 · Daños reiterados COMTECO")
    assert last(desk, "Ramiro").startswith("🔺 Ximena Quispe does not answer about task 3")
    assert "📁 Case R-1" in last(desk, "Ramiro")


async def test_cases_falling_due_together_each_ask_their_own_holder(desk: Chat) -> None:
    """Timers of several cases due at once are handled in one transaction (their cases read
    together: bench/cases_scale.py); each message still names its own case and goes to its
    own people. Marco does not answer step 3 himself: his case waits there for the role."""
    for n, who in enumerate(("Ximena", "Rodrigo", "Marco"), start=1):
        await desk.say(who, f"/caso r 999001{n}")  # no vulnerability: asked at 1.1
        await desk.say(who, f"R-{n} 1")  # takes it
        await desk.say(who, f"R-{n} 1")  # 1 Muy alta: due in 12 h
        await desk.say(who, f"hecho R-{n} 2")
        await desk.say(who, "44252211")  # step 3: a question Ximena and Rodrigo keep
    await desk.advance("12h")
    for n, who in ((1, "Ximena"), (2, "Rodrigo")):
        assert last(desk, who) == ("⌛ La pregunta 3 (¿En qué estado está la solicitud de daño?) pasó su plazo: elige "
                                   f"una opción. Si aún no puedes, escribe «sigo R-{n} 3».\n📁 Caso R-{n} · Daños reiterados COMTECO")
    assert last(desk, "Mónica") == ("🔺 Vencida: la tarea 3 (¿En qué estado está la solicitud de daño?) pasó su plazo sin "
                                    "responsable.\n📁 Caso R-3 · Daños reiterados COMTECO")


async def test_a_task_someone_else_holds_is_asked_about_then_signed_by_who_did_it(desk: Chat) -> None:
    """The confirmation waits on the case (a pending proposal) between two presses."""
    await desk.say("Ximena", "/caso r 9990001")
    await desk.say("Ximena", "R-1 1")  # takes it
    await desk.say("Ximena", "R-1 1")  # 1 Muy alta; step 2 stays with her
    await desk.say("Rodrigo", "hecho R-1 2")
    assert last(desk, "Rodrigo") == "La tarea 2 la tiene Ximena Quispe. ¿La marcas hecha tú?"
    await desk.press("Rodrigo", "Sí, la hice yo")
    assert last(desk, "Rodrigo") == ("✍️ Tarea 2 (Recepcionar la llamada del cliente): ¿Cuál es el número telefónico "
                                     "del servicio? (ejemplo: 44252211)")
    await desk.say("Rodrigo", "44252211")
    assert desk.inbox("Ximena")[-2].text == ("Rodrigo Mamani marcó hecha la tarea 2 (Recepcionar la llamada del cliente), "
                                             "que tenías tú.")
    assert "• teléfono: 44252211" in last(desk, "Rodrigo")
