"""A crisis played on phones by a reviewer (issue 11, «How it will be checked»), with other
people, timings and mistakes than the other WhatsApp tests: Valeria reads English in a
Spanish company, Cecilia declares with no description and then sends a bare number, a
reply quotes an older card, nobody but the writer has written in 24 hours, the declarer
answers «¿Cerrar igual?» by number and by words, and a phone comes back after the end."""

from __future__ import annotations

from pathlib import Path

from tests.support import DIRECTORY
from tests.whatsapp.conftest import OpenPhones
from tests.whatsapp.harness import TEMPLATES, Phones

APPROVED = (TEMPLATES["twilio_content_notice"], TEMPLATES["twilio_content_task"])


def english_valeria(tmp_path: Path) -> str:
    text = DIRECTORY.read_text(encoding="utf-8")
    old = "    name: Valeria\n"
    assert old in text
    path = tmp_path / "directory.yaml"
    path.write_text(text.replace(old, old + "    lang: en\n"), encoding="utf-8")
    return str(path)


def since(phones: Phones, name: str, before: int) -> list[str]:
    return [s.text for s in phones.twilio.to(phones.number(name))[before:]]


def count(phones: Phones, name: str) -> int:
    return len(phones.twilio.to(phones.number(name)))


def test_a_crisis_from_phones_with_an_english_reader_and_mistakes(open_phones: OpenPhones, tmp_path: Path) -> None:
    phones = open_phones(directory=english_valeria(tmp_path))
    phones.write("Cecilia", "ALERTA ROJA")  # no description: she is asked for it
    assert phones.texts("Cecilia")[-1].endswith("Responde lo que indica la flecha (→) de cada tarea.")
    assert "Cuenta lo que sabes de la crisis" in phones.texts("Cecilia")[-1]
    phones.write("Cecilia", "1")  # meant for a card: never the description, and presses nothing
    assert phones.texts("Cecilia")[-1].startswith("¿Cuál? «1» está en varias tarjetas. Escribe «tomo 2»")
    assert not phones.got("Luis", "Información de la crisis")
    # Everybody else is outside the 24-hour window: an approved template WhatsApp accepts
    [short] = phones.twilio.to(phones.number("Valeria"))
    assert short.content_sid in APPROVED and short.variables["3"] == "Write read 3 · take 4 · take 5 · take 6."
    assert phones.twilio.refused == []

    phones.write("Valeria", "take 4")  # her first answer opens the window: the whole digest, in English
    assert any("📋 Step 4 · Emergency banner on fullpyme.cl" in text for text in phones.texts("Valeria"))
    assert phones.texts("Valeria")[-1].startswith("OK, task 4 (Emergency banner on fullpyme.cl) is yours.")
    card = phones.twilio.to(phones.number("Valeria"))[-1]
    phones.write("Cecilia", "Entel caído desde las 8, sin teléfonos")
    assert phones.texts("Cecilia")[-1] == "Se enviará a todos: «Entel caído desde las 8, sin teléfonos»"
    phones.write("Cecilia", "1")  # «Enviar», the question she was just asked
    assert phones.got("Luis", "ℹ️ Información de la crisis (Cecilia): Entel caído desde las 8, sin teléfonos")

    phones.advance("10m")  # reminders: her card of step 4 is no longer her newest message
    phones.write("Valeria", "2")  # «2» is on two of her cards: asked, nothing pressed
    assert phones.texts("Valeria")[-1].startswith("Which one? “2” is on several cards.")
    phones.reply("Valeria", card, "2")  # quoting the older card: «Done» on step 4
    assert phones.texts("Valeria")[-1] == "✔️ Recorded: task 4 (Emergency banner on fullpyme.cl) done."

    phones.advance("12m")
    phones.write("Jaime", "FIN DE LA CRISIS")  # steps 2, 3, 5, 6 open, step 7 unsigned
    assert phones.texts("Jaime")[-1] == ("⚠️ Quedan 4 tareas abiertas (2, 3, 5, 6) y falta la firma del paso 7. "
                                         "¿Cerrar igual?")
    phones.write("Jaime", "3")  # «Seguir» by its number
    assert phones.texts("Jaime")[-1] == "De acuerdo, la crisis sigue abierta."
    phones.write("Jaime", "FIN DE LA CRISIS")
    phones.write("Jaime", "cerrar igual")  # by its words
    assert phones.got("Luis", "✅ FIN DE LA CRISIS · anunciado por Jaime a las 09:22.")
    # What the company is told reaches each phone in its reader's language
    assert phones.got("Valeria", "✅ END OF CRISIS · announced by Jaime at 09:22.")
    assert phones.got("Valeria", "ℹ️ About the crisis (Cecilia): Entel caído desde las 8, sin teléfonos")
    assert not phones.got("Valeria", "FIN DE LA CRISIS")
    assert phones.got("Jaime", "• 8e Habilitar Timify (el paso 6 no se hizo)")

    phones.advance("40m")
    phones.write("Valeria", "hecho 8c")  # the Spanish keyword from the English reader
    assert phones.texts("Valeria")[-1] == "✔️ Recorded: task 8c (Remove the banner from fullpyme.cl) done."
    for number in ("8b", "8d"):
        phones.write("Luis", f"hecho {number}")
    phones.advance("2m")
    phones.write("Luis", "hecho 8f")
    [summary] = phones.got("Luis", "🏁 Crisis ")
    assert len(summary.text.splitlines()) <= 12 and len(summary.text) <= 600  # one short message on a phone
    assert "crisisbot informe" not in summary.text
    assert phones.twilio.refused == []


def test_a_phone_that_comes_back_after_the_end_gets_how_it_ended_not_what_it_missed(phones: Phones) -> None:
    phones.write("Cecilia", "ALERTA ROJA: sin internet en la oficina")
    phones.advance("25m")
    phones.write("Cecilia", "FIN DE LA CRISIS")
    phones.write("Cecilia", "cerrar igual")
    for number in ("8b", "8c", "8d", "8e", "8f"):
        phones.write("Cecilia", f"hecho {number}")
    assert phones.got("Cecilia", "🏁 Crisis ")
    # Marcelo slept through it all: only short templates reached him.
    before = count(phones, "Marcelo")
    phones.write("Marcelo", "hola")  # his window opens now
    came = since(phones, "Marcelo", before)
    # The crisis is over: its closing summary says how it ended; the alert, the reminders
    # and the closing announcement he missed are history, not news.
    assert [text for text in came if text.startswith("🏁 Crisis ")], came
    assert not [text for text in came if "ALERTA ROJA ·" in text or "⏰" in text or "FIN DE LA CRISIS ·" in text], came
    assert len(came) <= 2, came  # the summary, and the answer to «hola»
