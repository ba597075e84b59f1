"""Telling a human when the bot cannot reach somebody (issue 9: «silence is never the
failure mode»). The watcher (bot/contact.py) finds the cases; these handlers write the
bitácora and the messages. Pure.

Whom: each coordinator of the crisis's playbook except the person and those the bot
cannot reach either; when no coordinator is left (the person is the only one, or every
coordinator is unreachable too), the declarers who can be reached; never the person."""

from __future__ import annotations

from flows.commands import ContactLost, ContactRestored
from flows.contact import via_name, why
from flows.crisis import CrisisState
from flows.directory import Person
from flows.texts import t
from flows.world import Turn


def told_about(turn: Turn, person_id: str, unreachable: tuple[str, ...] = ()) -> list[Person]:
    """Who hears that `person_id` cannot be reached: reachable coordinators, else reachable
    declarers, else (nobody reachable at all) every coordinator and declarer but the person,
    whose messages then wait for a channel to come back."""
    def of(roles: list[str], skip: tuple[str, ...]) -> list[Person]:
        return [p for p in turn.directory.with_any_role(roles) if p.id != person_id and p.id not in skip]

    playbook = turn.playbook
    return (of(playbook.coordinators, unreachable) or of(playbook.declarers, unreachable)
            or of([*playbook.coordinators, *playbook.declarers], ()))


def _open(turn: Turn, crisis_id: str) -> bool:
    crisis = turn.out.crisis
    return crisis is not None and crisis.id == crisis_id and crisis.state != CrisisState.CLOSED


def contact_lost(turn: Turn, cmd: ContactLost) -> None:
    person = turn.directory.get(cmd.person)
    if person is None or not _open(turn, cmd.crisis_id):
        return
    told = told_about(turn, person.id, cmd.unreachable)
    turn.log("contact_lost", None, who=person.id, why=why(cmd.reasons, turn.world.group_lang),
             told=", ".join(p.name for p in told) or "-")
    case = turn.out.crisis.label if turn.out.crisis is not None and turn.out.crisis.is_case else None
    for coordinator in told:
        lang = coordinator.lang
        text = why(cmd.reasons, lang)
        if person.whatsapp:
            lost = t(lang, "contact.lost_phone", name=person.name, why=text, phone=person.whatsapp)
        else:
            lost = t(lang, "contact.lost", name=person.name, why=text)
        # on a case, which one: the coordinators of a case playbook oversee many at once
        turn.send(coordinator.id, lost + ("\n" + t(lang, "contact.lost_case", id=case) if case else ""))


def contact_restored(turn: Turn, cmd: ContactRestored) -> None:
    person = turn.directory.get(cmd.person)
    if person is None or not _open(turn, cmd.crisis_id):
        return
    lang = turn.world.group_lang
    how = (turn.say("contact.how_wrote") if cmd.how == "wrote"
           else turn.say("contact.how_delivered", via=via_name(cmd.via, lang)))
    turn.log("contact_restored", None, who=person.id, how=how)
