"""A drill on WhatsApp (issue 14 point 2): every message of it says it is a drill, also
outside the 24-hour window where only approved templates arrive (the drill templates, whose
fixed text starts «🧪 SIMULACRO · », or, where a deployment has none, the normal ones with
the prefix leading the first variable), in the full message owed afterwards, in a card
redrawn, in each part of a long message; what is about a real crisis never is."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.commands import Say
from flows.messages import OutMessage
from handlers.whatsapp.config import Templates
from handlers.whatsapp.params import utf16_len
from handlers.whatsapp.render import MAX_BODY, Renderer
from handlers.whatsapp.templates import drill_specs
from tests.doctor_helpers import line_with, run_doctor
from tests.support import DIRECTORY
from tests.whatsapp.conftest import OpenPhones
from tests.whatsapp.fake_twilio import FakeTwilio, approval_problem, content_body
from tests.whatsapp.harness import TEMPLATES, Phones
from tests.whatsapp.test_doctor import install_templates, twilio_env

PREFIX = "🧪 SIMULACRO · "
EVERYBODY = ("Juan Pablo", "Cecilia", "Catalina", "Jaime", "Luis", "Valeria", "Claudia Riveros", "Claudia Martínez",
             "Marcelo")
NORMAL = (TEMPLATES["twilio_content_notice"], TEMPLATES["twilio_content_task"])
DRILL = {"twilio_content_drill_notice": "HX" + "d" * 32, "twilio_content_drill_task": "HX" + "e" * 32}


def install_drill_templates(twilio: FakeTwilio, lang: str = "es") -> None:
    """The drill templates `crisisbot whatsapp plantillas` makes, as WhatsApp's review
    would approve them (no variable at an edge of the body, none side by side)."""
    for spec in drill_specs(lang, "es"):
        content = {"friendly_name": spec.name, "language": lang, "variables": spec.variables, "types": spec.types}
        assert approval_problem(content_body(content)) is None, spec.name
        twilio.install(DRILL[spec.setting.lower()], content, approved=True)


def say(phones: Phones, person: str, text: str) -> None:
    """Somebody writes on another channel: the WhatsApp windows stay closed."""
    assert phones.client.portal is not None
    phones.client.portal.call(phones.rt.service.handle, Say(person, text, "terminal"))
    phones.settle()


def test_outside_the_window_a_drill_goes_as_the_drill_templates(open_phones: OpenPhones, twilio: FakeTwilio) -> None:
    install_drill_templates(twilio)
    phones = open_phones(**DRILL)
    say(phones, "jaime", "SIMULACRO: caída del servidor")
    phones.advance("10m")  # reminders of the drill
    assert twilio.refused == []  # WhatsApp would have taken every one
    for name in EVERYBODY:
        sent = twilio.to(phones.number(name))
        assert sent, name
        for message in sent:
            assert message.content_sid in DRILL.values(), (name, message.text)
            assert message.text.startswith(PREFIX + "crisisbot · "), message.text
            assert not message.variables["1"].startswith(PREFIX)  # said once, by the template
    [alert] = phones.got("Marcelo", "Simulacro iniciado por Jaime")
    assert alert.text.startswith(PREFIX + "crisisbot · Simulacro iniciado por Jaime a las 09:00")

    # Luis writes: everything owed arrives whole, each message still a drill's.
    before = len(twilio.to(phones.number("Luis")))
    phones.write("Luis", "estado")
    came = phones.texts("Luis")[before:]
    assert len(came) >= 2 and all(text.startswith(PREFIX) for text in came), came
    assert any("Simulacro iniciado por Jaime" in text and "Tareas:" in text for text in came)


def test_without_drill_templates_the_prefix_leads_the_first_variable(phones: Phones) -> None:
    say(phones, "jaime", "SIMULACRO: caída del servidor")
    phones.advance("10m")
    assert phones.twilio.refused == []
    for name in EVERYBODY:
        for message in phones.twilio.to(phones.number(name)):
            assert message.content_sid in NORMAL
            assert message.variables["1"].startswith(PREFIX), (name, message.variables)
            assert message.text.startswith("crisisbot · " + PREFIX)
    [reminder] = phones.got("Valeria", "⏰ Recordatorio: la tarea 4")
    assert reminder.variables["1"].startswith(PREFIX + "⏰ Recordatorio")


def test_an_english_reader_is_told_in_english_even_on_the_groups_template(open_phones: OpenPhones, twilio: FakeTwilio,
                                                                          tmp_path: Path) -> None:
    text = DIRECTORY.read_text(encoding="utf-8").replace("    name: Luis\n", "    name: Luis\n    lang: en\n")
    directory = tmp_path / "dir.yaml"
    directory.write_text(text, encoding="utf-8")
    install_drill_templates(twilio)
    phones = open_phones(directory=directory, **DRILL)
    say(phones, "jaime", "SIMULACRO")
    [alert] = phones.got("Luis", "Drill started by Jaime")
    # The Spanish drill template says «SIMULACRO»; his own prefix follows, in English.
    assert alert.content_sid == DRILL["twilio_content_drill_notice"]
    assert alert.text.startswith(PREFIX + "crisisbot · 🧪 DRILL · Drill started by Jaime")


def test_inside_the_window_every_message_starts_with_the_prefix(phones: Phones) -> None:
    phones.write("Luis", "hola")  # his window is open
    say(phones, "jaime", "SIMULACRO")
    phones.write("Luis", "tomo 2")
    phones.write("Luis", "hecho 2")
    texts = phones.texts("Luis")[1:]
    assert len(texts) >= 3 and all(text.startswith(PREFIX) for text in texts), texts
    assert all(s.content_sid not in NORMAL for s in phones.twilio.to(phones.number("Luis")))


def test_a_card_seen_before_is_updated_with_the_prefix_first() -> None:
    """WhatsApp cannot edit a sent card: it shows «↻ title · state»; a drill's still starts
    with the prefix, never «↻ 🧪 SIMULACRO · …»."""
    card = OutMessage("luis", PREFIX + "📋 Paso 2 · Contacto con Entel\n• Llamar al 600\n🟡 La tomó Cecilia.",
                      ref="card:c1/entel", kind="card", drill=True)
    [update] = Renderer(Templates()).session(card, "es", seen=True)
    assert update.body == PREFIX + "↻ 📋 Paso 2 · Contacto con Entel · 🟡 La tomó Cecilia."


def test_a_real_crisis_during_a_drill_goes_as_the_normal_templates(open_phones: OpenPhones, twilio: FakeTwilio) -> None:
    install_drill_templates(twilio)
    phones = open_phones(**DRILL)
    say(phones, "jaime", "SIMULACRO")
    phones.write("Jaime", "ALERTA ROJA: se cayó de verdad el servidor")
    phones.write("Jaime", "1")  # «Responde 1 para «🚨 Crisis real»…» (a title over 20: numbered)
    marcelo = twilio.to(phones.number("Marcelo"))
    [ended] = [m for m in marcelo if "El simulacro terminó: Jaime decretó una crisis real" in m.text]
    [real] = [m for m in marcelo if "ALERTA ROJA · decretada por Jaime" in m.text]
    for message in (ended, real):
        assert message.content_sid in NORMAL and PREFIX not in message.text, message.text
    assert twilio.refused == []


def test_each_part_of_a_long_drill_message_says_so() -> None:
    """A message over Twilio's 1,600 goes in several; each part may be read alone."""
    lines = [f"{PREFIX}📜 Bitácora del simulacro"] + [f"09:{i % 60:02d} Jaime: nota número {i} del simulacro" for i in range(120)]
    message = OutMessage("luis", "\n".join(lines), drill=True)
    parts = Renderer(Templates()).session(message, "es")
    assert len(parts) >= 3
    for part in parts:
        assert part.body is not None and part.body.startswith(PREFIX) and utf16_len(part.body) <= MAX_BODY
    assert not parts[0].body.startswith(PREFIX + PREFIX)  # type: ignore[union-attr]


def test_doctor_warns_when_the_drill_templates_are_missing(twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    install_templates(twilio)
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **twilio_env(twilio))
    line = line_with(out, "plantillas de simulacro")
    assert line.startswith("⚠️") and "TWILIO_CONTENT_DRILL_NOTICE, TWILIO_CONTENT_DRILL_TASK" in line
    assert "crisisbot whatsapp plantillas" in line and code == 0  # a drill still says so: a warning, not a failure

    install_drill_templates(twilio)
    env = {name.upper(): sid for name, sid in DRILL.items()}
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **twilio_env(twilio, **env))
    assert "plantillas de simulacro" not in out
    assert line_with(out, "TWILIO_CONTENT_DRILL_NOTICE").startswith("✅") and "aprobada" in line_with(
        out, "TWILIO_CONTENT_DRILL_TASK")


def test_a_declarer_outside_the_window_confirms_a_real_crisis_with_the_1_he_was_told(
        open_phones: OpenPhones, twilio: FakeTwilio) -> None:
    """During a drill every declarer has numbered cards. A real crisis reported by somebody
    else reaches Jaime, outside his window, as «… ¿Decretar ALERTA ROJA? Responde 1 para …»:
    his «1» confirms it, not «¿Cuál?» over the drill's cards (review of issue 14)."""
    install_drill_templates(twilio)
    phones = open_phones(**DRILL)
    phones.write("Luis", "hola")  # only Luis's window is open
    say(phones, "jaime", "SIMULACRO: caída")
    phones.advance("3m")
    phones.write("Luis", "ALERTA ROJA: se inundó la oficina, de verdad")
    phones.write("Luis", "1")  # «🚨 Crisis real»: Luis may not declare, the declarers are asked
    [asked] = [m for m in twilio.to(phones.number("Jaime")) if "¿Decretar ALERTA ROJA?" in m.text]
    assert PREFIX not in asked.text and "1" in asked.text
    phones.write("Jaime", "1")
    assert phones.got("Marcelo", "El simulacro terminó: Jaime decretó una crisis real")
    assert phones.got("Marcelo", "ALERTA ROJA · decretada por Jaime")
    assert not [t for t in phones.texts("Jaime") if t.startswith("¿Cuál?")]


def test_a_drill_announced_ahead_reaches_each_phone_once(phones: Phones) -> None:
    """The group's copy is for the channels that post to a group; each phone gets the
    person's own (their language, their time zone), not both (review of issue 14)."""
    phones.write("Valeria", "hola")
    phones.write("Cecilia", "SIMULACRO el 3/12 a las 10:00 caída de la web")
    phones.write("Cecilia", "SIMULACRO cancelar")
    texts = phones.texts("Valeria")
    assert sum(text.count("Simulacro programado") for text in texts) == 1, texts
    assert sum(text.count("Simulacro anulado") for text in texts) == 1, texts
