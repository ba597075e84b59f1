"""Cases (issue 12) on WhatsApp through signed Twilio webhooks: seeds 004 and 001 with the
shipped directory; a question's options as quick replies, a list picker or numbered text."""

from __future__ import annotations

from typing import Any

import pytest

from flows.commands import Say
from handlers.whatsapp.templates import list_specs
from tests.support import ROOT, SHIPPED_DIRECTORY
from tests.whatsapp.conftest import OpenPhones
from tests.whatsapp.fake_twilio import FakeTwilio, fill
from tests.whatsapp.harness import TEMPLATES, Phones

LIST_8 = "HX" + "8" * 32  # TWILIO_CONTENT_LIST_8: the list picker with eight items


def install_list(twilio: FakeTwilio, count: int, sid: str) -> None:
    spec = list_specs("es")[count - 1]
    twilio.install(sid, {"friendly_name": spec.name, "language": "es", "variables": spec.variables,
                         "types": spec.types}, approved=False)


@pytest.fixture
def open_comteco(open_phones: OpenPhones, twilio: FakeTwilio) -> Any:
    """The app with every shipped playbook and the shipped directory (lists: the eight-item
    list picker configured)."""
    def factory(templates: bool = True, lists: bool = True) -> Phones:
        overrides: dict[str, Any] = {"directory": SHIPPED_DIRECTORY, "playbooks": str(ROOT / "playbooks" / "*.yaml")}
        if lists:
            install_list(twilio, 8, LIST_8)
            overrides["twilio_content_list_8"] = LIST_8
        return open_phones(templates=templates, **overrides)

    return factory


def pick(phones: Phones, name: str, title: str) -> None:
    """Choose the item `title` of the newest list picker to `name`, as Twilio posts the reply:
    the item's id in ListId, its title in ListTitle and Body, the list message quoted."""
    for sent in reversed(phones.twilio.to(phones.number(name))):
        items = ((sent.content or {}).get("types") or {}).get("twilio/list-picker", {}).get("items", [])
        for item in items:
            if fill(item["item"], sent.variables) == title:
                phones.write(name, title, ListId=fill(item["id"], sent.variables), ListTitle=title,
                             MessageType="interactive", **phones.quoting(name, sent))
                return
    raise AssertionError(f"{name} got no list picker with {title!r}")


def test_a_004_case_by_quick_replies_and_a_list_picker(open_comteco: Any) -> None:
    phones = open_comteco()
    assert phones.write("Silvia Guzmán", "ATENCIÓN CLIENTE").status_code == 200
    [card] = phones.got("Silvia Guzmán", "📋 Paso 1 · ¿Qué necesita el cliente?")
    assert card.text.startswith("📁 Caso D-1 abierto (Información y direccionamiento COMTECO).")
    assert card.content_sid == TEMPLATES["twilio_content_buttons_3"]
    assert list(card.buttons) == ["Información general", "Ubicar funcionario", "Trámite específico"]
    phones.tap("Silvia Guzmán", "Trámite específico")  # ButtonPayload / ButtonText as Twilio posts them

    # «A. Venta de servicios» is over WhatsApp's 20-character button title: numbered text, «2» answers
    [card] = phones.got("Silvia Guzmán", "📋 Paso 5 · ¿Qué tipo de trámite?")
    assert card.content_sid is None and card.text.startswith("✅ Paso 1: elegiste «Trámite específico».")
    assert card.text.endswith("Responde con el número de tu opción:\n1. A. Venta de servicios\n2. B. Post venta\n"
                              "3. C. Baja de servicios")
    phones.write("Silvia Guzmán", "2")

    # eight options: the list picker with eight items; choosing one ends the case at its desk
    [listed] = phones.got("Silvia Guzmán", "📋 Paso 5B · Post venta: ¿qué pide el cliente?")
    assert listed.content_sid == LIST_8 and listed.text.startswith("✅ Paso 5: elegiste «B. Post venta».")
    assert [listed.variables[str(3 + 3 * i)] for i in (0, 7)] == ["1. Llamadas entr./Fisca…", "8. Gestión de reclamo"]
    pick(phones, "Silvia Guzmán", "8. Gestión de reclamo")
    assert phones.texts("Silvia Guzmán")[-1] == ("✅ Paso 5B: elegiste «Gestión de reclamo».\n\n"
                                                 "🏁 Caso D-1 cerrado: BOI (Back Office Incidencias)")
    assert phones.twilio.refused == []
    assert not phones.twilio.to(phones.number("Andrés Ticona"))  # Silvia kept her customer's case


def test_without_a_list_picker_the_options_are_numbered(open_comteco: Any) -> None:
    phones = open_comteco(lists=False)
    phones.write("Silvia Guzmán", "ATENCIÓN CLIENTE")
    phones.tap("Silvia Guzmán", "Trámite específico")
    phones.write("Silvia Guzmán", "2")
    [card] = phones.got("Silvia Guzmán", "📋 Paso 5B · Post venta: ¿qué pide el cliente?")
    assert card.content_sid is None
    assert "Responde con el número de tu opción:\n1. Llamadas entr./Fiscalía\n2. Excedentes o mora\n" in card.text
    assert card.text.endswith("8. Gestión de reclamo")
    phones.write("Silvia Guzmán", "9")  # no such option: nothing chosen, the options named
    assert phones.texts("Silvia Guzmán")[-1].startswith("Ninguna de tus tarjetas tiene la opción 9.")
    phones.write("Silvia Guzmán", "3")
    assert phones.texts("Silvia Guzmán")[-1].endswith("🏁 Caso D-1 cerrado: Mezanine BOC (Back Office Comercial)")
    assert phones.twilio.refused == []


def test_a_001_case_value_by_text_and_the_hand_off_outside_the_window(open_comteco: Any) -> None:
    phones = open_comteco()
    phones.write("Ximena Quispe", "RECLAMO REITERADO 4452211 vulnerabilidad=2")
    assert phones.got("Ximena Quispe", "📁 Caso R-1 abierto (Daños reiterados COMTECO). Vence 24/11 08:00.")
    phones.tap("Ximena Quispe", "Call Center")
    phones.tap("Ximena Quispe", "Hecho", containing="Paso 2 · Recepcionar la llamada")
    assert phones.texts("Ximena Quispe")[-1] == (
        "✍️ Tarea 2 (Recepcionar la llamada del cliente): ¿Cuál es el número telefónico del servicio? (ejemplo: 44252211)")
    phones.write("Ximena Quispe", "4425 2211")  # the value, typed
    [done] = phones.got("Ximena Quispe", "✔️ Registrado: tarea 2 (Recepcionar la llamada del cliente) hecha")
    assert "• teléfono: 44252211" in done.text and "📋 Paso 3 · ¿En qué estado está la solicitud de daño?" in done.text
    phones.write("Ximena Quispe", "2")  # «Atendido sin solución» (21 characters: numbered, not a button)
    phones.tap("Ximena Quispe", "No está cerrada")
    phones.write("Ximena Quispe", "4")  # the form's 13 reasons: more than a list picker holds, numbered
    assert phones.texts("Ximena Quispe")[-1] == "✅ Paso 7: elegiste «Abonado ausente»."

    # the supervisor has not written in 24 hours: the approved task template, what to do in its headline
    [card] = phones.twilio.to(phones.number("Patricia Rojas"))
    assert card.content_sid == TEMPLATES["twilio_content_task"]
    assert card.variables["1"] == "📁 Caso R-1 · Daños reiterados COMTECO · 📋 Paso 8 · Gestionar el daño con la unidad involucrada"
    assert "• contrato: 4452211 · • teléfono: 44252211" in card.variables["2"]
    assert list(card.buttons) == ["Lo tomo", "Hecho", "No puedo"]
    phones.tap("Patricia Rojas", "Lo tomo")  # her answer opens the window: the whole card follows
    assert any("• motivo: Abonado ausente" in text for text in phones.texts("Patricia Rojas"))
    assert phones.got("Patricia Rojas", "Listo, la tarea 8 (Gestionar el daño con la unidad involucrada) es tuya.")
    assert phones.twilio.refused == []


def test_a_question_outside_the_window_comes_as_the_notice_with_its_numbers(open_comteco: Any) -> None:
    """Silvia opened the case at the terminal: her WhatsApp window is closed, so the question
    arrives as the approved notice, its options as numbers in the line never cut; «3» answers."""
    phones = open_comteco()
    assert phones.client.portal is not None
    phones.client.portal.call(phones.rt.service.handle, Say("silvia_guzman", "ATENCIÓN CLIENTE", "terminal"))
    phones.settle()
    [notice] = phones.twilio.to(phones.number("Silvia Guzmán"))
    assert notice.content_sid == TEMPLATES["twilio_content_notice"]
    assert notice.variables["1"] == "📁 Caso D-1 abierto (Información y direccionamiento COMTECO)."
    assert "📋 Paso 1 · ¿Qué necesita el cliente?" in notice.variables["2"]
    assert notice.variables["3"] == ("Responde con el número de tu opción: 1. Información general · "
                                     "2. Ubicar funcionario · 3. Trámite específico")
    phones.write("Silvia Guzmán", "3")  # her window opens: the whole message, then the answer
    assert phones.got("Silvia Guzmán", "✅ Paso 1: elegiste «Trámite específico».")
    assert phones.got("Silvia Guzmán", "📋 Paso 5 · ¿Qué tipo de trámite?")
    assert phones.twilio.refused == []
