"""A case question's options (issue 12): numbered 1..n on every transport, «3» is the third."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.loading import load_all
from flows import buttons
from flows.messages import Action, ActionKind, Button, OutMessage
from handlers.sms.render import sms_text
from handlers.terminal.render import render
from tests.support import DIRECTORY, PLAYBOOK

LABELS = ["Call Center", "Help Desk", "Soporte técnico", "Comercial", "Facturación", "Reclamos", "Post venta",
          "Detalle de llamadas entrantes, notificaciones de Fiscalía y otros pedidos de información legal"]


def options_card(count: int, case: str = "R-12", step: str = "derivar") -> OutMessage:
    options = tuple(Button(label, Action.for_choice(case, step, f"op{i + 1}")) for i, label in enumerate(LABELS[:count]))
    return OutMessage("cecilia", f"Caso {case}\n¿A qué mesa va?", options, ref=f"card:{case}/{step}", kind="card")


def task_card() -> OutMessage:
    return OutMessage("cecilia", "Tarea 4: Banner", (
        Button("Lo tomo", Action.for_task(ActionKind.CLAIM, "C1", "banner")),
        Button("No puedo", Action.for_task(ActionKind.GIVE_UP, "C1", "banner"))), ref="card:C1/banner", kind="card")


@pytest.mark.parametrize("count", [2, 4, 8])
def test_options_are_numbered_in_order(count: int) -> None:
    shown = buttons.numbered(options_card(count).buttons)
    assert [n for n, _ in shown] == list(range(1, count + 1))
    assert [b.label for _, b in shown] == LABELS[:count]


def test_three_under_the_options_card_is_the_third_option() -> None:
    # newest first: the options card came after a task card that also carries a «3» (No puedo)
    messages = [(options_card(8), None), (task_card(), None)]
    assert buttons.newest_options(messages) == "R-12/derivar"
    offers = buttons.live_offers(messages, lambda action: True)
    asked = [o for o in offers if buttons.thing(o.action) == buttons.newest_options(messages)]
    [third] = buttons.matching_offers(asked, number=3)
    assert third.action == Action.for_choice("R-12", "derivar", "op3")
    assert len(buttons.matching_offers(offers, number=3)) == 2  # without the card: «¿Cuál?»


def test_an_answered_question_offers_nothing() -> None:
    messages = [(options_card(4), None)]
    assert buttons.live_offers(messages, lambda action: action.kind != ActionKind.CHOOSE) == []
    # its card redrawn without options (answered), newest: the older copy's options are gone too
    answered = OutMessage("cecilia", "Caso R-12\nRespondida: Help Desk", ref="card:R-12/derivar", kind="card")
    assert buttons.live_offers([(answered, None), (options_card(4), None)], lambda action: True) == []


def test_terminal_and_sms_show_numbered_options() -> None:
    at = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    _, directory = load_all(PLAYBOOK, DIRECTORY)
    assert directory is not None
    line = render(options_card(4), directory, at, ZoneInfo("America/Santiago"), "es")
    assert "1. Call Center  2. Help Desk  3. Soporte técnico  4. Comercial" in line
    sms = sms_text(options_card(8), "es", lambda step: None)
    assert "1. Call Center / 2. Help Desk" in sms and "8. Detalle de llamadas" in sms
