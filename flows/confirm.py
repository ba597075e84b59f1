"""Yes/no questions before what cannot be undone (issue 11, points 1 and 4; DESIGN.md,
«Nothing irreversible ... without a confirmation that says what is still open»).

A question is a `Proposal` row (flows/crisis.py), so its buttons survive a restart: the
buttons' ref is the proposal id, «yes» is `ActionKind.CONFIRM`, «no» `ActionKind.DISMISS`
(numbered 1 and 3 everywhere, flows/buttons.py). Asking again what is already pending
re-shows the same question (same proposal, same ref) instead of stacking a second one.
The answers are carried out by `flows.lifecycle.resolve_proposal`.

- Closing with work undone: `undone_text` says what is still open and unsigned.
- Acting on a task someone else holds («Hecho», «No puedo» on a task another person took):
  `ask_to_act` asks first; the proposal's text is "<action>:<step id>:<holder id>".
"""

from __future__ import annotations

from flows import render
from flows.crisis import Proposal, ProposalEvent, ProposalKind, ProposalState, Task, TaskState
from flows.messages import Action, ActionKind, Button
from flows.playbook import Phase, Step, StepMode
from flows.texts import t, tn
from flows.world import Turn

PANEL = "panel"
"""The dashboard's channel: it asks its own confirmation in the browser (issue 11 point 13)."""


def pending(turn: Turn, kind: ProposalKind) -> list[Proposal]:
    """Pending proposals of `kind` as this turn leaves them (loaded ones, updated by the turn's own)."""
    current = {p.id: p for p in turn.world.proposals}
    current.update((p.id, p) for p in turn.out.proposals)
    return [p for p in current.values() if p.kind == kind and p.state == ProposalState.PENDING]


def open_question(turn: Turn, kind: ProposalKind, by: str, text: str) -> Proposal:
    """A new pending proposal of `by`, for the open crisis (if any)."""
    crisis = turn.out.crisis
    proposal = Proposal(id=turn.world.new_id(), kind=kind, playbook_id=turn.playbook.id, proposed_by=by, text=text,
                        created_at=turn.now, crisis_id=crisis.id if crisis else None)
    turn.out.proposals.append(proposal)
    return proposal


def settle(turn: Turn, proposal: Proposal, event: ProposalEvent, by: str | None = None) -> None:
    proposal.move(event)
    if by is not None:
        proposal.resolved_by = by
    turn.out.proposals.append(proposal)


def yes_no(proposal: Proposal, yes: str, no: str, yes_style: str = "danger") -> tuple[Button, Button]:
    return (Button(yes, Action(ActionKind.CONFIRM, proposal.id), yes_style),
            Button(no, Action(ActionKind.DISMISS, proposal.id)))


def ask(turn: Turn, proposal: Proposal, to: str, text: str, yes_key: str, no_key: str) -> None:
    """Send (or show again) the question with its two buttons, in `to`'s language."""
    lang = turn.lang_of(to)
    turn.send(to, text, yes_no(proposal, t(lang, yes_key), t(lang, no_key)), ref=f"proposal:{proposal.id}",
              kind="proposal")


# closing with work undone ------------------------------------------------


def undone_text(turn: Turn, lang: str) -> str | None:
    """What FIN DE LA CRISIS would leave undone, as a sentence without its full stop
    («Quedan 3 tareas abiertas (3, 5, 6) y falta la firma del paso 7»), or None when
    every crisis task is done or not needed. A step that `checks` others counts as a
    missing signature, the others (open, taken or still waiting) as open tasks."""
    crisis = turn.out.crisis
    if crisis is None:
        return None
    open_steps: list[str] = []
    unsigned: list[str] = []
    for step in turn.playbook.steps_of(Phase.CRISIS):
        task = crisis.tasks.get(step.id)
        if task is None or task.state not in (TaskState.OPEN, TaskState.CLAIMED, TaskState.WAITING):
            continue
        (unsigned if step.checks else open_steps).append(step.number)
    parts = []
    if open_steps:
        parts.append(tn(lang, "safety.open", len(open_steps), steps=", ".join(open_steps)))
    if unsigned:
        parts.append(tn(lang, "safety.unsigned", len(unsigned), steps=", ".join(unsigned)))
    if not parts:
        return None
    sentence = t(lang, "safety.and").join(parts)
    return sentence[:1].upper() + sentence[1:]


# acting on a task someone else holds -------------------------------------

_ASK_KEYS = {ActionKind.COMPLETE: ("safety.act_done_ask", "safety.btn_did_it"),
             ActionKind.GIVE_UP: ("safety.act_release_ask", "safety.btn_release")}


def holder(turn: Turn, by: str, step: Step, task: Task) -> str | None:
    """Who else holds the task `by` is acting on (None: nobody else, or nothing to confirm)."""
    if step.mode != StepMode.ANY or task.state != TaskState.CLAIMED or task.owner in (None, by):
        return None
    return task.owner


def ask_to_act(turn: Turn, by: str, step: Step, task: Task, kind: ActionKind) -> bool:
    """Ask `by` to confirm acting on a task another person holds; True when asked (the
    caller stops there). Not asked on the dashboard (it confirms in the browser), nor when
    nobody else holds the task. The same pending question is shown again, not stacked."""
    owner = holder(turn, by, step, task)
    crisis = turn.out.crisis
    if owner is None or crisis is None or turn.channel == PANEL or kind not in _ASK_KEYS:
        return False
    text = f"{kind.value}:{step.id}:{owner}"
    proposal = next((p for p in pending(turn, ProposalKind.ACT) if p.proposed_by == by and p.text == text
                     and p.crisis_id == crisis.id), None) or open_question(turn, ProposalKind.ACT, by, text)
    lang = turn.lang_of(by)
    ask_key, yes_key = _ASK_KEYS[kind]
    if kind == ActionKind.COMPLETE and step.checks:
        ask_key, yes_key = "safety.act_sign_ask", "safety.btn_sign_it"
    ask(turn, proposal, by, t(lang, ask_key, number=step.number, owner=render.who(turn.directory, owner, lang)),
        yes_key, "safety.btn_no")
    return True


def act_request(proposal: Proposal) -> tuple[ActionKind, str, str]:
    """(action, step id, holder id) of an ACT proposal; the holder is "" for closing an
    all-staff round for everyone (`ask_close_round`)."""
    kind, step_id, owner = proposal.text.split(":", 2)
    return ActionKind(kind), step_id, owner


# closing an all-staff round for everyone ---------------------------------


def ask_close_round(turn: Turn, by: str, step: Step, task: Task, acked_now: bool) -> None:
    """«¿Dar por cumplido el paso 3 (…) por todos? Faltan 6: Luis, …» [Dar por cumplido] [No]:
    a coordinator who types «hecho 3» on a round (StepMode.EACH) may mean he read it
    himself; closing it for the others cannot be undone, so it is asked first (F1 review
    of issue 11 point 7). An ACT proposal with text "done:<step id>:" (no holder), carried
    out by `flows.lifecycle.resolve_act`; the same pending question is shown again, not
    stacked. `acked_now`: `by`'s own «Leído» was just recorded (said in the question)."""
    crisis = turn.out.crisis
    assert crisis is not None
    text = f"{ActionKind.COMPLETE.value}:{step.id}:"
    proposal = next((p for p in pending(turn, ProposalKind.ACT) if p.proposed_by == by and p.text == text
                     and p.crisis_id == crisis.id), None) or open_question(turn, ProposalKind.ACT, by, text)
    lang = turn.lang_of(by)
    missing = [p.name for p in turn.responsibles(step) if p.id not in task.acks and p.id != by]
    ask(turn, proposal, by, tn(lang, "rounds.ask", len(missing), acked=t(lang, "rounds.acked_you") if acked_now else "",
                               number=step.number, title=step.title, names=", ".join(missing)),
        "rounds.btn_close", "safety.btn_no")
