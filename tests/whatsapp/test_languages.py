"""Outside WhatsApp's 24-hour window only approved templates arrive, and a template's
language is part of what WhatsApp approves: each reader gets the templates of their own
`lang` (issue 11, point 9), or the group's, with the variables still in theirs."""

from __future__ import annotations

from pathlib import Path

from flows.commands import Say
from handlers.whatsapp.templates import approved_specs
from tests.whatsapp.conftest import OpenPhones
from tests.whatsapp.fake_twilio import FakeTwilio
from tests.whatsapp.harness import TEMPLATES, Phones
from tests.whatsapp.test_review_phones import english_valeria

ENGLISH = {"twilio_content_notice_en": "HX" + "c" * 32, "twilio_content_task_en": "HX" + "d" * 32}


def install_english(twilio: FakeTwilio) -> None:
    """The English templates `crisisbot whatsapp plantillas` makes, approved."""
    for spec, sid in zip(approved_specs("en", "es"), ENGLISH.values(), strict=True):
        twilio.install(sid, {"friendly_name": spec.name, "language": "en", "variables": spec.variables,
                             "types": spec.types}, approved=True)


def say(phones: Phones, person: str, text: str) -> None:
    """Somebody writes on another channel: nobody's WhatsApp window opens."""
    assert phones.client.portal is not None
    phones.client.portal.call(phones.rt.service.handle, Say(person, text, "terminal"))
    phones.settle()


def test_an_english_reader_outside_the_window_gets_the_english_templates(
        open_phones: OpenPhones, twilio: FakeTwilio, tmp_path: Path) -> None:
    install_english(twilio)
    phones = open_phones(directory=english_valeria(tmp_path), **ENGLISH)
    say(phones, "jaime", "ALERTA ROJA: caída del servidor")
    [alert] = phones.twilio.to(phones.number("Valeria"))
    assert alert.content_sid == ENGLISH["twilio_content_notice_en"]
    assert alert.text.startswith("crisisbot · 🚨 RED ALERT")  # the fixed frame is English too
    assert "Details: " in alert.text and "Detalle" not in alert.text
    [spanish] = phones.twilio.to(phones.number("Marcelo"))
    assert spanish.content_sid == TEMPLATES["twilio_content_notice"] and "Detalle: " in spanish.text

    phones.advance("10m")  # her reminders: one digest, in her template
    [reminder] = phones.got("Valeria", "⏰ Reminder")
    assert reminder.content_sid == ENGLISH["twilio_content_notice_en"]
    assert reminder.variables["3"] == "Write read 3 · take 4 · take 5 · take 6."
    assert phones.twilio.refused == []  # WhatsApp accepted every one

    phones.write("Valeria", "take 4")  # her window opens: the whole messages, then the answer
    assert phones.texts("Valeria")[-1].startswith("OK, task 4 (Emergency banner on fullpyme.cl) is yours.")


def test_without_english_templates_the_group_template_carries_english_words(
        open_phones: OpenPhones, tmp_path: Path) -> None:
    phones = open_phones(directory=english_valeria(tmp_path))
    say(phones, "jaime", "ALERTA ROJA: caída del servidor")
    [alert] = phones.twilio.to(phones.number("Valeria"))
    assert alert.content_sid == TEMPLATES["twilio_content_notice"]  # the only one WhatsApp approved
    assert alert.variables["1"].startswith("🚨 RED ALERT") and "Detalle: " in alert.text
    phones.advance("10m")
    [reminder] = phones.got("Valeria", "⏰ Reminder")
    assert reminder.content_sid == TEMPLATES["twilio_content_notice"]  # its Spanish buttons would not fit
    assert "take 4" in reminder.variables["3"]
    assert phones.twilio.refused == []
