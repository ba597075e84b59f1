"""Where a case goes (issue 12, point 3): entering a step, routing out of it, waits, the end.

Routing out of a finished step: an `ask` option's `goto` first, then the first `next`
whose `when` holds (no `when`: always), else the following step in the file. A step
entered again (a loop back) archives the finished task under "<step>@<visit>" and starts
a fresh one (visit + 1) under the step id (flows/crisis.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flows import conditions, progress
from flows.cases import due, values
from flows.crisis import CrisisEvent, Task, TaskEvent, TaskState
from flows.messages import CancelTimers, SetTimer, TimerKind
from flows.playbook import Option, Playbook, Step, StepKind, StepMode
from flows.world import Turn


def next_step(playbook: Playbook, step: Step, fields: dict[str, Any], option: Option | None = None) -> Step | None:
    """The step a case goes to after `step` (module docstring); None when the file ends.
    A `when` that does not parse (`crisisbot check` reports it) never holds."""
    if option is not None and option.goto:
        return playbook.step(option.goto)
    for transition in step.next:
        if transition.when is None or _holds(transition.when, fields):
            return playbook.step(transition.goto)
    return playbook.following(step)


def _holds(source: str, fields: dict[str, Any]) -> bool:
    try:
        return conditions.parse(source).evaluate(fields)
    except conditions.ConditionError:
        return False


def record(turn: Turn, step: Step, value: Any) -> None:
    """Store what `step` recorded in the case field it names (typed by the field when the
    playbook defines it; as written when it does not fit), then set the due time if the
    rule's field just got its value."""
    case = turn.out.crisis
    assert case is not None
    name = step.answer_field
    field = turn.playbook.fields_by_id.get(name)
    if field is not None and isinstance(value, str):
        try:
            value = values.parse_value(field, value, turn.tz, turn.now)
        except values.FieldValueError:
            pass
    case.fields[name] = value
    if due.apply(turn.playbook, case):
        turn.log("case_due", None, at=case.due_at.astimezone(turn.tz).strftime("%d/%m %H:%M") if case.due_at else "?")


def advance(turn: Turn, step: Step, task: Task, by: str | None, option: Option | None = None) -> None:
    """`step` is finished (done, answered, skipped, its wait over): record its value, then
    enter the next step (or close the case when the file ends there)."""
    case = turn.out.crisis
    assert case is not None and case.is_case
    if step.kind == StepKind.TASK and step.input is not None and task.value is not None and task.state == TaskState.DONE:
        record(turn, step, task.value)
    target = next_step(turn.playbook, step, case.fields, option)
    if target is None:
        close(turn, step, by)
        return
    enter(turn, target, by)


def enter(turn: Turn, step: Step, by: str | None) -> None:
    """Start `step` on the case: a task or question is activated as in seed 000 (cards,
    reminders, escalation); a wait sets its WAIT timer; an end closes the case."""
    case = turn.out.crisis
    assert case is not None
    previous = case.tasks.get(step.id)
    visit = 1
    if previous is not None:
        if not previous.finished:
            _cancel(turn, step, previous)
        case.tasks[f"{step.id}@{previous.visit}"] = previous
        visit = previous.visit + 1
    task = Task(step_id=step.id, state=TaskState.WAITING, visit=visit)
    case.tasks[step.id] = task
    actor = by or case.declared_by
    if visit > 1:
        turn.log("case_again", None, step.id, visit=visit)
    if step.kind == StepKind.END:
        task.move(TaskEvent.ACTIVATE)
        task.activated_at = turn.now
        task.move(TaskEvent.COMPLETE)
        task.done_at, task.done_by = turn.now, by
        close(turn, step, by)
    elif step.kind == StepKind.WAIT:
        task.move(TaskEvent.ACTIVATE)
        task.activated_at = turn.now
        assert step.wait is not None
        turn.out.timer_ops.append(SetTimer(case.id, step.id, TimerKind.WAIT, turn.now + step.wait))
        turn.log("case_waiting", None, step.id, until=(turn.now + step.wait).astimezone(turn.tz).strftime("%d/%m %H:%M"))
    else:
        turn.log("activated", None, step.id)
        keeper = _keeper(turn, step, by)
        mark = len(turn.out.messages)
        progress.activate(turn, step, task, actor, cards=keeper is None)
        if keeper is not None and task.state == TaskState.OPEN:
            keep_with(turn, step, task, keeper)
        elif keeper is not None and task.state == TaskState.CLAIMED:
            progress.announce_card(turn, step, task, keeper)  # claimed_by_declarer: the opener's, shown to them
        if visit > 1:  # a loop back: the step's cards are new, in full (a phone would show a redraw's one line)
            ref = f"card:{case.id}/{step.id}"
            for i in range(mark, len(turn.out.messages)):
                if turn.out.messages[i].ref == ref:
                    turn.out.messages[i] = replace(turn.out.messages[i], fresh=True)


def _keeper(turn: Turn, step: Step, by: str | None) -> str | None:
    """Who keeps the case at `step`: the person who just acted, when they hold one of its
    roles (the front-desk adviser answers every question of the customer in front of them);
    None when the case is handed over to the step's role (cards to all its people)."""
    if by is None or step.mode != StepMode.ANY or not turn.is_responsible(by, step):
        return None
    return by


def keep_with(turn: Turn, step: Step, task: Task, person: str) -> None:
    """The task is taken by `person` as it starts: no other card, its reminders replaced by
    the owner's deadline (seed 000's machinery), their card shown to them alone."""
    task.move(TaskEvent.CLAIM)
    task.owner, task.claimed_at, task.kept = person, turn.now, True
    turn.out.timer_ops.append(CancelTimers(turn.out.crisis.id if turn.out.crisis else "", step.id))
    progress.arm_deadline(turn, step, task)
    turn.log("claimed", person, step.id, kept=True)
    progress.announce_card(turn, step, task, person)


def _cancel(turn: Turn, step: Step, task: Task) -> None:
    task.move(TaskEvent.CANCEL)
    task.asking, task.checkin_pending = None, False
    turn.out.timer_ops.append(CancelTimers(turn.out.crisis.id if turn.out.crisis else "", step.id))


def wait_over(turn: Turn, step: Step, task: Task) -> None:
    """A WAIT timer fired: the wait is done (the log says so) and the case goes on."""
    if step.kind != StepKind.WAIT or task.state != TaskState.OPEN:
        return
    task.move(TaskEvent.COMPLETE)
    task.done_at = turn.now
    turn.log("case_wait_over", None, step.id)
    advance(turn, step, task, None)


def close(turn: Turn, step: Step, by: str | None) -> None:
    """The case ends at `step` (CrisisEvent.END): `outcome` is its id, every unfinished
    task is cancelled and every pending timer with it; the opener and whoever acted last
    are told «Caso R-12 cerrado: <outcome>»."""
    case = turn.out.crisis
    assert case is not None
    for key, task in case.tasks.items():
        if not task.finished:
            task.move(TaskEvent.CANCEL)
            task.asking, task.checkin_pending = None, False
        if "@" not in key:
            turn.out.timer_ops.append(CancelTimers(case.id, key))
    case.move(CrisisEvent.END)
    case.closed_at, case.outcome = turn.now, step.id
    outcome = step.outcome or step.title
    turn.log("case_closed", by, step.id, outcome=outcome)
    for person in dict.fromkeys(p for p in (case.declared_by, by) if p is not None):
        if turn.directory.get(person) is not None:
            turn.send_key(person, "cases.closed", id=case.label, outcome=outcome)

