"""Button numbers that keep their meaning, and which card a typed number is for (issue 11,
point 3). Pure.

Every transport that shows numbers (the terminal's «[2] Hecho», WhatsApp's «Responde 2 si ya
está hecha») takes them from `NUMBERS`, so «2» is «Hecho» on every card, before and after
the task is taken:

    1  yes, me: Lo tomo · Sigo en esto · Leído · Confirmar (a proposal, a confirmation)
    2  Hecho (also «Firmar verificación», «Dar por cumplido»)
    3  no: No puedo · Descartar
    4  No necesaria        5  Asignar         6  Corregir
    7  Nota                8  Estado          9  Panel

Kinds sharing a number never share a card (a card offers «Lo tomo» while the task is open,
«Sigo en esto» only to its owner once taken). Link buttons are not numbered: they are shown
as links.

A case question's card (an `ask` step, issue 12: seed 004 step 5 has 8 options) is the
exception: its buttons are CHOOSE options, numbered 1..n in the step's option order
(`numbered`), so the stable numbers above do not apply to it; «3» under it is its third
option. All options of one question are one thing (`thing`: '<case>/<step>', the value cut).

A bare number is read against the person's live offers (`live_offers`): the buttons of the
newest message about each thing (a task, a proposal) they got on that channel, still valid
in the crisis state. One offer with that number: it is pressed. Several: the person is asked
which (`which_text`), nothing is pressed. None: they are told what they can type."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from flows.matching import normalize
from flows.messages import Action, ActionKind, Button, OutMessage
from flows.playbook import Playbook
from flows.texts import t

NUMBERS: dict[ActionKind, int] = {
    ActionKind.CLAIM: 1, ActionKind.STILL_ON: 1, ActionKind.ACK: 1, ActionKind.CONFIRM: 1,
    ActionKind.COMPLETE: 2,
    ActionKind.GIVE_UP: 3, ActionKind.DISMISS: 3,
    ActionKind.SKIP: 4, ActionKind.ASSIGN: 5, ActionKind.CORRECT: 6, ActionKind.NOTE: 7,
    ActionKind.STATUS: 8, ActionKind.PANEL: 9,
}
TASK_KINDS = frozenset({ActionKind.CLAIM, ActionKind.COMPLETE, ActionKind.GIVE_UP, ActionKind.ACK, ActionKind.STILL_ON,
                        ActionKind.SKIP, ActionKind.ASSIGN, ActionKind.CORRECT})
VERB_KEYS = {ActionKind.CLAIM: "verb_claim", ActionKind.COMPLETE: "verb_done", ActionKind.GIVE_UP: "verb_cantdo",
             ActionKind.ACK: "verb_ack", ActionKind.STILL_ON: "verb_still"}
"""The typed command word that does what a task button does («hecho» for Hecho), as
flows/matching.py reads it; flows/which.py names the same words by verb."""
# Words that press a button of a card the person answers (a WhatsApp reply quoting it), or
# the one proposal on offer; task verbs without a card are read by the engine (flows/which.py).
_WORDS: dict[ActionKind, frozenset[str]] = {
    ActionKind.CLAIM: frozenset({"tomo", "lo tomo", "la tomo", "take", "take it", "i take it"}),
    ActionKind.COMPLETE: frozenset({"hecho", "hecha", "listo", "lista", "done", "firmo", "sign"}),
    ActionKind.GIVE_UP: frozenset({"no puedo", "cant", "can t", "cannot"}),
    ActionKind.ACK: frozenset({"leido", "read", "ok leido"}),
    ActionKind.STILL_ON: frozenset({"sigo", "sigo en esto", "still", "still on it"}),
    ActionKind.CONFIRM: frozenset({"confirmar", "confirmo", "confirm"}),  # never a bare «sí»: it may declare a crisis
    ActionKind.DISMISS: frozenset({"descartar", "descarto", "dismiss"}),
}
PROPOSAL_WORDS = frozenset({ActionKind.CONFIRM, ActionKind.DISMISS})
_SPARE = 10  # a kind missing from NUMBERS (none today)
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")  # «2», «2.», «2)»
_QUALIFIED = re.compile(r"^\s*(\D+?)[\s,]+(\d{1,2}[a-z]?)\s*[.)]?\s*$", re.IGNORECASE)  # «sí 4», «no, 6»


def number_of(kind: ActionKind) -> int:
    return NUMBERS[kind]


def thing(action: Action) -> str:
    """What an action is about: its ref, and for a question's option ('C/S=value') the
    question 'C/S', so that all its options count as one card."""
    return action.ref.partition("=")[0] if action.kind == ActionKind.CHOOSE else action.ref


def is_options(buttons: Iterable[Button]) -> bool:
    """Whether the buttons are a case question's options (CHOOSE, links left out)."""
    return any(b.action.kind == ActionKind.CHOOSE and not b.url for b in buttons)


def numbered(buttons: Iterable[Button]) -> list[tuple[int, Button]]:
    """The buttons a typed number can press (links left out), each with its number from
    `NUMBERS`, in number order; a digest's buttons (several tasks in one message) stay
    grouped by task, so one number may appear once per task: typed alone, it asks which.
    A question's options (CHOOSE) are numbered 1..n in their order instead."""
    groups: dict[str, int] = {}
    options: dict[str, int] = {}
    ranked = []
    for index, button in enumerate(buttons):
        if button.url:
            continue
        key = thing(button.action)
        group = groups.setdefault(key, len(groups))
        if button.action.kind == ActionKind.CHOOSE:
            options[key] = number = options.get(key, 0) + 1
        else:
            number = NUMBERS.get(button.action.kind, _SPARE)
        ranked.append((group, number, index, button))
    return [(number, button) for _, number, _, button in sorted(ranked, key=lambda r: r[:3])]


def options_line(buttons: Iterable[Button], separator: str = "  ") -> str:
    """A question's options as numbered text, «1. Call Center  2. Help Desk» (the terminal,
    SMS, WhatsApp without a list picker); '' for a card without options."""
    return separator.join(f"{n}. {b.label}" for n, b in numbered(buttons) if b.action.kind == ActionKind.CHOOSE)


def typed_number(text: str) -> int | None:
    """The button number a message is, if it is only one («2», « 2) »)."""
    match = _NUMBER.match(text)
    return int(match.group(1)) if match else None


def qualified(text: str) -> tuple[str, str] | None:
    """(words, step number) of an answer naming the question it is for: «sí 4» ->
    ('si', '4'), «Sí, la hice yo 6» -> ('si la hice yo', '6'); None for anything else."""
    match = _QUALIFIED.match(text)
    if match is None:
        return None
    words = normalize(match.group(1))
    return (words, match.group(2).lower()) if words else None


def answer_word(offer: Offer) -> str:
    """What to type before a question's step number to press this button: the first word
    of its label («sí» for «Sí, la hice yo», «no» for «No»), lower case."""
    first = (offer.button.label.split() or [""])[0].strip(",.;:¡!¿?")
    return first.lower()


def answers(offer: Offer, words: str) -> bool:
    """Whether typed `words` (normalized) name this question's button: its label, the
    label's first word, or the word of its kind («confirmar», «descartar»)."""
    return words in (normalize(offer.button.label), normalize(answer_word(offer))) \
        or word_kind(words) == offer.action.kind


def newest_question(messages: Sequence[tuple[OutMessage, str | None]]) -> str | None:
    """The id of the question ('proposal:<id>') that is the newest message with buttons
    in `messages` (newest first), if the newest message with buttons is one."""
    for message, _ in messages:
        if numbered(message.buttons):
            head, _, rest = (message.ref or "").partition(":")
            return rest if head == "proposal" and rest else None
    return None


def newest_subject(messages: Sequence[tuple[OutMessage, str | None]]) -> str | None:
    """What the newest message with buttons in `messages` (newest first) is about (see
    `subject`: a task 'C/S' or a question id), or None when it offers several tasks (a
    digest) or nothing."""
    for message, _ in messages:
        if numbered(message.buttons):
            refs = {thing(b.action) for b in message.buttons if not b.url}
            return subject(message.ref) if len(refs) == 1 else None
    return None


def newest_options(messages: Sequence[tuple[OutMessage, str | None]]) -> str | None:
    """The question ('C/S') whose options card is the newest message with buttons in
    `messages` (newest first): a bare «3» is its third option; None otherwise."""
    for message, _ in messages:
        if numbered(message.buttons):
            asked = {thing(b.action) for b in message.buttons if not b.url and b.action.kind == ActionKind.CHOOSE}
            return asked.pop() if len(asked) == 1 else None
    return None


def word_kind(text: str) -> ActionKind | None:
    """The action a typed button word names («hecho», «lo tomo», «confirmar»), if any."""
    norm = normalize(text)
    return next((kind for kind, words in _WORDS.items() if norm in words), None)


def subject(ref: str | None) -> str | None:
    """What a message is about: 'card:C/S' and 'nudge:C/S' are about the task 'C/S' (the
    ref of its buttons' actions), 'proposal:P' about 'P'."""
    if ref is None:
        return None
    head, sep, rest = ref.partition(":")
    return rest if sep and head in ("card", "nudge", "proposal") else ref


@dataclass(frozen=True)
class Offer:
    """A button still on offer to a person: its number, the button, the first line of the
    message that carried it, and that message's platform id (WhatsApp's MessageSid)."""

    number: int
    button: Button
    about: str
    external_id: str | None = None

    @property
    def action(self) -> Action:
        return self.button.action


Alive = Callable[[Action], bool | None]
"""Whether an action is still valid in the crisis state; None when the state does not say
(a kind this module does not know): then it is on offer only on the newest message."""


def live_offers(messages: Sequence[tuple[OutMessage, str | None]], alive: Alive) -> list[Offer]:
    """The buttons on offer from `messages` (newest first, each with its platform id): for
    each thing (a task, a proposal) only the newest message about it counts, so a card
    redrawn without buttons (taken by someone else, done) offers nothing."""
    seen: set[str] = set()
    offers: list[Offer] = []
    newest_with_buttons = True
    for message, external_id in messages:
        choosable = numbered(message.buttons)
        about = (message.text.strip().splitlines() or [""])[0]
        here: set[str] = set()
        for number, button in choosable:
            ref = thing(button.action)
            here.add(ref)
            if ref in seen:
                continue
            valid = alive(button.action)
            if valid or (valid is None and newest_with_buttons):
                offers.append(Offer(number, button, about, external_id))
        own = subject(message.ref)
        if own is not None:
            here.add(own)
        seen |= here
        if choosable:
            newest_with_buttons = False
    return offers


def matching_offers(offers: Iterable[Offer], number: int | None = None, kind: ActionKind | None = None,
                    subjects: Iterable[str] | None = None) -> list[Offer]:
    """The offers with that number (or of that kind), about `subjects` if given, one per action."""
    wanted = set(subjects) if subjects is not None else None
    found: dict[str, Offer] = {}
    for offer in offers:
        if number is not None and offer.number != number:
            continue
        if kind is not None and offer.action.kind != kind:
            continue
        if wanted is not None and thing(offer.action) not in wanted:
            continue
        found.setdefault(offer.action.encode(), offer)
    return list(found.values())


def hint(offer: Offer, playbook: Playbook, lang: str, by_label: bool = False, step: str | None = None) -> str:
    """What to type for this offer alone: «hecho 4» (Banner…) for a task, else its word
    (`by_label`: a question's button label, «cerrar igual», which also presses it; `step`:
    the step a question is about, then «sí 4», read back by `qualified`)."""
    if step is not None and offer.action.kind in PROPOSAL_WORDS:
        return t(lang, "buttons.option_other", word=f"{answer_word(offer)} {step}", about=_short(offer.about))
    if offer.action.kind in VERB_KEYS:
        step_id = offer.action.task_ref()[1]
        found = next((s for s in playbook.steps if s.id == step_id), None)
        if found is not None:
            verb = t(lang, VERB_KEYS[offer.action.kind])
            return t(lang, "buttons.option_task", verb=verb, number=found.number, title=found.title)
    word = t(lang, "buttons.word.confirm" if offer.action.kind == ActionKind.CONFIRM else "buttons.word.dismiss") \
        if offer.action.kind in PROPOSAL_WORDS and not by_label else offer.button.label.lower()
    return t(lang, "buttons.option_other", word=word, about=_short(offer.about))


def which_text(candidates: Sequence[Offer], typed: str, playbook: Playbook, lang: str,
               steps: Mapping[str, str] | None = None) -> str:
    """«¿Cuál? «2» está en varias tarjetas: escribe «hecho 4» (Banner) o «hecho 6» (Timify).»
    Every option it offers presses one button alone: a question about a step (`steps`:
    question id -> step number) is offered as «sí 4» / «no 4»; two other questions with the
    same word are offered by their buttons' labels («cerrar igual»)."""
    steps = steps or {}
    position = {step.id: i for i, step in enumerate(playbook.steps)}

    by_number = {step.number: i for i, step in enumerate(playbook.steps)}

    def order(offer: Offer) -> float:  # tasks in playbook order, a question about a step after it, others last
        if offer.action.kind in TASK_KINDS:
            return position.get(offer.action.task_ref()[1], len(position))
        asked = steps.get(offer.action.ref)
        return by_number[asked] + 0.5 if asked in by_number else len(position) + 1

    ranked = sorted(candidates, key=order)
    kinds = [o.action.kind for o in ranked if o.action.kind in PROPOSAL_WORDS]
    # two questions would both say «confirmar», a dead end: name them by their buttons' labels («cerrar igual»)
    options = [hint(o, playbook, lang, by_label=o.action.kind in PROPOSAL_WORDS and kinds.count(o.action.kind) > 1,
                    step=steps.get(o.action.ref)) for o in ranked]
    listed = t(lang, "buttons.or", first=", ".join(options[:-1]), last=options[-1])
    return t(lang, "buttons.which", typed=typed, options=listed)


def none_text(number: int, offers: Sequence[Offer], lang: str) -> str:
    """No live card carries that number: say so, and what the person can type."""
    if not offers:
        return t(lang, "buttons.nothing")
    numbers = sorted({o.number for o in offers})
    listed = t(lang, "buttons.or", first=", ".join(str(n) for n in numbers[:-1]), last=str(numbers[-1])) \
        if len(numbers) > 1 else str(numbers[0])
    return t(lang, "buttons.no_such", n=number, numbers=listed)


def not_on_card_text(offers: Sequence[Offer], lang: str) -> str:
    """A reply to one card with a number (or word) that card does not carry; `offers`:
    what that card still offers."""
    if not offers:
        return t(lang, "buttons.card_over")
    options = ", ".join(f"{o.number} «{o.button.label}»" for o in sorted(offers, key=lambda o: o.number))
    return t(lang, "buttons.card_options", options=options)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
