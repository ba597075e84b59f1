"""Without Content templates: cards as numbered text, and numbered replies pressing the
buttons of the newest card still on offer."""

from __future__ import annotations

from tests.whatsapp.conftest import OpenPhones
from tests.whatsapp.harness import Phones


def open_plain(open_phones: OpenPhones) -> Phones:
    return open_phones(templates=False)


def test_cards_as_numbered_text_and_numbered_replies(open_phones: OpenPhones) -> None:
    phones = open_plain(open_phones)
    phones.write("Jaime", "ALERTA ROJA: sin servicio")
    assert all(s.content_sid is None for s in phones.twilio.sent)
    [card] = phones.got("Valeria", "📋 Paso 4 · Banner de emergencia en fullpyme.cl")
    assert card.body is not None
    assert card.body.endswith("\n\nResponde 1 para tomarla, 2 si ya está hecha, 3 si no puedes.")
    [ack] = phones.got("Valeria", "📋 Paso 3 · Atención al cliente")
    assert ack.body is not None and ack.body.endswith("Responde 1 para confirmar que lo leíste.")

    # Valeria's newest card with buttons is step 6 (Timify); "1" takes it.
    newest = [s for s in phones.twilio.to("+56911110006") if "Responde 1" in s.text][-1]
    assert "Paso 6 · Desactivar Timify" in newest.text
    phones.write("Valeria", "1")
    assert phones.got("Valeria", "Listo, la tarea 6 (Desactivar Timify) es tuya.")
    [mine] = phones.got("Valeria", "🟡 Es tuya desde las 09:00")
    assert mine.body is not None and mine.body.endswith("Responde 1 si ya está hecha, 2 si no puedes.")
    phones.write("Valeria", "1")  # the numbers now belong to her card: Hecho
    assert phones.got("Valeria", "✔️ Registrado: tarea 6 (Desactivar Timify) hecha.")
    assert phones.got("Marcelo", "✅ Hecha por Valeria a las 09:00.")

    # Step 6 is done: its old buttons are off offer, "1" goes to the newest open card.
    phones.write("Valeria", "1")
    assert phones.got("Valeria", "Listo, la tarea 5 (Email masivo) es tuya.")
    phones.write("Valeria", "7")
    assert phones.texts("Valeria")[-1] == "Esa opción no existe: responde con un número del 1 al 2."
    phones.write("Valeria", "3) ")  # "3)" and "3." read as 3 too
    assert phones.texts("Valeria")[-1] == "Esa opción no existe: responde con un número del 1 al 2."
    phones.write("Valeria", "2")
    assert phones.got("Valeria", "Entendido, aviso a los demás responsables de la tarea 5.")


def test_a_number_is_an_answer_when_the_bot_asked_a_question(open_phones: OpenPhones) -> None:
    phones = open_plain(open_phones)
    phones.write("Jaime", "ALERTA ROJA")
    assert phones.got("Jaime", "Cuenta lo que sabes de la crisis")
    phones.write("Jaime", "2")  # the description, not "button 2"
    assert phones.got("Luis", "ℹ️ Información de la crisis (Jaime): 2")
    entel = [s for s in phones.twilio.to("+56911110002") if "Paso 2 · Contacto con Entel" in s.text][-1]
    assert entel.body is not None and "Responde 1 para tomarla, 2 si ya está hecha, 3 si no puedes." in entel.body
    phones.write("Cecilia", "hecho 2")
    assert phones.got("Cecilia", "Escribe el número de ticket de Entel")
    phones.write("Cecilia", "3")  # the ticket number is 3
    assert phones.got("Cecilia", "✔️ Registrado: tarea 2 (Contacto con Entel) hecha · el número de ticket de Entel: 3")


def test_a_number_with_nothing_on_offer(open_phones: OpenPhones) -> None:
    phones = open_plain(open_phones)
    phones.write("Luis", "1")
    assert phones.texts("Luis") == [
        "No tengo opciones pendientes para ti. Escribe «mis tareas» para ver tus tareas o «ayuda»."]
    phones.write("Luis", "", NumMedia="1", MediaUrl0="https://api.twilio.com/x.jpg", MediaContentType0="image/jpeg")
    assert phones.texts("Luis")[-1] == "Por ahora solo leo texto: escribe tu mensaje."


def test_quick_reply_payloads_from_elsewhere_are_read_as_text(phones: Phones) -> None:
    phones.write("Jaime", "estado", ButtonText="estado", ButtonPayload="not-one-of-ours")
    assert phones.texts("Jaime")[-1] == "No hay ninguna crisis abierta."
