"""Task progress: activation with its timers, cards, completion and the end of a crisis."""

from __future__ import annotations

from flows import banner, panel, render
from flows.closing import closed_summary
from flows.crisis import CrisisEvent, CrisisState, Task, TaskEvent, TaskState
from flows.messages import GROUP, CancelTimers, SetTimer, TimerKind
from flows.playbook import Phase, Step, StepMode
from flows.world import Turn


def announce_card(turn: Turn, step: Step, task: Task, to: str) -> None:
    crisis = turn.out.crisis
    assert crisis is not None
    lang, tz = turn.lang_of(to), turn.tz_of(to)
    text = render.card_text(crisis, turn.playbook, turn.directory, step, task, to, lang, tz)
    buttons = render.task_buttons(crisis.id, step, task, to, lang)
    turn.send(to, text, buttons, ref=f"card:{crisis.id}/{step.id}", kind="card")


def refresh_cards(turn: Turn, step: Step, task: Task, skip: str | None = None) -> None:
    """Show every responsible the card as it is now (a rich transport updates in place).
    A case step kept by whoever acted (taken as it started, flows/cases/routing.py
    `keep_with`) was shown to them alone: only they see it redrawn (Slack would post the
    others a card they never had)."""
    for person in turn.responsibles(step):
        if person.id != skip and (not task.kept or person.id == task.owner):
            announce_card(turn, step, task, person.id)


def post_summary(turn: Turn) -> None:
    crisis = turn.out.crisis
    if crisis is not None:
        turn.send(GROUP, lambda lang: render.summary_text(crisis, turn.now, lang), ref=f"summary:{crisis.id}", kind="summary")


def arm_unclaimed(turn: Turn, step: Step, task: Task) -> None:
    """Reminders and escalation for a task nobody holds, counted from now."""
    crisis = turn.out.crisis
    assert crisis is not None
    policy = turn.policy_for(step)
    for seq, delay in enumerate(policy.remind_after, start=1):
        turn.out.timer_ops.append(SetTimer(crisis.id, step.id, TimerKind.REMIND, turn.now + delay, seq))
    if policy.escalate_after is not None:
        turn.out.timer_ops.append(SetTimer(crisis.id, step.id, TimerKind.ESCALATE, turn.now + policy.escalate_after))
    if task.deadline_at is not None and step.mode == StepMode.ANY:
        turn.out.timer_ops.append(SetTimer(crisis.id, step.id, TimerKind.DEADLINE, max(task.deadline_at, turn.now)))


def arm_deadline(turn: Turn, step: Step, task: Task) -> None:
    """A claimed task still has a deadline; past it the owner is asked to check in."""
    crisis = turn.out.crisis
    assert crisis is not None
    if task.deadline_at is None:
        return
    policy = turn.policy_for(step)
    due = task.deadline_at if task.deadline_at > turn.now else turn.now + policy.checkin_grace
    turn.out.timer_ops.append(SetTimer(crisis.id, step.id, TimerKind.DEADLINE, due))


def cancel_timers(turn: Turn, step: Step) -> None:
    crisis = turn.out.crisis
    assert crisis is not None
    turn.out.timer_ops.append(CancelTimers(crisis.id, step.id))


def activate(turn: Turn, step: Step, task: Task, by: str, cards: bool = True) -> None:
    task.move(TaskEvent.ACTIVATE)
    task.activated_at = turn.now
    deadline = turn.policy_for(step).deadline
    task.deadline_at = turn.now + deadline if deadline else None
    if banner.is_bot_step(turn.playbook, step):
        banner.mark_done(turn, step, task)
        return
    if step.auto is not None:
        task.move(TaskEvent.COMPLETE)
        task.done_at, task.done_by = turn.now, by
        turn.log("completed", by, step.id)
        return
    if step.claimed_by_declarer and turn.is_responsible(by, step):
        task.move(TaskEvent.CLAIM)
        task.owner, task.claimed_at = by, turn.now
        arm_deadline(turn, step, task)
        if step.input:
            task.asking, task.asked_at = by, turn.now
    else:
        arm_unclaimed(turn, step, task)
    if step.after:
        turn.log("activated", None, step.id)
    if not step.claimed_by_declarer and cards:  # (`cards` False: the caller shows it, flows/cases/routing.py)
        refresh_cards(turn, step, task)


def activate_ready(turn: Turn, by: str) -> None:
    """Activate waiting tasks whose `after` steps are all done."""
    crisis = turn.out.crisis
    assert crisis is not None
    for step, task in turn.task_pairs():
        if task.state == TaskState.WAITING and all(
            crisis.tasks[s].satisfied for s in step.after if s in crisis.tasks
        ):
            activate(turn, step, task, by)


def spawn(turn: Turn, phase: Phase, by: str, not_needed: dict[str, str] | None = None) -> None:
    """Create the phase's tasks and start those ready. `not_needed` (step id -> reason)
    start «no necesaria», before anything is activated: no card, no timers (a closing
    step that undoes what was never done, flows/lifecycle.py)."""
    crisis = turn.out.crisis
    assert crisis is not None
    for step in turn.playbook.steps_of(phase):
        crisis.tasks[step.id] = Task(step_id=step.id, state=TaskState.WAITING)
    for step in turn.playbook.steps_of(phase):
        if not_needed and step.id in not_needed:
            mark_skipped(turn, step, crisis.tasks[step.id], None, not_needed[step.id])
    for step in turn.playbook.steps_of(phase):
        task = crisis.tasks[step.id]
        if not step.after and task.state == TaskState.WAITING:
            activate(turn, step, task, by)
    activate_ready(turn, by)


def complete(turn: Turn, step: Step, task: Task, by: str, value: str | None = None) -> None:
    """Mark a task done, tell who needs to know, and move the crisis on."""
    crisis = turn.out.crisis
    assert crisis is not None
    previous_owner = task.owner
    task.move(TaskEvent.COMPLETE)
    task.done_at, task.done_by, task.value = turn.now, by, value
    task.asking, task.checkin_pending = None, False
    if task.owner is None and step.mode == StepMode.ANY:
        task.owner, task.claimed_at = by, turn.now
    cancel_timers(turn, step)
    on_behalf = step.mode == StepMode.ANY and not turn.is_responsible(by, step)
    if step.input and value is not None:
        turn.log("completed_value", by, step.id, label=step.input.label, value=value, on_behalf=on_behalf)
        turn.send_key(by, "done_you_value", number=step.number, title=step.title, label=step.input.label, value=value)
    elif step.checks:
        turn.log("signed", by, steps=", ".join(turn.playbook.step(s).number for s in step.checks),
                 owner=previous_owner if previous_owner != by else None)
        turn.send_key(by, "signed_you")
    elif step.mode == StepMode.EACH:
        if turn.is_responsible(by, step) and by in task.acks and all(p.id in task.acks for p in turn.responsibles(step)):
            turn.log("all_acked", None, step.id)
        else:
            turn.log("round_closed", by, step.id, missing=len([p for p in turn.responsibles(step) if p.id not in task.acks]))
            turn.send_key(by, "round_closed_you", number=step.number)
    else:
        turn.log("completed", by, step.id, on_behalf=on_behalf)
        turn.send_key(by, "done_you", number=step.number, title=step.title)
    if previous_owner and previous_owner != by:
        turn.send_key(previous_owner, "signed_for_you" if step.checks else "done_for_you", by=turn.person(by).name,
                      number=step.number, title=step.title)
    if step.input and step.input.broadcast and value and value != crisis.description:
        crisis.description = value if not crisis.description else f"{crisis.description}\n{value}"
        turn.send_key(GROUP, "description_shared", by=turn.person(by).name, text=value)
    if not step.claimed_by_declarer:
        refresh_cards(turn, step, task)  # the actor's card too: no stale buttons anywhere
        if not turn.is_responsible(by, step):
            announce_card(turn, step, task, by)
    if crisis.is_case:
        _route_case(turn, step, task, by)
        return
    activate_ready(turn, by)
    finish_if_done(turn)


def skip(turn: Turn, step: Step, task: Task, by: str | None, reason: str) -> None:
    """Mark a task «no necesaria» (`by`: who decided; None: the bot, from the playbook),
    tell who needs to know, and move the crisis on as if it were done."""
    crisis = turn.out.crisis
    assert crisis is not None
    mark_skipped(turn, step, task, by, reason)
    cancel_timers(turn, step)
    if not step.claimed_by_declarer and step.auto is None:
        refresh_cards(turn, step, task)
    if crisis.is_case:
        _route_case(turn, step, task, by)
        return
    activate_ready(turn, by or crisis.declared_by)
    finish_if_done(turn)


def _route_case(turn: Turn, step: Step, task: Task, by: str | None) -> None:
    """A case goes where its graph says instead (flows/cases/routing.py)."""
    from flows.cases import routing  # flows.cases builds on this module

    routing.advance(turn, step, task, by)


def mark_skipped(turn: Turn, step: Step, task: Task, by: str | None, reason: str) -> None:
    """Only the state and the bitácora line of «no necesaria» (see `skip`)."""
    task.move(TaskEvent.SKIP)
    task.done_at, task.done_by, task.skip_reason = turn.now, by, reason
    task.asking, task.asked_at, task.checkin_pending = None, None, False
    turn.log("skipped", by, step.id, reason=reason)


def finish_if_done(turn: Turn) -> None:
    crisis = turn.out.crisis
    if crisis is None or crisis.state != CrisisState.CLOSING:
        return
    closing = [crisis.tasks[s.id] for s in turn.playbook.steps_of(Phase.CLOSING)]
    if not all(task.finished for task in closing):
        return
    crisis.move(CrisisEvent.FINISH)
    crisis.closed_at = turn.now
    if crisis.drill:  # its injects not yet due never fire (issue 14 point 3)
        from flows.drill_injects import stop

        stop(turn)
    turn.log("closed", None)
    entries = [*turn.world.log, *turn.out.log]
    link = panel.report_url(turn, crisis.id)

    def report(lang: str) -> str:  # short: no bitácora, no receipts, no server command (issue 11, point 6)
        return closed_summary(crisis, turn.playbook, entries, lang, turn.tz, link)

    turn.send(GROUP, report, ref=f"report:{crisis.id}", kind="report")
    if crisis.drill:  # its score to the declarer and coordinators (issue 14 point 4)
        from flows.drill_summary import send_score

        send_score(turn, entries)
