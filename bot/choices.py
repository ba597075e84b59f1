"""A typed button number («2»), a typed button word («confirmar») or a WhatsApp reply
quoting a card, read against what the person was offered (issue 11, point 3).

The offers come from durable state: the outbox rows delivered to the person on that
channel (persistence/choices.py) checked against the crisis and the pending proposals, so
the reading is the same after a restart or in another process. The numbers mean the same
on every card (flows/buttons.py)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flows import buttons
from flows.buttons import Offer
from flows.commands import Press
from flows.crisis import Crisis, ProposalKind, TaskState
from flows.describe import ANSWER_WINDOW
from flows.directory import Person
from flows.inputs import accept
from flows.matching import normalize
from flows.messages import Action, ActionKind, OutMessage
from flows.playbook import Playbook
from flows.texts import t
from persistence import choices as store
from persistence import drill as drill_reads
from persistence import repository as repo
from persistence.database import reading

if TYPE_CHECKING:
    from bot.runtime import Runtime


def alive(action: Action, crisis: Crisis | None, proposals: Collection[str], person_id: str,
          questions: Collection[str] = ()) -> bool | None:
    """Whether the crisis state still offers `action` to the person: a task's buttons while
    the task is open and not someone else's («Lo tomo» while nobody has it, «Sigo en esto»
    to its owner, «Leído» until they confirmed), a proposal's while it waits, a case
    question's options while it is unanswered (`questions`: the open ones, 'C/S'); None
    for kinds it does not know."""
    if action.kind == ActionKind.CHOOSE:
        return buttons.thing(action) in questions
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


REAL_CRISIS = frozenset({ProposalKind.DECLARE.value, ProposalKind.REAL.value})
"""Questions about a real crisis: a bare number answers them when they are the newest."""


@dataclass(frozen=True)
class Offered:
    """What a person was offered on a channel: the live offers (newest first), what they
    are looking at (`asked`, for a bare number: the buttons of the newest message to them
    with buttons, when it is the question the bot asked in answer to their own command or
    the card of a task they hold), and the step each
    pending question is about (`steps`: question id -> step number, for «sí 4»)."""

    offers: list[Offer]
    asked: list[Offer] = field(default_factory=list)
    steps: dict[str, str] = field(default_factory=dict)


def question_steps(proposals: dict[str, store.Pending], playbook: Playbook) -> dict[str, str]:
    """question id -> number of the step it asks about («¿La marcas hecha tú?» on step 4:
    '4'); questions about no step are left out."""
    numbers = {step.id: step.number for step in playbook.steps}
    found = {}
    for pid, pending in proposals.items():
        if pending.kind == ProposalKind.ACT.value:
            step_id = pending.text.split(":", 2)[1] if pending.text.count(":") >= 2 else ""
            if step_id in numbers:
                found[pid] = numbers[step_id]
    return found


async def offered(rt: Runtime, person_id: str, via: str) -> Offered:
    """What is on offer to the person on `via` now (`Offered`)."""
    async with reading(rt.db) as conn:
        messages: list[tuple[OutMessage, str | None]] = await store.delivered_to(conn, person_id, via)
        crisis_id = await repo.open_crisis_id(conn, rt.playbook.id)
        crisis = await repo.load_crisis(conn, crisis_id) if crisis_id else None
        proposals = await store.pending_proposals(conn, rt.playbook.id)
        questions = await store.open_questions(conn, {buttons.thing(b.action) for message, _ in messages
                                                      for b in message.buttons if b.action.kind == ActionKind.CHOOSE})
    offers = buttons.live_offers(messages, lambda action: alive(action, crisis, proposals, person_id, questions))
    question = buttons.newest_question(messages)
    # The newest question is what a bare number answers when the person raised it, or when it
    # is about a real crisis («¿Decretar ALERTA ROJA?», «¿crisis real o parte del simulacro?»),
    # which says «Responde 1 para …» even to a declarer whose drill cards carry a 1 too.
    own = question is not None and question in proposals and (
        proposals[question].proposed_by == person_id or proposals[question].kind in REAL_CRISIS)
    if not own:  # the card of a task the person holds, newest («tomo 5», then «2»): what they look at
        newest = buttons.newest_subject(messages)
        task = crisis.tasks.get(newest.partition("/")[2]) if crisis and newest and newest.startswith(f"{crisis.id}/") else None
        question = newest if task is not None and task.state == TaskState.CLAIMED and task.owner == person_id else None
        # a case question's options card, newest: «3» is its third option (flows/buttons.py)
        question = question or buttons.newest_options(messages)
    asked = [o for o in offers if buttons.thing(o.action) == question] if question is not None else []
    urgent = None if own else _real_crisis_question(messages, proposals)
    if urgent is not None:  # a drill's cards came after it: its «1» still declares (never its «3»)
        asked = [o for o in offers if buttons.thing(o.action) == urgent and o.action.kind == ActionKind.CONFIRM] or asked
    return Offered(offers, asked, question_steps(proposals, rt.playbook))


def _real_crisis_question(messages: list[tuple[OutMessage, str | None]], proposals: dict[str, store.Pending]) -> str | None:
    """The newest question about a real crisis still waiting that the person was sent
    («¿Decretar ALERTA ROJA? Luis dice que es una crisis REAL…»): during a drill, reminders of
    the drill's cards may come after it, and its «Responde 1 para …» must still hold."""
    for message, _ in messages:
        head, _, rest = (message.ref or "").partition(":")
        if head == "proposal" and rest in proposals and proposals[rest].kind in REAL_CRISIS:
            return rest
    return None


async def offers_for(rt: Runtime, person_id: str, via: str) -> list[Offer]:
    """The buttons on offer to the person on `via` now, newest first."""
    return (await offered(rt, person_id, via)).offers


async def read_choice(rt: Runtime, person: Person, via: str, text: str, quoted: str | None = None) -> Press | str | None:
    """What `text` presses: a Press; or a text to answer instead (a number on several cards,
    on none); or None when it is no choice (an ordinary line for the engine, or the answer
    to a question the bot asked). `quoted`: the platform id of the message the person
    replied to (WhatsApp's OriginalRepliedMessageSid): then only that card counts. During a
    drill the text answered starts with the drill's mark, as every message of it (issue 14)."""
    found = await _read_choice(rt, person, via, text, quoted)
    if isinstance(found, str):
        async with reading(rt.db) as conn:
            if await drill_reads.drill_open(conn, rt.playbook.id):
                return t(person.lang, "drill.prefix") + found
    return found


async def _read_choice(rt: Runtime, person: Person, via: str, text: str, quoted: str | None) -> Press | str | None:
    number = buttons.typed_number(text)
    kind = buttons.word_kind(text) if number is None else None
    if number is None and kind is None:
        return await _by_step(rt, person, via, text) or await _by_label(rt, person, via, text)
    # A bare number or a button word is never the answer to a question the bot asked (issue 11
    # point 2, flows/describe.py): «1» after «ALERTA ROJA» presses a button, it is not the description.
    if quoted is not None:
        answer = await _on_quoted(rt, person, via, quoted, number, kind)
        if answer is not None:
            return answer
    elif number is not None and await _value_asked(rt, person.id, text):
        return None  # «3» just after «¿Qué número de ticket dio Entel?»: the ticket (corregible), not «No puedo»
    if number is None and kind not in buttons.PROPOSAL_WORDS:
        return None  # «hecho» alone: the engine finds the task (flows/which.py)
    seen = await offered(rt, person.id, via)
    # a bare number: the question the bot just asked this person, in answer to their command, is
    # what they look at (words such as «confirmar» name no card: they ask which, tests/chat/test_review_clear.py)
    found = buttons.matching_offers(seen.asked, number=number) if number is not None else []
    if len(found) != 1:
        found = buttons.matching_offers(seen.offers, number=number, kind=kind)
    if len(found) == 1:
        return Press(person.id, found[0].action, via)
    if found:
        return buttons.which_text(found, text.strip(), rt.playbook, person.lang, seen.steps)
    if number is None:
        return None
    return buttons.none_text(number, seen.offers, person.lang)


async def _by_label(rt: Runtime, person: Person, via: str, text: str) -> Press | str | None:
    """The words of a question's button typed out («seguir», «cerrar igual», «sí, la hice yo»):
    that button, when a live question of the person carries it; None otherwise. Only
    questions' buttons (confirm or dismiss): task verbs are read by the engine."""
    typed = normalize(text)
    if not typed:
        return None
    seen = await offered(rt, person.id, via)

    found = buttons.matching_offers([o for o in seen.offers if o.action.kind in buttons.PROPOSAL_WORDS
                                     and normalize(o.button.label) == typed])
    if len(found) == 1:
        return Press(person.id, found[0].action, via)
    if found:
        return buttons.which_text(found, text.strip(), rt.playbook, person.lang, seen.steps)
    return None


async def _by_step(rt: Runtime, person: Person, via: str, text: str) -> Press | None:
    """«sí 4», «no 4», «confirmar 4»: the answer to the person's live question about step 4
    (what «¿Cuál?» offers when two questions share their buttons' words); None otherwise
    («hecho 4» and other task commands are the engine's)."""
    parsed = buttons.qualified(text)
    if parsed is None:
        return None
    words, number = parsed
    seen = await offered(rt, person.id, via)
    found = buttons.matching_offers([o for o in seen.offers if o.action.kind in buttons.PROPOSAL_WORDS
                                     and seen.steps.get(o.action.ref) == number and buttons.answers(o, words)])
    return Press(person.id, found[0].action, via) if len(found) == 1 else None


async def _on_quoted(rt: Runtime, person: Person, via: str, quoted: str, number: int | None,
                     kind: ActionKind | None) -> Press | str | None:
    """A reply to one card: its button with that number (or word). None when the quoted
    message is not one the bot sent this person (then the reply reads as if unquoted)."""
    async with reading(rt.db) as conn:
        message = await store.delivered_by_id(conn, person.id, via, quoted)
    if message is None:
        return None
    subjects = {buttons.thing(b.action) for b in message.buttons if not b.url}
    if (own := buttons.subject(message.ref)) is not None:
        subjects.add(own)
    offers = buttons.matching_offers(await offers_for(rt, person.id, via), subjects=subjects)
    found = buttons.matching_offers(offers, number=number, kind=kind)
    if len(found) == 1:
        return Press(person.id, found[0].action, via)
    if found:
        return buttons.which_text(found, (str(number) if number is not None else ""), rt.playbook, person.lang,
                                  question_steps(await _pending(rt), rt.playbook))
    shown = [b for n, b in buttons.numbered(message.buttons)
             if (number is not None and n == number) or (kind is not None and b.action.kind == kind)]
    if len(shown) == 1:  # no longer on offer: the engine says why (done, taken by someone else)
        return Press(person.id, shown[0].action, via)
    return buttons.not_on_card_text(offers, person.lang)


async def _value_asked(rt: Runtime, person_id: str, text: str) -> bool:
    """Whether the bot is waiting for a value from the person (a task's input, not the
    crisis description: flows/describe.py) that `text` fits (flows/inputs.py `accept`), the
    question not yet expired: then a bare number answers it (WhatsApp, tests/whatsapp/test_numbered.py)."""
    async with reading(rt.db) as conn:
        crisis_id = await repo.open_crisis_id(conn, rt.playbook.id)
        crisis = await repo.load_crisis(conn, crisis_id) if crisis_id else None
    if crisis is None:
        return False
    for step in rt.playbook.steps:
        task = crisis.tasks.get(step.id)
        if (task is not None and task.asking == person_id and step.input is not None and not step.input.broadcast
                and (task.asked_at is None or rt.clock.now() - task.asked_at <= ANSWER_WINDOW)
                and accept(step.input, text) is not None):
            return True
    return False


async def _pending(rt: Runtime) -> dict[str, store.Pending]:
    async with reading(rt.db) as conn:
        return await store.pending_proposals(conn, rt.playbook.id)
