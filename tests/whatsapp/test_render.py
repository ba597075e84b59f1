"""Rendering neutral messages for WhatsApp, table-driven (no server)."""

from __future__ import annotations

import pytest

from flows.messages import Action, ActionKind, Button, OutMessage
from flows.texts import t
from handlers.whatsapp.config import Approved, Templates, address, api_base, digits
from handlers.whatsapp.params import param_problems, utf16_len
from handlers.whatsapp.render import MAX_BODY, Renderer, card_update, numbered, split

TASK = (
    Button("Lo tomo", Action(ActionKind.CLAIM, "c1/entel")),
    Button("Hecho", Action(ActionKind.COMPLETE, "c1/entel")),
    Button("No puedo", Action(ActionKind.GIVE_UP, "c1/entel")),
)
CARD = OutMessage("luis", "📋 Paso 2 · Contacto con Entel\n• Llamar\nResponsables: Luis\nSin tomar todavía.", TASK,
                  ref="card:c1/entel", kind="card")
ALL = Templates(notice="HXnotice", task="HXtask", buttons=("HX1", "HX2", "HX3"))
LABELS = ("Lo tomo", "Hecho", "No puedo")


@pytest.mark.parametrize(("buttons", "lang", "expected"), [
    (TASK, "es", "Responde 1 para tomarla, 2 si ya está hecha, 3 si no puedes."),
    (tuple(Button(t("en", key), b.action) for key, b in zip(("btn_claim", "btn_done", "btn_give_up"), TASK, strict=True)), "en",
     "Reply 1 to take it, 2 if it is done, 3 if you can't."),
    ((Button("Leído", Action(ActionKind.ACK, "c1/atencion")),), "es", "Responde 1 para confirmar que lo leíste."),
    ((Button("Sigo en esto", Action(ActionKind.STILL_ON, "c1/banner")),
      Button("Hecho", Action(ActionKind.COMPLETE, "c1/banner"))), "es", "Responde 1 si sigues en esto, 2 si ya está hecha."),
    ((Button("Firmar verificación", Action(ActionKind.COMPLETE, "c1/chequeo")),), "es",
     "Responde 2 para «Firmar verificación»."),  # the number of «Hecho», whatever its label
    ((Button("Decretar ALERTA ROJA", Action(ActionKind.CONFIRM, "p1")), Button("Descartar", Action(ActionKind.DISMISS, "p1"))),
     "es", "Responde 1 para «Decretar ALERTA ROJA», 3 para «Descartar»."),  # 3 says no, as «No puedo»
    ((Button("Hecho", Action(ActionKind.COMPLETE, "c1/banner")), Button("No puedo", Action(ActionKind.GIVE_UP, "c1/banner"))),
     "es", "Responde 2 si ya está hecha, 3 si no puedes."),  # a taken task: «Hecho» is still 2
])
def test_numbered_options(buttons: tuple[Button, ...], lang: str, expected: str) -> None:
    assert numbered("Texto", buttons, lang) == f"Texto\n\n{expected}"


def test_no_buttons_no_options() -> None:
    assert numbered("Hola", (), "es") == "Hola"


def test_a_card_seen_before_is_shown_as_its_title_and_state() -> None:
    assert card_update(CARD.text, "es") == "↻ 📋 Paso 2 · Contacto con Entel · Sin tomar todavía."
    assert card_update("una línea", "es") == "una línea"


@pytest.mark.parametrize("text", ["", "corto", "a\nb\n\nc", "x" * 4000, "\n".join(["línea " * 30] * 40),
                                  "🚨" * 700, "\n".join(["📋 Paso 8b · ⏰ 🔴 vencida"] * 90)])
def test_split_keeps_everything_within_the_limit(text: str) -> None:
    # Twilio counts a body in UTF-16 units: an emoji is 2 (error 21617 beyond 1,600).
    pieces = split(text, 500)
    assert all(len(p.encode("utf-16-le")) // 2 <= 500 for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


def test_session_quick_reply_with_the_buttons_labels_and_payloads() -> None:
    [out] = Renderer(ALL, LABELS).session(CARD, "es")
    assert out.content_sid == "HX3" and not out.approved
    assert out.variables == {"1": CARD.text, "2": "Lo tomo", "3": "claim:c1/entel", "4": "Hecho", "5": "done:c1/entel",
                             "6": "No puedo", "7": "cantdo:c1/entel"}


def test_session_without_the_quick_reply_for_that_count_uses_numbers() -> None:
    # Not the approved task template: its variables are short single lines, a card is not.
    for templates in (Templates(task="HXtask"), Templates()):
        [plain] = Renderer(templates, LABELS).session(CARD, "es")
        assert plain.content_sid is None and plain.body is not None and plain.body.endswith("3 si no puedes.")
        assert plain.body.startswith(CARD.text) and not plain.partial


def test_outside_the_window_only_approved_templates_with_short_variables() -> None:
    renderer = Renderer(ALL, LABELS)
    [card] = renderer.approved(CARD, "es") or []
    assert card.content_sid == "HXtask" and card.approved and card.partial  # the whole card is owed
    assert card.variables == {"1": "📋 Paso 2 · Contacto con Entel",
                              "2": "• Llamar · Responsables: Luis · Sin tomar todavía.",
                              "3": "claim:c1/entel", "4": "done:c1/entel", "5": "cantdo:c1/entel"}
    english = OutMessage("luis", CARD.text, tuple(Button(label, b.action) for label, b in zip(("Take it", "Done", "Can't"), TASK, strict=True)))
    [notice] = renderer.approved(english, "en") or []  # the task template's titles are Spanish
    assert notice.content_sid == "HXnotice" and notice.variables["3"] == "Reply 1 to take it, 2 if it is done, 3 if you can't."
    long = OutMessage("luis", "\n".join(f"línea {i} " + "x" * 80 for i in range(40)), kind="report")
    [piece] = renderer.approved(long, "es") or []
    assert piece.content_sid == "HXnotice" and piece.partial
    assert all(param_problems(v) == [] and utf16_len(v) <= 500 for v in piece.variables.values())
    assert piece.variables["2"].endswith("…") and piece.variables["3"] == "Nada que hacer por ahora."
    one_line = OutMessage("luis", "✅ Hecha por Cecilia a las 09:00.")
    [short] = renderer.approved(one_line, "es") or []
    assert not short.partial and short.variables["2"] == "sin más detalle"  # nothing is owed
    assert Renderer(Templates(task="HXtask"), LABELS).approved(long, "es") is None  # nothing approved fits


def test_long_session_text_in_pieces() -> None:
    long = OutMessage("luis", "\n".join(f"línea {i} " + "x" * 80 for i in range(60)), kind="report")
    pieces = Renderer(ALL, LABELS).session(long, "es")
    assert len(pieces) > 1 and all(p.body is not None and len(p.body) <= MAX_BODY for p in pieces)


def test_numbers_and_addresses() -> None:
    assert digits("whatsapp:+56 9 1111 0001") == "56911110001"
    assert address("+56 9 1111-0001") == "whatsapp:+56911110001"
    assert api_base("http://127.0.0.1:9000/2010-04-01/") == "http://127.0.0.1:9000"


def test_link_buttons_are_links_in_the_text_not_choices() -> None:
    panel = Button("Panel", Action(ActionKind.PANEL, "c1"), url="https://crisis.example.com/panel?t=abc")
    status = OutMessage("jaime", "📊 Estado", (panel,), kind="status")
    [out] = Renderer(ALL, LABELS).session(status, "es")
    assert out.body == "📊 Estado\n🔗 Panel: https://crisis.example.com/panel?t=abc"
    mixed = OutMessage("jaime", "Texto", (panel, TASK[1]))
    [out] = Renderer(Templates(), LABELS).session(mixed, "es")
    assert out.body == "Texto\n🔗 Panel: https://crisis.example.com/panel?t=abc\n\nResponde 2 si ya está hecha."


def test_outside_the_window_each_reader_gets_the_templates_of_their_language() -> None:
    """A template's fixed text and button titles are in the language it was approved in."""
    english_buttons = tuple(Button(t("en", key), b.action)
                            for key, b in zip(("btn_claim", "btn_done", "btn_give_up"), TASK, strict=True))
    english = OutMessage("valeria", "📋 Step 2 · Contact Entel\nOwners: Valeria\nNobody has it yet.", english_buttons,
                         ref="card:c1/entel", kind="card")
    both = Templates(notice="HXnotice", task="HXtask", other=(Approved("en", "HXnotice_en", "HXtask_en"),))
    renderer = Renderer(both, LABELS)
    [card] = renderer.approved(english, "en") or []
    assert card.content_sid == "HXtask_en" and card.variables["1"] == "📋 Step 2 · Contact Entel"
    [spanish] = renderer.approved(CARD, "es") or []
    assert spanish.content_sid == "HXtask"
    news = OutMessage("valeria", "🏁 Crisis closed\nIt lasted 2 h.")
    [notice] = renderer.approved(news, "en") or []
    assert notice.content_sid == "HXnotice_en" and notice.variables["3"] == "Nothing to do for now."
    # Only an English notice: the card goes as that notice, options as numbers, in English.
    notice_only = Renderer(Templates(notice="HXnotice", task="HXtask", other=(Approved("en", "HXnotice_en"),)), LABELS)
    [card] = notice_only.approved(english, "en") or []
    assert card.content_sid == "HXnotice_en" and card.variables["3"].startswith("Reply 1 to take it")
    # None in English: the group's, with the variables still in English.
    [card] = Renderer(ALL, LABELS).approved(english, "en") or []
    assert card.content_sid == "HXnotice" and card.variables["1"] == "📋 Step 2 · Contact Entel"
