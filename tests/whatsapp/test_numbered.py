"""Without Content templates: cards as numbered text, each action with its own number on
every card (flows/buttons.py), and numbered replies pressing the one card still offering
that number, or asking which."""

from __future__ import annotations

from tests.whatsapp.conftest import OpenPhones
from tests.whatsapp.harness import Phones


def open_plain(open_phones: OpenPhones) -> Phones:
    return open_phones(templates=False)


def test_cards_as_numbered_text_and_numbered_replies(open_phones: OpenPhones) -> None:
    phones = open_plain(open_phones)
    phones.write("Jaime", "ALERTA ROJA: sin servicio")
    assert all(s.content_sid is None for s in phones.twilio.sent)
    # her four cards come as one message: a number would be on several, so each says what to write
    assert phones.got("Valeria", "Responde lo que indica la flecha (→) de cada tarea.")

    # «1» is on four of Valeria's cards (steps 3 to 6): the bot asks which, nothing is pressed
    phones.write("Valeria", "1")
    assert phones.texts("Valeria")[-1] == (
        "¿Cuál? «1» está en varias tarjetas. Escribe «leído 3» (Atención al cliente, todas las áreas), «tomo 4» "
        "(Banner de emergencia en fullpyme.cl), «tomo 5» (Email masivo) o «tomo 6» (Desactivar Timify).")
    phones.write("Valeria", "leído 3")
    phones.write("Luis", "tomo 5")
    phones.write("Marcelo", "tomo 6")
    phones.write("Valeria", "1")  # one card left with a 1: it is pressed
    assert phones.got("Valeria", "Listo, la tarea 4 (Banner de emergencia en fullpyme.cl) es tuya.")
    [mine] = phones.got("Valeria", "🟡 Es tuya desde las 09:00")
    assert mine.body is not None and mine.body.endswith("Responde 2 si ya está hecha, 3 si no puedes.")
    phones.write("Valeria", "7")
    assert phones.texts("Valeria")[-1] == "Ninguna de tus tarjetas tiene la opción 7. Responde 2 o 3, o escribe «mis tareas»."
    phones.write("Valeria", "1)")  # "1)" and "1." read as 1 too; after taking it, no card of hers has a 1
    assert phones.texts("Valeria")[-1] == "Ninguna de tus tarjetas tiene la opción 1. Responde 2 o 3, o escribe «mis tareas»."
    phones.write("Valeria", "2")  # «Hecho» kept its number when the card changed
    assert phones.got("Valeria", "✔️ Registrado: tarea 4 (Banner de emergencia en fullpyme.cl) hecha.")


def test_a_number_is_an_answer_when_the_bot_asked_a_question(open_phones: OpenPhones) -> None:
    phones = open_plain(open_phones)
    phones.write("Jaime", "ALERTA ROJA")
    assert phones.got("Jaime", "Cuenta lo que sabes de la crisis")
    phones.write("Jaime", "2")  # a bare number presses a button, it is never the description (issue 11 point 2)
    assert not phones.got("Luis", "ℹ️ Información de la crisis (Jaime): 2")
    entel = "\n".join(s.text for s in phones.twilio.to("+56911110002"))  # her digest, maybe in pieces
    assert "📋 Paso 2 · Contacto con Entel" in entel and "→ tomo 2 · hecho 2 · no puedo 2" in entel
    phones.write("Cecilia", "hecho 2")
    assert phones.got("Cecilia", "¿Qué número de ticket dio Entel?")
    # «3» while asked for the ticket: neither the ticket (a bare number is a button's) nor «No puedo»
    # pressed behind her back (her task would be released): she is told, and the question stays
    phones.write("Cecilia", "3")
    assert phones.texts("Cecilia")[-1] == "No tomé «3» como el número de ticket de Entel. Escríbelo en un mensaje, con palabras."
    assert not phones.got("Cecilia", "no puedes") and not phones.got("Luis", "Cecilia no puede")
    phones.write("Cecilia", "ticket 3")
    assert phones.got("Cecilia", "✔️ Registrado: tarea 2 (Contacto con Entel) hecha · el número de ticket de Entel: 3")


def test_a_bare_number_never_releases_a_task_whose_value_is_being_asked(open_phones: OpenPhones) -> None:
    """Cecilia's only card with a 3 is her own task's («No puedo»): while the bot waits for its ticket, «3»
    is not pressed."""
    phones = open_plain(open_phones)
    phones.write("Jaime", "ALERTA ROJA: sin servicio")
    for name, step in (("Valeria", "4"), ("Luis", "5"), ("Marcelo", "6")):
        phones.write(name, f"tomo {step}")
    phones.write("Cecilia", "tomo 2")
    phones.write("Cecilia", "hecho")
    assert phones.texts("Cecilia")[-1].startswith("✍️ Tarea 2 (Contacto con Entel): ¿Qué número de ticket dio Entel?")
    phones.write("Cecilia", "3")
    assert phones.texts("Cecilia")[-1] == "No tomé «3» como el número de ticket de Entel. Escríbelo en un mensaje, con palabras."
    phones.write("Cecilia", "estado")
    assert "Contacto con Entel — Cecilia" in phones.texts("Cecilia")[-1]  # still hers


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
