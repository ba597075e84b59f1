"""Answers to a question the bot asked (a task's value, the crisis description), and a
broadcast answer shown back before it goes to everyone (issue 11, point 2).

Rules, in the order they apply to a chat line from a person the bot asked (`Task.asking`):

1. The question expires `ANSWER_WINDOW` after it was asked (`Task.asked_at`): the line is
   ordinary chatter, the question is forgotten; while the task is open, «Hecho» or
   «hecho N» asks again.
2. A command or keyword (anything `flows.matching.read` recognises, the declare/close phrase
   of any language), a bare button number («1», «2)»), a line of only punctuation or emoji
   («?», «👍») is never an answer: the command runs, the question stays.
3. The answer to a `broadcast` input (the crisis description) is shown back first,
   «Se enviará a todos: "…"» [Enviar] [Corregir], kept as a DESCRIBE proposal (durable);
   it is broadcast only on [Enviar] (or typing «enviar»). [Corregir] («corregir»), or simply
   writing it again, replaces it.
   A value that came in a form (Slack's modal) or inline in the declaration
   («ALERTA ROJA: se cayó el servidor») is already explicit: it goes out at once.
4. Any other answer is recorded as the task's value (flows/tasks.py `answer`).
"""

from __future__ import annotations

import re
from datetime import timedelta

from flows import confirm, tasks
from flows.crisis import Proposal, ProposalEvent, ProposalKind, Task, TaskState
from flows.matching import Intent, Reading, keyword_forms, normalize
from flows.playbook import Playbook, Step
from flows.progress import complete
from flows.texts import t
from flows.world import Turn

ANSWER_WINDOW = timedelta(minutes=15)
"""How long a question waits for its answer (issue 11 point 2: «the question expires»)."""

_SEND_WORDS = frozenset({"enviar", "envialo", "enviala", "send", "send it"})
_FIX_WORDS = frozenset({"corregir", "corrijo", "correct", "fix"})
_BARE_NUMBER = re.compile(r"^\s*\d{1,2}\s*[.)]?\s*$")
# The crisis keywords in the languages the bot speaks, for playbooks that give only one.
_KEYWORDS = ("alerta roja", "red alert", "fin de la crisis", "end of crisis", "end of the crisis")


def _phrases(playbook: Playbook) -> set[str]:
    found = set(_KEYWORDS)
    for phrase in (playbook.declare_phrase, playbook.close_phrase):
        found.update(keyword_forms(phrase))
    return found


def is_command(text: str, reading: Reading, playbook: Playbook) -> bool:
    """Whether a line is a command, a keyword, a button or nothing in words (rule 2)."""
    if reading.intent != Intent.OTHER or _BARE_NUMBER.match(text):
        return True
    norm = normalize(text)
    return not norm or any(norm == p or norm.startswith(p + " ") for p in _phrases(playbook))


def asked(turn: Turn, by: str) -> tuple[Step, Task] | None:
    """The task whose question `by`'s next line may answer."""
    for step, task in turn.task_pairs():
        if task.asking == by and step.input is not None:
            return step, task
    return None


def expired(task: Task, turn: Turn) -> bool:
    """A question older than ANSWER_WINDOW (one stored without a time never expires)."""
    return task.asked_at is not None and turn.now - task.asked_at > ANSWER_WINDOW


def take_answer(turn: Turn, by: str, text: str, reading: Reading, direct: bool) -> bool:
    """Handle `text` as the answer to the question asked to `by`, if it is one; True when
    the line was handled here (answered, shown back, or told why it was not taken), False
    when the engine should read it as usual."""
    drafts = _drafts(turn, by)
    word = normalize(text)
    if drafts and (word in _SEND_WORDS or word in _FIX_WORDS):  # the preview's buttons, typed
        resolve(turn, drafts[-1], by, send=word in _SEND_WORDS)
        return True
    found = asked(turn, by)
    if found is None:
        return False
    step, task = found
    assert step.input is not None
    command = is_command(text, reading, turn.playbook)
    if expired(task, turn):
        task.asking, task.asked_at = None, None
        if command or not direct:
            return False
        turn.send_key(by, "safety.question_expired", label=step.input.label, number=step.number,
                      minutes=int(ANSWER_WINDOW.total_seconds() // 60))
        return True
    if command:
        if reading.intent != Intent.OTHER:
            return False  # the command runs; the question stays
        turn.send_key(by, "safety.not_an_answer", text=text.strip(), label=step.input.label)
        return True
    if step.input.broadcast and task.state != TaskState.DONE:
        preview(turn, by, step, task, text.strip())
        return True
    tasks.answer(turn, by, step, task, text)
    return True


# the description shown back before it goes to all --------------------------


def _drafts(turn: Turn, by: str) -> list[Proposal]:
    crisis = turn.out.crisis
    return [p for p in confirm.pending(turn, ProposalKind.DESCRIBE)
            if p.proposed_by == by and crisis is not None and p.crisis_id == crisis.id]


def preview(turn: Turn, by: str, step: Step, task: Task, value: str) -> None:
    """Show `by` what will be broadcast, with [Enviar] [Corregir]; an earlier draft is
    replaced. The question stays open (a new line replaces the draft) and is renewed."""
    for old in _drafts(turn, by):
        confirm.settle(turn, old, ProposalEvent.EXPIRE)
    proposal = confirm.open_question(turn, ProposalKind.DESCRIBE, by, value)
    task.asked_at = turn.now
    lang = turn.lang_of(by)
    buttons = confirm.yes_no(proposal, t(lang, "safety.btn_send"), t(lang, "safety.btn_fix"), "primary")
    turn.send(by, t(lang, "safety.preview", text=value), buttons, ref=f"proposal:{proposal.id}", kind="proposal")


def resolve(turn: Turn, proposal: Proposal, by: str, send: bool) -> None:
    """[Enviar] broadcasts the draft as the step's value; [Corregir] asks again. A draft
    whose task is no longer open (done meanwhile, the crisis over) is only expired."""
    crisis = turn.out.crisis
    step_task = _described(turn, proposal)
    if crisis is None or step_task is None:
        confirm.settle(turn, proposal, ProposalEvent.EXPIRE)
        turn.send_key(by, "proposal_expired")
        return
    step, task = step_task
    assert step.input is not None
    if send:
        confirm.settle(turn, proposal, ProposalEvent.CONFIRM, by)
        complete(turn, step, task, by, proposal.text)
        return
    confirm.settle(turn, proposal, ProposalEvent.DISMISS, by)
    task.asking, task.asked_at = by, turn.now
    turn.send_key(by, "safety.fix_ask", label=step.input.label)


def _described(turn: Turn, proposal: Proposal) -> tuple[Step, Task] | None:
    """The open task with a broadcast input that the draft answers: the one still asking
    its author, else the first open one (a playbook has one such input, the description)."""
    crisis = turn.out.crisis
    if crisis is None or proposal.crisis_id != crisis.id:
        return None
    candidates = [(step, task) for step, task in turn.task_pairs()
                  if step.input is not None and step.input.broadcast and task.state in (TaskState.OPEN, TaskState.CLAIMED)]
    return next((c for c in candidates if c[1].asking == proposal.proposed_by), candidates[0] if candidates else None)
