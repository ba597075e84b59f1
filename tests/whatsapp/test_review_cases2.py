"""Review of cases (issue 12) on WhatsApp along paths tests/whatsapp/test_cases.py does not
take: seed 004 typed in lower case without accents, a case's number typed when its step is a
task, not a question."""

from __future__ import annotations

from typing import Any

from tests.whatsapp.test_cases import open_comteco  # noqa: F401  (the fixture)


def test_a_case_number_on_a_task_says_it_was_no_puedo(open_comteco: Any) -> None:  # noqa: F811
    """«D-1 3» when D-1 is on a task (step 2), not on a question: 3 is «No puedo» on the task's
    card (flows/cases/chat.py), and the case goes to the other adviser. The answer must say
    so in words («no puedes»): someone who meant «option 3» must see what happened."""
    phones = open_comteco(lists=False)
    phones.write("Silvia Guzmán", "atencion cliente")  # lower case, no accent: opens D-1
    assert phones.got("Silvia Guzmán", "📁 Caso D-1 abierto (Información y direccionamiento COMTECO).")
    phones.write("Silvia Guzmán", "1")  # «Información general»: step 2, a task she keeps
    assert phones.got("Silvia Guzmán", "📋 Paso 2 · Informar requisitos y entregar folleto")
    phones.write("Silvia Guzmán", "D-1 3")
    answer = phones.texts("Silvia Guzmán")[-1]
    assert answer.startswith("Entendido: no puedes con la tarea 2. Aviso a los demás responsables."), answer
    # Andrés (lang en) is asked to take it, in English
    assert any("Silvia Guzmán can't do task 2" in text for text in phones.texts("Andrés Ticona"))


def test_an_english_adviser_opens_and_answers_in_english(open_comteco: Any) -> None:  # noqa: F811
    """«NEW CUSTOMER» from Andrés (lang en): the card and the answers in English, the
    numbers answer its options; «no puedo» by number is said in English too."""
    phones = open_comteco(lists=False)
    phones.write("Andrés Ticona", "NEW CUSTOMER")
    [card] = phones.got("Andrés Ticona", "📋 Step 1 · What does the customer need?")
    assert card.text.startswith("📁 Case D-1 opened (Información y direccionamiento COMTECO).")
    phones.write("Andrés Ticona", "1")
    assert phones.got("Andrés Ticona", "✅ Step 1: you chose «General information».")
    phones.write("Andrés Ticona", "D-1 3")
    answer = phones.texts("Andrés Ticona")[-1]
    assert answer.startswith("Understood: you can't do task 2. I am telling the others responsible."), answer


def test_a_phone_refused_then_accepted(open_comteco: Any) -> None:  # noqa: F811
    """Seed 001 step 2 asks the service's phone: «442» (3 digits) is refused with the rule,
    nothing recorded, the answer still awaited; «4425 2211» then completes the task."""
    phones = open_comteco()
    phones.write("Ximena Quispe", "RECLAMO REITERADO 4452211 vulnerabilidad=2")
    phones.tap("Ximena Quispe", "Call Center")
    phones.tap("Ximena Quispe", "Hecho", containing="Paso 2 · Recepcionar la llamada")
    phones.write("Ximena Quispe", "442")
    assert phones.texts("Ximena Quispe")[-1] == (
        "«442» no es un teléfono para «teléfono»: escribe de 6 a 15 dígitos, con + si quieres.")
    assert not phones.got("Ximena Quispe", "✔️ Registrado")
    phones.write("Ximena Quispe", "4425 2211")
    [done] = phones.got("Ximena Quispe", "✔️ Registrado: tarea 2 (Recepcionar la llamada del cliente) hecha")
    assert "• teléfono: 44252211" in done.text and "📋 Paso 3 · ¿En qué estado está la solicitud de daño?" in done.text
