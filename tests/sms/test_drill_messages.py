"""A drill by SMS (issue 14 point 2): each SMS of a drill starts «SIMULACRO crisisbot:» in
GSM-7 (the engine's «🧪 SIMULACRO · » would make the SMS UCS-2, 70 characters a segment
instead of 160), in one segment where the message fits, and no cut takes the word away."""

from __future__ import annotations

import pytest

from flows.messages import Action, ActionKind, Button, OutMessage
from handlers.sms.gsm import is_gsm, segments
from handlers.sms.render import MAX_SEGMENTS, sms_text
from tests.sms.test_sms import sms_form
from tests.whatsapp.harness import Phones

LUIS = "+56911110005"
PREFIX = "🧪 SIMULACRO · "


@pytest.fixture
def phones(with_sms: Phones) -> Phones:
    return with_sms


def test_a_drill_by_sms_says_so_first_in_one_gsm_segment(phones: Phones) -> None:
    phones.twilio.fail_next(400, code=63024, to=f"whatsapp:{LUIS}", times=100)  # his WhatsApp fails for good
    phones.write("Jaime", "SIMULACRO: caída del servidor")
    texts = [s.text for s in phones.twilio.sms_to(LUIS)]
    assert texts and texts[0].startswith("SIMULACRO crisisbot: Simulacro iniciado por Jaime a las 09:00"), texts
    assert all(text.startswith("SIMULACRO crisisbot: ") for text in texts), texts
    assert all(is_gsm(text) for text in texts), texts  # no emoji: GSM-7, 160 a segment
    # The drill's announcement (its first line is long) in two segments; with the emoji it
    # would be UCS-2, in three.
    assert [segments(text) for text in texts] == [2] and segments(PREFIX + texts[0]) == 3

    phones.post("/twilio/sms", sms_form(LUIS, "TOMO 2", "SM" + "7" * 32))
    after = [s.text for s in phones.twilio.sms_to(LUIS)][len(texts):]
    assert after and after[0].startswith("SIMULACRO crisisbot: Listo, la tarea 2 (Contacto con Entel) es tuya."), after
    assert all(is_gsm(text) and segments(text) == 1 for text in after)


def test_a_long_drill_sms_is_cut_at_its_end_and_an_english_reader_reads_drill() -> None:
    buttons = (Button("Lo tomo", Action(ActionKind.CLAIM, "c1/entel")),)
    long = OutMessage("luis", PREFIX + "📋 Paso 2 · " + "Llamar a Entel y pedir el ticket " * 30, buttons, drill=True)
    text = sms_text(long, "es", lambda step: "2")
    assert text.startswith("SIMULACRO crisisbot: Paso 2 - Llamar a Entel") and text.endswith("... Responde TOMO 2.")
    assert is_gsm(text) and segments(text) <= MAX_SEGMENTS

    english = OutMessage("luis", "🧪 DRILL · ⏰ Reminder: task 4 has no owner yet.", drill=True)
    assert sms_text(english, "en", lambda step: "4") == "DRILL crisisbot: Reminder: task 4 has no owner yet."
    real = OutMessage("luis", "🚨 El simulacro terminó: Jaime decretó una crisis real a las 09:05.")
    assert sms_text(real, "es", lambda step: None).startswith("crisisbot: El simulacro termino")  # real: no mark
