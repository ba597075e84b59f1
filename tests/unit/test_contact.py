"""«Sin contacto», pure: the fold of deliveries into each person's state, and whom the
engine tells when somebody cannot be reached."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.commands import ContactLost, ContactRestored
from flows.contact import ContactState, Event, Queued, Reason, fold, status_line, why
from flows.directory import Directory
from flows.engine import handle
from tests.support import START
from tests.unit.test_engine import DIR, PB, Memory

AFTER = timedelta(minutes=10)


@pytest.mark.parametrize(("events", "pending", "minutes", "state"), [
    # delivered, then a failure with nothing left to try: lost
    ([("delivered", "slack"), ("delivery_failed", "slack")], [], 0, ContactState.LOST),
    # a failure while the fallback is queued: not yet lost
    ([("delivery_failed", "whatsapp")], [("slack", 0)], 0, ContactState.FAILED),
    # the fallback was delivered: reachable again
    ([("delivery_failed", "whatsapp"), ("delivered", "slack")], [], 0, ContactState.DELIVERED),
    # accepted by Twilio, then WhatsApp's callback says it failed: lost
    ([("delivered", "whatsapp"), ("whatsapp_failed", "whatsapp")], [], 0, ContactState.LOST),
    # queued 9 minutes: pending; 10 minutes: lost
    ([], [("slack", 0)], 9, ContactState.PENDING),
    ([], [("slack", 0)], 10, ContactState.LOST),
    # a read receipt
    ([("delivered", "whatsapp"), ("whatsapp_read", "whatsapp")], [], 0, ContactState.READ),
    # no channel reaches them at all
    ([("delivery_failed", "-")], [], 0, ContactState.LOST),
    # they wrote after a failure: reachable
    ([("delivered", "whatsapp"), ("delivery_failed", "whatsapp"), ("wrote", "whatsapp")], [], 0,
     ContactState.DELIVERED),
])
def test_the_state_of_a_person(events: list[tuple[str, str]], pending: list[tuple[str, int]], minutes: int,
                               state: ContactState) -> None:
    log = [Event(i, kind, START, "valeria", via, "error 63016" if "failed" in kind else None)
           for i, (kind, via) in enumerate(events, start=1)]
    queued = [Queued("valeria", via, START + timedelta(minutes=m)) for via, m in pending]
    board = fold(log, queued, START + timedelta(minutes=minutes), AFTER)
    assert board.state("valeria") == state


def test_a_group_message_is_about_nobody() -> None:
    board = fold([Event(1, "delivery_failed", START, "@group", "-", "no channel reaches them")],
                 [Queued("@group", "slack", START)], START + AFTER, AFTER)
    assert board.people == {} and board.lost() == []


def test_reported_once_then_restored_then_new() -> None:
    failed = Event(1, "delivery_failed", START, "valeria", "slack", "channel_not_found")
    board = fold([failed], [], START, AFTER)
    assert [c.person for c in board.to_report()] == ["valeria"]
    marked = [failed, Event(2, "contact_lost", START, "valeria", None), Event(3, "delivery_failed", START, "valeria", "slack")]
    assert fold(marked, [], START, AFTER).to_report() == []  # a second failure is the same loss
    back = [*marked, Event(4, "delivered", START, "valeria", "slack")]
    assert [c.person for c in fold(back, [], START, AFTER).to_restore()] == ["valeria"]
    restored = [*back, Event(5, "contact_restored", START, "valeria", None), Event(6, "delivery_failed", START, "valeria", "slack")]
    again = fold(restored, [], START, AFTER).to_report()
    assert [(c.person, c.episodes) for c in again] == [("valeria", 1)]


def test_reasons_in_words() -> None:
    reasons = (Reason("whatsapp", "failed", "error 63016"), Reason("slack", "none"))
    assert why(reasons, "es") == "WhatsApp: error 63016; sin Slack"
    assert why(reasons, "en") == "WhatsApp: error 63016; no Slack"
    assert why((Reason("whatsapp", "pending", "12"),), "es") == "WhatsApp: sin entregar hace 12 min"


def test_the_status_line() -> None:
    events = [Event(1, "delivered", START, "jaime", "slack"), Event(2, "delivered", START, "cecilia", "whatsapp"),
              Event(3, "whatsapp_read", START, "cecilia", "whatsapp"), Event(4, "delivery_failed", START, "valeria", "-")]
    line = status_line(fold(events, [], START, AFTER), DIR, "es")
    assert line == "📬 Contacto: 2 recibieron · 1 leyó · ⚠️ sin contacto: Valeria"


def declared() -> Memory:
    memory = Memory()
    memory.say("jaime", "ALERTA ROJA: caída")
    return memory


def test_the_coordinators_are_told_who_failed_and_what_to_do() -> None:
    memory = declared()
    assert memory.world.crisis is not None
    outcome = memory.run(ContactLost(memory.world.crisis.id, "valeria", (Reason("whatsapp", "failed", "error 63016"),
                                                                         Reason("slack", "none"))))
    told = {m.to: m.text for m in outcome.messages}
    assert set(told) == {"juan_pablo", "jaime"}  # the coordinators, nobody else
    assert told["jaime"] == ("⚠️ No consigo contactar a Valeria (WhatsApp: error 63016; sin Slack). "
                             "Avísale por otra vía (teléfono +56911110006).")
    [entry] = outcome.log
    assert entry.kind == "contact_lost" and entry.data["who"] == "valeria" and entry.data["told"] == "Juan Pablo, Jaime"


def test_a_coordinator_is_never_told_about_themselves() -> None:
    memory = declared()
    assert memory.world.crisis is not None
    outcome = memory.run(ContactLost(memory.world.crisis.id, "jaime", ()))
    assert [m.to for m in outcome.messages] == ["juan_pablo"]


def test_when_every_coordinator_is_unreachable_the_declarers_are_told() -> None:
    only = Directory(people=[p.model_copy(update={"roles": [r for r in p.roles if r != "coordinacion"]})
                             if p.id != "jaime" else p for p in DIR.people])
    memory = declared()
    assert memory.world.crisis is not None
    memory.world.directory = only
    outcome = memory.run(ContactLost(memory.world.crisis.id, "jaime", (Reason("slack", "failed", "account_inactive"),)))
    told = {m.to for m in outcome.messages}
    assert "jaime" not in told and told == {p.id for p in only.with_any_role(PB.declarers)} - {"jaime"}


def test_a_restored_person_is_logged_and_nobody_is_messaged() -> None:
    memory = declared()
    assert memory.world.crisis is not None
    outcome = memory.run(ContactRestored(memory.world.crisis.id, "valeria", "delivered", "whatsapp"))
    assert outcome.messages == [] and [e.kind for e in outcome.log] == ["contact_restored"]


def test_no_crisis_no_report() -> None:
    memory = Memory()
    outcome = handle(memory.world, ContactLost("20261123-0000", "valeria", ()))
    assert outcome.messages == [] and outcome.log == []
