"""Button numbers that keep their meaning (flows/buttons.py): the table, on every card the
engine draws."""

from __future__ import annotations

from bot.loading import load_playbook
from flows import buttons, render
from flows.buttons import NUMBERS, numbered
from flows.crisis import Task, TaskState
from flows.messages import Action, ActionKind, Button, OutMessage
from tests.support import PLAYBOOK


def test_every_action_has_a_number() -> None:
    # a case question's options (CHOOSE) are numbered 1..n by their order on the card instead
    assert set(NUMBERS) | {ActionKind.CHOOSE} == set(ActionKind)


def task_cards() -> list[tuple[str, tuple[Button, ...]]]:
    """The buttons of every card of every step, in every state a viewer sees one."""
    playbook = load_playbook(PLAYBOOK)
    cards = []
    for step in playbook.steps:
        for task in (Task(step.id, TaskState.OPEN), Task(step.id, TaskState.CLAIMED, owner="ana"),
                     Task(step.id, TaskState.CLAIMED, owner="ana", checkin_pending=True)):
            cards.append((f"{step.number} {task.state} {task.checkin_pending}",
                          render.task_buttons("c1", step, task, "ana", "es")))
    return cards


def test_on_every_card_each_number_is_one_action_and_hecho_is_always_2() -> None:
    for name, card in task_cards():
        pairs = numbered(card)
        assert len({n for n, _ in pairs}) == len(pairs), name
        assert all((n == 2) == (b.action.kind == ActionKind.COMPLETE) for n, b in pairs), name
        assert all((n == 3) == (b.action.kind == ActionKind.GIVE_UP) for n, b in pairs), name


def test_a_digest_keeps_each_tasks_buttons_together() -> None:
    def task(kind: ActionKind, step: str) -> Button:
        return Button(kind.value, Action.for_task(kind, "c1", step))

    digest = (task(ActionKind.GIVE_UP, "banner"), task(ActionKind.CLAIM, "banner"), task(ActionKind.ACK, "atencion"))
    assert [(n, b.action.ref) for n, b in numbered(digest)] == [(1, "c1/banner"), (3, "c1/banner"), (1, "c1/atencion")]


def test_only_the_newest_message_about_a_task_offers_its_buttons() -> None:
    claim = Button("Lo tomo", Action.for_task(ActionKind.CLAIM, "c1", "banner"))
    card = OutMessage("ana", "📋 Paso 4 · Banner", (claim,), ref="card:c1/banner", kind="card")
    redrawn = OutMessage("ana", "📋 Paso 4 · Banner\n🟡 La tiene Luis", (), ref="card:c1/banner", kind="card")
    assert buttons.live_offers([(redrawn, None), (card, None)], lambda action: True) == []
    [offer] = buttons.live_offers([(card, "SM1")], lambda action: True)
    assert (offer.number, offer.about, offer.external_id) == (1, "📋 Paso 4 · Banner", "SM1")
