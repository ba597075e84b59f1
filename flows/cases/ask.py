"""Answering a case's question (an `ask` step, issue 12 point 3; seed 004 step 1): by its
option buttons (ActionKind.CHOOSE) or by writing an option's value, label or number."""

from __future__ import annotations

from flows import progress, render, tasks
from flows.cases import routing, values
from flows.crisis import Task, TaskEvent, TaskState
from flows.playbook import Step, StepKind
from flows.texts import t
from flows.world import Turn


def choose(turn: Turn, by: str, step: Step, task: Task, value: str) -> None:
    """`by` answers the question `step` asks with the option `value` (its value, label or
    number): stored in the case field `step.answer_field`, logged, and the case routed
    (the option's `goto`, else `next`). Refused, and told why, for somebody who is not a
    responsible (nor a declarer or coordinator), a question already answered, or an
    unknown option (the options are listed)."""
    if step.kind != StepKind.ASK:
        turn.send_key(by, "cases.not_a_question", number=step.number)
        return
    if tasks.refuse_if_inactive(turn, by, step, task):
        return
    if task.state == TaskState.CLAIMED and task.owner not in (None, by) and not turn.is_coordinator(by) and turn.out.crisis:
        # another adviser's customer: a mistyped «D-2» must not answer (and close) their case
        turn.send_key(by, "case_chat.held", number=step.number, id=turn.out.crisis.label,
                      owner=render.who(turn.directory, task.owner, turn.lang_of(by)))
        return
    option = values.pick_option(step.options, value)
    if option is None:
        turn.send(by, lambda lang: turn_options(step, lang))
        return
    task.move(TaskEvent.COMPLETE)
    task.done_at, task.done_by, task.value = turn.now, by, option.value
    task.asking, task.checkin_pending = None, False
    if task.owner is None:
        task.owner, task.claimed_at = by, turn.now
    progress.cancel_timers(turn, step)
    routing.record(turn, step, option.value)
    turn.log("case_chose", by, step.id, option=option.label)
    turn.send_key(by, "cases.chose_you", number=step.number, option=option.label)
    progress.refresh_cards(turn, step, task)  # no stale option buttons anywhere
    routing.advance(turn, step, task, by, option)


def turn_options(step: Step, lang: str) -> str:
    """«Elige una opción: 1. Pago, 2. Reclamo …» for an answer that names none."""
    listed = ", ".join(f"{i}. {o.label.in_lang(lang)}" for i, o in enumerate(step.options, start=1))
    return t(lang, "cases.pick_option", number=step.number, options=listed)


def open_question(turn: Turn, by: str) -> tuple[Step, Task] | None:
    """The case's unanswered question `by` may answer (a responsible of it), if any."""
    case = turn.out.crisis
    if case is None:
        return None
    for step_id, task in case.tasks.items():
        if "@" in step_id or task.state not in (TaskState.OPEN, TaskState.CLAIMED):
            continue
        step = turn.playbook.step(step_id)
        if step.kind == StepKind.ASK and tasks.may_act(turn, by, step):
            return step, task
    return None
