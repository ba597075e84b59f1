"""A WhatsApp reply to one card answers that card (issue 11, point 3): Twilio sends the
quoted message's SID (OriginalRepliedMessageSid), the bot finds the card it sent under it."""

from __future__ import annotations

import pytest

from tests.whatsapp.conftest import OpenPhones
from tests.whatsapp.fake_twilio import Sent
from tests.whatsapp.harness import Phones


def newest(phones: Phones, name: str, fragment: str) -> Sent:
    found = phones.got(name, fragment)
    assert found, f"{name} got nothing with {fragment!r}"
    return found[-1]


def test_a_reply_quoting_an_older_card_answers_that_card(open_phones: OpenPhones) -> None:
    phones = open_phones(templates=False)  # cards as numbered text
    phones.write("Jaime", "ALERTA ROJA: sin servicio")
    phones.write("Valeria", "leído 3")
    phones.write("Valeria", "tomo 4")
    mine = newest(phones, "Valeria", "🟡 Es tuya desde las 09:00")
    assert mine.body is not None and mine.body.endswith("Responde 2 si ya está hecha, 3 si no puedes.")
    phones.advance("10m")  # reminders about steps 5 and 6 arrive after her card
    reminder = newest(phones, "Valeria", "⏰ Recordatorio")
    assert phones.twilio.to("+56911110006")[-1] is reminder  # the newest message is not her card

    phones.write("Valeria", "2")  # unquoted, «2» is on three cards: the bot asks
    assert phones.texts("Valeria")[-1].startswith("¿Cuál? «2» está en varias tarjetas. Escribe «hecho 4»")

    phones.reply("Valeria", mine, "2")  # quoting her card of step 4
    assert phones.got("Valeria", "✔️ Registrado: tarea 4 (Banner de emergencia en fullpyme.cl) hecha.")
    assert not phones.got("Valeria", "tarea 5 (Email masivo) hecha")

    phones.reply("Valeria", mine, "3")  # «No puedo» on a card whose task is done: the bot says so
    assert phones.texts("Valeria")[-1] == "La tarea 4 ya está hecha (por Valeria a las 09:10)."


def test_a_reply_with_a_word_and_a_number_that_card_lacks(open_phones: OpenPhones) -> None:
    phones = open_phones(templates=False)
    phones.write("Jaime", "ALERTA ROJA: sin servicio")
    phones.write("Valeria", "tomo 4")
    mine = newest(phones, "Valeria", "🟡 Es tuya desde las 09:00")
    phones.reply("Valeria", mine, "1")  # her own task's card has no 1
    assert phones.texts("Valeria")[-1] == "Esa tarjeta no tiene esa opción. Responde 2 «Hecho», 3 «No puedo»."
    phones.reply("Valeria", mine, "hecho")  # the button's word, on the card it quotes
    assert phones.got("Valeria", "✔️ Registrado: tarea 4 (Banner de emergencia en fullpyme.cl) hecha.")


def test_a_phone_quotes_only_what_it_received(open_phones: OpenPhones) -> None:
    phones = open_phones(templates=False)
    phones.write("Jaime", "ALERTA ROJA: sin servicio")
    valerias = phones.twilio.to("+56911110006")[-1]
    with pytest.raises(AssertionError, match="cannot reply"):
        phones.reply("Luis", valerias, "2")
