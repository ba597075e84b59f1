"""Issue 9 reviewed on phones, with inputs of other shapes than the issue's examples: what
a crisis really says (only emoji, one very long word, odd line breaks), a directory name
with a new line in it, an English speaker outside the window, a person whose SMS fails
too. The fake Twilio refuses whatever WhatsApp or Twilio would refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.commands import Say
from handlers.sms.feature import SmsFeature
from handlers.whatsapp.params import param_problems, utf16_len
from tests.support import DIRECTORY
from tests.whatsapp.conftest import OpenPhones
from tests.whatsapp.fake_twilio import SMS_SENDER, FakeTwilio
from tests.whatsapp.harness import TEMPLATES, Phones, open_app, whatsapp_settings

EVERYBODY = ("Juan Pablo", "Cecilia", "Catalina", "Jaime", "Luis", "Valeria", "Claudia Riveros", "Claudia Martínez",
             "Marcelo")
APPROVED = (TEMPLATES["twilio_content_notice"], TEMPLATES["twilio_content_task"])
LUIS = "+56911110005"


def say(phones: Phones, person: str, text: str) -> None:
    """Somebody writes on another channel: everybody's WhatsApp window stays closed."""
    assert phones.client.portal is not None
    phones.client.portal.call(phones.rt.service.handle, Say(person, text, "terminal"))
    phones.settle()


def directory_with(tmp_path: Path, old: str, new: str) -> str:
    text = DIRECTORY.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "directory.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return str(path)


def assert_everybody_got_a_template_whatsapp_accepts(phones: Phones) -> None:
    assert phones.twilio.refused == []
    for name in EVERYBODY:
        sent = phones.twilio.to(phones.number(name))
        assert sent, f"{name} got nothing"
        assert all(s.content_sid in APPROVED for s in sent)
        for s in sent:
            assert all(param_problems(v) == [] for v in s.variables.values()), s.variables
            assert utf16_len(s.text) <= 1024


@pytest.mark.parametrize("description", [
    "🔥🌊🇨🇱🧑‍🚒",  # only emoji: a flag is 4 UTF-16 units, the firefighter a ZWJ sequence
    "Servidorcaído" * 115,  # 1,495 characters of one word: nowhere to cut at a space
    "línea uno\u2028línea dos\r\n\r\n\t\tfin",  # Unicode's line separator, CRLF, tabs
    "«" + " " * 40 + "»",  # a run of spaces
    "{{1}} y {{2}} tal cual",  # what looks like a template's placeholders
])
def test_a_description_of_any_shape_reaches_everybody_outside_the_window(phones: Phones, description: str) -> None:
    say(phones, "jaime", f"ALERTA ROJA: {description}")
    assert_everybody_got_a_template_whatsapp_accepts(phones)
    [alert] = phones.got("Luis", "🚨 ALERTA ROJA · decretada por Jaime a las 09:00.")
    assert alert.variables["2"].startswith("Situación: ")
    # His first answer brings the whole alert, the description as it was written.
    before = len(phones.twilio.to(LUIS))
    phones.write("Luis", "hola")
    whole = [s.text for s in phones.twilio.to(LUIS)[before:]]
    assert any(text.startswith("🚨 ALERTA ROJA · decretada por Jaime") for text in whole)
    assert description.split()[0] in "".join(whole)  # the whole word, emoji and all, maybe over two messages
    assert phones.twilio.refused == []


def test_a_name_with_a_new_line_in_the_directory_breaks_no_template(open_phones: OpenPhones, tmp_path: Path) -> None:
    directory = directory_with(tmp_path, "    name: Jaime\n", '    name: "Jaime\\nPérez"\n    aliases: [Jaime]\n')
    phones = open_phones(directory=directory)
    say(phones, "jaime", "ALERTA ROJA: caída")
    assert_everybody_got_a_template_whatsapp_accepts(phones)
    [alert] = phones.got("Luis", "🚨 ALERTA ROJA · decretada por Jaime")
    assert "decretada por Jaime Pérez a las 09:00." in alert.variables["1"]


def test_an_english_speaker_outside_the_window_gets_english_and_can_answer(open_phones: OpenPhones,
                                                                              tmp_path: Path) -> None:
    """What is his own comes in English inside the template's variables (the templates'
    fixed text is in CRISISBOT_LANG, one set per account: docs/whatsapp.md); the task
    template's fixed Spanish titles are not for him, so he gets numbers to answer with."""
    directory = directory_with(tmp_path, "    name: Luis\n", "    name: Luis\n    lang: en\n")
    phones = open_phones(directory=directory)
    say(phones, "jaime", "ALERTA ROJA: caída")
    assert_everybody_got_a_template_whatsapp_accepts(phones)
    # the alert and his cards are one digest: its line that is never cut says, in English, what to write
    [digest] = phones.twilio.to(LUIS)
    assert digest.content_sid == TEMPLATES["twilio_content_notice"] and not digest.buttons
    assert digest.variables["3"] == "Write take 2 · read 3 · take 4 · take 5."
    phones.write("Luis", "take 2")
    assert [t for t in phones.texts("Luis") if t.startswith("OK, task 2 (Contact Entel) is yours.")]
    assert phones.twilio.refused == []


def test_whatsapp_and_sms_both_failing_is_reported_once_naming_both(with_sms: Phones) -> None:
    phones = with_sms
    phones.twilio.fail_next(400, code=63024, to=f"whatsapp:{LUIS}", times=100)  # invalid recipient
    phones.twilio.fail_next(400, code=21610, to=LUIS, times=100)  # he answered STOP to SMS once
    phones.write("Jaime", "ALERTA ROJA: caída del servidor")
    assert phones.rt.contact is not None
    assert phones.client.portal is not None
    phones.client.portal.call(phones.rt.contact.settle)
    phones.settle()
    warnings = [t for name in ("Jaime", "Juan Pablo") for t in phones.texts(name) if "No consigo contactar a Luis" in t]
    assert len(warnings) == 2, warnings
    assert all("WhatsApp" in w and "SMS" in w and "+56911110005" in w for w in warnings), warnings
    phones.advance("10m")
    phones.advance("10m")
    again = [t for name in ("Jaime", "Juan Pablo") for t in phones.texts(name) if "No consigo contactar a Luis" in t]
    assert len(again) == 2
    phones.write("Jaime", "estado")
    assert "⚠️ sin contacto: Luis" in phones.texts("Jaime")[-1]


def test_no_templates_at_all_everybody_outside_the_window_gets_the_essentials_by_sms(
        tmp_path: Path, twilio: FakeTwilio) -> None:
    """The other road to SMS: WhatsApp works, but without approved templates it may not
    write to anybody who has not written in 24 hours."""
    settings = whatsapp_settings(tmp_path, twilio, templates=False, twilio_sms_from=SMS_SENDER)
    client, phones = open_app(settings, twilio, [SmsFeature(settings)])
    try:
        say(phones, "jaime", "ALERTA ROJA: caída del servidor")
        # Twilio takes freeform messages, then reports each failed: 63016, outside the window.
        for sent in list(phones.twilio.sent):
            if sent.to.startswith("whatsapp:"):
                phones.status(sent.sid, "undelivered", "63016", to=sent.to)
        assert phones.twilio.refused == []
        for name in EVERYBODY:
            number = phones.number(name)
            assert any(s.text.startswith("crisisbot: ALERTA ROJA") for s in phones.twilio.sms_to(number)), name
            assert [s for s in phones.twilio.sms_to(number) if "TOMO 2" in s.text] or name in (  # step 2: answerable
                "Claudia Riveros", "Claudia Martínez", "Marcelo", "Valeria"), name
        # Luis writes on WhatsApp: his window is open, what follows comes there.
        phones.write("Luis", "estado")
        assert [t for t in phones.texts("Luis") if t.startswith("📊 Estado de la crisis")]
    finally:
        client.__exit__(None, None, None)


def test_estado_follows_twilios_receipts_person_by_person(phones: Phones) -> None:
    """Delivery state from Twilio's status callbacks: read, delivered, and a failure with no
    other channel (no SMS here): «sin contacto» in estado and the coordinators told."""
    phones.write("Jaime", "ALERTA ROJA: caída")
    alert = {name: phones.got(name, "🚨 ALERTA ROJA")[0] for name in ("Luis", "Cecilia", "Valeria")}
    phones.status(alert["Luis"].sid, "read", to=alert["Luis"].to)
    phones.status(alert["Cecilia"].sid, "delivered", to=alert["Cecilia"].to)
    phones.status(alert["Valeria"].sid, "undelivered", "63024", to=alert["Valeria"].to)
    assert phones.client.portal is not None and phones.rt.contact is not None
    phones.client.portal.call(phones.rt.contact.settle)
    phones.settle()
    phones.write("Jaime", "estado")
    [line] = [line for line in phones.texts("Jaime")[-1].splitlines() if line.startswith("📬")]
    assert "1 leyó" in line and "⚠️ sin contacto: Valeria" in line
    assert [t for t in phones.texts("Jaime") if t.startswith("⚠️ No consigo contactar a Valeria (WhatsApp: error 63024")]
