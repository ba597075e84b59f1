"""Seed 004 (information and routing at the service desk, playbooks/comteco_direccionamiento.yaml)
played as chat: paths the example script does not take, read as the advisers read them."""

from __future__ import annotations

from flows.commands import Say
from tests.support import Chat


def last(chat: Chat, name: str) -> str:
    return chat.inbox(name)[-1].text


async def test_information_ends_with_the_leaflet_pressed_on_buttons(desk: Chat) -> None:
    await desk.say("Silvia", "ATENCIÓN CLIENTE")
    assert desk.received("Silvia", "📁 Caso D-1 abierto (Información y direccionamiento COMTECO).")
    card = desk.latest_with_buttons("Silvia")
    assert [b.label for b in card.buttons] == ["Información general", "Ubicar funcionario", "Trámite específico"]
    assert "🟡 Es tuya desde las 08:00. Elige una opción." in card.text  # the opener keeps the customer
    assert not desk.inbox("Andrés")  # the other adviser is not disturbed
    await desk.press("Silvia", "Información general")
    assert desk.received("Silvia", "✅ Paso 1: elegiste «Información general».")
    card = desk.latest_with_buttons("Silvia")
    assert "📋 Paso 2 · Informar requisitos y entregar folleto" in card.text
    assert "✅ 1 ¿Qué necesita el cliente? — Silvia Guzmán 08:00 · Información general" in card.text
    await desk.press("Silvia", "Hecho", containing="Paso 2")
    assert last(desk, "Silvia") == "🏁 Caso D-1 cerrado: informado, folleto entregado"
    assert not desk.inbox("Andrés")  # nor told of a case he never had
    await desk.say("Silvia", "mis casos")
    assert last(desk, "Silvia") == "No tienes casos abiertos."
    await desk.say("Silvia", "estado D-1")
    assert "🏁 Cerrado" in last(desk, "Silvia") and "informado, folleto entregado" in last(desk, "Silvia")


async def test_post_venta_legal_by_typed_number_and_short_id(desk: Chat) -> None:
    await desk.say("Andrés", "NEW CUSTOMER")  # English adviser
    assert desk.received("Andrés", "📁 Case D-1 opened (Información y direccionamiento COMTECO).")
    await desk.type("Andrés", "3")  # a bare number under the question: its third option
    assert desk.received("Andrés", "✅ Step 1: you chose «A specific procedure».")
    await desk.say("Andrés", "D-1 2")  # by short id and number
    assert desk.received("Andrés", "✅ Step 5: you chose «B. After-sales».")
    card = desk.latest_with_buttons("Andrés")
    assert "📋 Step 5B · After-sales: what does the customer want?" in card.text
    assert "• kind of procedure: B. After-sales" in card.text
    await desk.say("Andrés", "D-1 Calls in/Prosecutor")  # by the option's label
    assert desk.received("Andrés", "✅ Step 5B: you chose «Calls in/Prosecutor».")
    assert last(desk, "Andrés") == "🏁 Case D-1 closed: Legal office"
    # the old card of an answered question: pressing it says it is done, nothing changes
    await desk.press("Andrés", "A. Buy a service")
    assert "already done" in last(desk, "Andrés")
    await desk.say("Gabriela", "estado D-1")  # the supervisor reads it in Spanish
    status = last(desk, "Gabriela")
    assert "Abierto por Andrés Ticona" in status and "Asesoría Legal" in status
    assert "• tipo de trámite: B. Post venta" in status


async def test_baja_with_requirements_met_hands_the_ticket_and_silvia_may_answer_for_andres(desk: Chat) -> None:
    await desk.say("Silvia", "/caso direccionamiento cliente=\"Rosa Vidal\"")
    assert "• cliente: Rosa Vidal" in desk.latest_with_buttons("Silvia").text
    await desk.say("Silvia", "D-1 3")
    await desk.say("Silvia", "D-1 C. Baja de servicios")
    await desk.type("Silvia", "1")  # 5C: Baja de servicio
    assert desk.received("Silvia", "✅ Paso 5C: elegiste «Baja de servicio».")
    await desk.say("Silvia", "estado D-1")
    status = last(desk, "Silvia")
    assert "➡️ Paso 6 · ¿Cumple los requisitos y no tiene deuda?: lo tiene Silvia Guzmán" in status
    assert "• trámite: Baja de servicio" in status
    await desk.say("Silvia", "mis casos")
    assert last(desk, "Silvia").startswith("Tus casos abiertos (1):\n• D-1 (Información y direccionamiento COMTECO)")
    await desk.press("Silvia", "Cumple")
    card = desk.latest_with_buttons("Silvia")
    assert "📋 Paso 8 · Entregar ficha y direccionar a la sala de espera" in card.text
    assert "✅ 6 ¿Cumple los requisitos y no tiene deuda? — Silvia Guzmán 08:00 · Cumple" in card.text
    await desk.say("Silvia", "hecho D-1 8")
    assert last(desk, "Silvia") == "🏁 Caso D-1 cerrado: ficha entregada: Asesor Comercial, Retiro de Servicios"


async def test_words_around_the_cases(desk: Chat) -> None:
    await desk.say("Silvia", "/caso")  # the list of procedures that open cases
    listing = last(desk, "Silvia")
    assert "Para abrir un caso:" in listing
    assert "/caso comteco_danos_reiterados contrato=…" in listing and "RECLAMO REITERADO" in listing
    assert "/caso comteco_direccionamiento" in listing and "ATENCIÓN CLIENTE" in listing
    await desk.say("Silvia", "estado D-99")
    assert last(desk, "Silvia") == "No hay ningún caso D-99. Escribe «mis casos» para ver los tuyos."
    await desk.say("Gabriela", "ATENCIÓN CLIENTE")  # the supervisor is no opener
    assert last(desk, "Gabriela") == ("No puedes abrir casos de «Información y direccionamiento COMTECO». "
                                      "Pídeselo a quien atiende estos casos.")
    await desk.rt.service.handle(Say("desconocido", "ATENCIÓN CLIENTE", "test"))  # not in the directory
    await desk.rt.outbox.drain()
    assert not [m for r, m in desk.transport.sent if r == "desconocido" and "abierto" in m.text]
    await desk.say("Silvia", "ATENCIÓN CLIENTE")  # the refused openings took no id
    assert desk.received("Silvia", "📁 Caso D-1 abierto (Información y direccionamiento COMTECO).")
    await desk.say("Juan Pablo", "D-1 1")  # not an adviser: may not answer
    assert "elegiste" not in last(desk, "Juan Pablo")
    await desk.say("Silvia", "estado D-1")
    assert "➡️ Paso 1 · ¿Qué necesita el cliente?" in last(desk, "Silvia")
