"""A typed button number («2»), a typed button word («confirmar») or a WhatsApp reply
quoting a card, read against what the person was offered (issue 11, point 3).

The offers come from durable state: the outbox rows delivered to the person on that
channel (persistence/choices.py) checked against the crisis and the pending proposals, so
the reading is the same after a restart or in another process. The numbers mean the same
on every card (flows/buttons.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows import buttons
from flows.buttons import Offer
from flows.commands import Press
from flows.crisis import Crisis, TaskState
from flows.directory import Person
from flows.messages import Action, ActionKind
from persistence import choices as store
from persistence import repository as repo
from persistence.database import reading

if TYPE_CHECKING:
    from bot.runtime import Runtime


def alive(action: Action, crisis: Crisis | None, proposals: set[str], person_id: str) -> bool | None:
    """Whether the crisis state still offers `action` to the person: a task's buttons while
    the task is open and not someone else's («Lo tomo» while nobody has it, «Sigo en esto»
    to its owner, «Leído» until they confirmed), a proposal's while it waits; None for
    kinds it does not know."""
    if action.kind in (ActionKind.CONFIRM, ActionKind.DISMISS):
        if action.ref in proposals:
            return True
        return None if ("/" in action.ref or ":" in action.ref) else False  # a proposal id: resolved
    if action.kind not in buttons.TASK_KINDS:
        return None
    crisis_id, step_id = action.task_ref()
    task = crisis.tasks.get(step_id) if crisis is not None and crisis.id == crisis_id else None
    if task is None or task.finished or task.state == TaskState.WAITING:
        return False
    if action.kind == ActionKind.ACK:
        return person_id not in task.acks
    if action.kind == ActionKind.CLAIM:
        return task.state == TaskState.OPEN
    if task.state == TaskState.CLAIMED and task.owner != person_id:
        return False  # taken by someone else: their card, even if this person's copy was not redrawn
    if action.kind == ActionKind.STILL_ON:
        return task.state == TaskState.CLAIMED
    return True


async def offers_for(rt: Runtime, person_id: str, via: str) -> list[Offer]:
    """The buttons on offer to the person on `via` now, newest first."""
    async with reading(rt.db) as conn:
        messages = await store.delivered_to(conn, person_id, via)
        crisis_id = await repo.open_crisis_id(conn, rt.playbook.id)
        crisis = await repo.load_crisis(conn, crisis_id) if crisis_id else None
        proposals = await store.pending_proposals(conn, rt.playbook.id)
    return buttons.live_offers(messages, lambda action: alive(action, crisis, proposals, person_id))


async def read_choice(rt: Runtime, person: Person, via: str, text: str, quoted: str | None = None) -> Press | str | None:
    """What `text` presses: a Press; or a text to answer instead (a number on several cards,
    on none); or None when it is no choice (an ordinary line for the engine, or the answer
    to a question the bot asked). `quoted`: the platform id of the message the person
    replied to (WhatsApp's OriginalRepliedMessageSid): then only that card counts."""
    number = buttons.typed_number(text)
    kind = buttons.word_kind(text) if number is None else None
    if number is None and kind is None:
        return None
    # A bare number or a button word is never the answer to a question the bot asked (issue 11
    # point 2, flows/describe.py): «1» after «ALERTA ROJA» presses a button, it is not the description.
    if quoted is not None:
        answer = await _on_quoted(rt, person, via, quoted, number, kind)
        if answer is not None:
            return answer
    if number is None and kind not in buttons.PROPOSAL_WORDS:
        return None  # «hecho» alone: the engine finds the task (flows/which.py)
    offers = await offers_for(rt, person.id, via)
    found = buttons.matching_offers(offers, number=number, kind=kind)
    if len(found) == 1:
        return Press(person.id, found[0].action, via)
    if found:
        return buttons.which_text(found, text.strip(), rt.playbook, person.lang)
    if number is None:
        return None
    return buttons.none_text(number, offers, person.lang)


async def _on_quoted(rt: Runtime, person: Person, via: str, quoted: str, number: int | None,
                     kind: ActionKind | None) -> Press | str | None:
    """A reply to one card: its button with that number (or word). None when the quoted
    message is not one the bot sent this person (then the reply reads as if unquoted)."""
    async with reading(rt.db) as conn:
        message = await store.delivered_by_id(conn, person.id, via, quoted)
    if message is None:
        return None
    subjects = {b.action.ref for b in message.buttons if not b.url}
    if (own := buttons.subject(message.ref)) is not None:
        subjects.add(own)
    offers = buttons.matching_offers(await offers_for(rt, person.id, via), subjects=subjects)
    found = buttons.matching_offers(offers, number=number, kind=kind)
    if len(found) == 1:
        return Press(person.id, found[0].action, via)
    if found:
        return buttons.which_text(found, (str(number) if number is not None else ""), rt.playbook, person.lang)
    shown = [b for n, b in buttons.numbered(message.buttons)
             if (number is not None and n == number) or (kind is not None and b.action.kind == kind)]
    if len(shown) == 1:  # no longer on offer: the engine says why (done, taken by someone else)
        return Press(person.id, shown[0].action, via)
    return buttons.not_on_card_text(offers, person.lang)
