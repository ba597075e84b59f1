"""What responsibles do with a task (take, finish, give up, acknowledge, answer) and
what timers do when nobody moves."""

from __future__ import annotations

from dataclasses import replace

from flows import confirm, inputs, render
from flows.cases import input_field
from flows.crisis import Task, TaskEvent, TaskState
from flows.matching import Intent, Reading
from flows.messages import GROUP, Action, ActionKind, Button, SetTimer, TimerKind
from flows.playbook import Step, StepKind, StepMode
from flows.progress import announce_card, arm_deadline, arm_unclaimed, cancel_timers, complete, refresh_cards
from flows.texts import t, tn
from flows.world import Turn


def nudge(turn: Turn, step: Step, task: Task, to: str, key: str, **kw: str) -> None:
    """A new message about a task (reminder, escalation...) that carries its buttons, so
    it can be answered where it is read. Coordinators may close an all-staff round."""
    crisis = turn.out.crisis
    assert crisis is not None
    lang = turn.lang_of(to)
    if step.mode == StepMode.EACH and (key.startswith("escalation") or not turn.is_responsible(to, step)):
        buttons: tuple[Button, ...] = (Button(t(lang, "btn_close_round"), Action.for_task(ActionKind.COMPLETE, crisis.id, step.id)),)
    else:
        buttons = render.task_buttons(crisis.id, step, task, to, lang)
    text = t(lang, key, number=step.number, title=step.title, **kw)
    if crisis.is_case:  # «tarea 3» alone is ambiguous to whoever holds several cases: name the case
        text += "\n" + t(lang, "cases.header", id=crisis.label, name=turn.playbook.name)
    turn.send(to, text, buttons, ref=f"nudge:{crisis.id}/{step.id}", kind="nudge")
    turn.out.messages[-1] = replace(turn.out.messages[-1], fresh=True)  # asks to act now: a new message


def _names(turn: Turn, step: Step) -> str:
    return ", ".join(p.name for p in turn.responsibles(step))


def may_act(turn: Turn, by: str, step: Step) -> bool:
    """Responsibles act on their task; a declarer or coordinator may act for them."""
    return turn.is_responsible(by, step) or turn.is_declarer(by) or turn.is_coordinator(by)


def refuse_if_inactive(turn: Turn, by: str, step: Step, task: Task) -> bool:
    """Tell `by` why nothing can be done with the task; True when refused."""
    if task.state == TaskState.DONE:
        tz, lang = turn.tz_of(by), turn.lang_of(by)
        turn.send_key(by, "already_done", number=step.number, by=render.who(turn.directory, task.done_by, lang),
                      at=render.clock_time(task.done_at, tz) if task.done_at else "?")
        return True
    if task.state == TaskState.CANCELLED:
        turn.send_key(by, "task_cancelled", number=step.number)
        return True
    if task.state == TaskState.SKIPPED:
        turn.send_key(by, "task_skipped", number=step.number, by=render.who(turn.directory, task.done_by, turn.lang_of(by)),
                      reason=task.skip_reason or "-")
        return True
    if task.state == TaskState.WAITING:
        tasks = turn.out.crisis.tasks if turn.out.crisis else None
        turn.send_key(by, "task_waiting", number=step.number,
                      after=render.waiting_for(turn.lang_of(by), turn.playbook, step, tasks))
        return True
    if not may_act(turn, by, step):
        turn.send_key(by, "not_responsible", number=step.number, names=_names(turn, step))
        return True
    return False


def claim(turn: Turn, by: str, step: Step, task: Task) -> None:
    if refuse_if_inactive(turn, by, step, task):
        return
    if step.mode == StepMode.EACH:
        acknowledge(turn, by, step, task)
        return
    if task.state == TaskState.CLAIMED:
        if task.owner == by:
            turn.send_key(by, "already_yours", number=step.number)
            return
        turn.log("claim_refused", by, step.id, owner=task.owner)
        turn.send_key(by, "taken_by", number=step.number, owner=render.who(turn.directory, task.owner, turn.lang_of(by)),
                      at=render.clock_time(task.claimed_at, turn.tz_of(by)) if task.claimed_at else "?")
        return
    task.move(TaskEvent.CLAIM)
    task.owner, task.claimed_at = by, turn.now
    cancel_timers(turn, step)
    arm_deadline(turn, step, task)
    turn.log("claimed", by, step.id, on_behalf=not turn.is_responsible(by, step))
    turn.send_key(by, "claimed_you", number=step.number, title=step.title)
    announce_card(turn, step, task, by)
    refresh_cards(turn, step, task, skip=by)


def finish(turn: Turn, by: str, step: Step, task: Task, value: str | None = None, confirmed: bool = False) -> None:
    """"Hecho": done at once, or first ask for the value the task records (unless the
    transport's form already brought it). On a task someone else holds, `by` is asked to
    confirm first (flows/confirm.py); `confirmed`: they did."""
    if refuse_if_inactive(turn, by, step, task):
        return
    if step.mode == StepMode.EACH:
        _finish_round(turn, by, step, task, confirmed)
        return
    if step.checks:
        crisis = turn.out.crisis
        assert crisis is not None
        pending = [turn.playbook.step(s).number for s in step.checks if not crisis.tasks[s].satisfied]
        if pending:
            turn.send(by, lambda lang: tn(lang, "checks_pending", len(pending), steps=", ".join(pending)))
            return
    if not confirmed and task.asking != by and confirm.ask_to_act(turn, by, step, task, ActionKind.COMPLETE):
        return  # (`by` already asked for the value: they confirmed; a form, like Slack's modal, brings it now)
    if step.input is not None and value is not None and value.strip():
        accepted = inputs.accept(step.input, value)
        if accepted is not None and not input_field.refused(turn, by, step, accepted):
            complete(turn, step, task, by, accepted)
            return
        if accepted is None:
            inputs.refuse(turn, by, step, value)  # asked again below, in chat
        if turn.channel == confirm.PANEL:  # the dashboard's form asks again itself: nothing taken, nothing asked in chat
            return
    if step.input is not None:
        if task.state == TaskState.OPEN:
            task.move(TaskEvent.CLAIM)
            task.owner, task.claimed_at = by, turn.now
            cancel_timers(turn, step)
            arm_deadline(turn, step, task)
            turn.log("claimed", by, step.id, on_behalf=not turn.is_responsible(by, step))
            refresh_cards(turn, step, task, skip=by)
        task.asking, task.asked_at = by, turn.now
        inputs.ask(turn, by, step)
        return
    complete(turn, step, task, by)


def _finish_round(turn: Turn, by: str, step: Step, task: Task, confirmed: bool) -> None:
    """«Hecho» on an all-staff round: a responsible's own «Leído»; from a coordinator or
    declarer, closing it for everyone, which is asked first unless `confirmed` (the
    escalation's explicit «Dar por cumplido» button, the answer to the question) or on the
    dashboard (it confirms in the browser). The closer counts as having read it, so he is
    never among those missing (F1 review of issue 11 point 7)."""
    if not (turn.is_coordinator(by) or turn.is_declarer(by)):
        acknowledge(turn, by, step, task)
        return
    others_missing = [p for p in turn.responsibles(step) if p.id not in task.acks and p.id != by]
    if not others_missing:  # nobody else is missing: his own «Leído» completes it
        acknowledge(turn, by, step, task)
        return
    acked_now = turn.is_responsible(by, step) and by not in task.acks
    if acked_now:
        task.acks.append(by)
        turn.log("acked", by, step.id)
    if confirmed or turn.channel == confirm.PANEL:
        complete(turn, step, task, by)  # closes the round for everyone
    else:
        confirm.ask_close_round(turn, by, step, task, acked_now)


def answer(turn: Turn, by: str, step: Step, task: Task, text: str) -> None:
    assert step.input is not None
    if task.state == TaskState.DONE:  # «corregir 2» asked for the new value
        inputs.correct(turn, by, step, task, text)
        return
    value = inputs.accept(step.input, text)
    if value is None:  # nothing recorded: asked again, with the example (flows/inputs.py)
        inputs.refuse(turn, by, step, text)
        return
    if input_field.refused(turn, by, step, value):  # a case field's kind (a phone, a date): said why
        return
    complete(turn, step, task, by, value)


def give_up(turn: Turn, by: str, step: Step, task: Task) -> None:
    if refuse_if_inactive(turn, by, step, task):
        return
    if task.state == TaskState.CLAIMED and task.owner != by:
        if (turn.is_declarer(by) or turn.is_coordinator(by)) and confirm.ask_to_act(turn, by, step, task, ActionKind.GIVE_UP):
            return  # a manager may take it off its owner, once confirmed (`release`)
        turn.send_key(by, "not_owner", number=step.number)
        return
    if by not in task.declined:
        task.declined.append(by)
    turn.log("gave_up", by, step.id)
    turn.send_key(by, "gave_up_you", number=step.number)
    if task.state == TaskState.CLAIMED:
        _unclaim(turn, step, task)
        announce_card(turn, step, task, by)
    _ask_others(turn, step, task, left_by=by)


def _unclaim(turn: Turn, step: Step, task: Task) -> None:
    """A claimed task goes back to open: no owner, nothing asked, its reminders start again."""
    task.move(TaskEvent.RELEASE)
    task.owner, task.claimed_at, task.asking, task.asked_at, task.checkin_pending = None, None, None, None, False
    task.kept = False  # open to the step's role again: every responsible gets the card
    cancel_timers(turn, step)
    arm_unclaimed(turn, step, task)


def _ask_others(turn: Turn, step: Step, task: Task, left_by: str) -> None:
    """After `left_by` left the task: the responsibles who have not declined it are asked
    to take it; with none left, it is escalated («nobody_can»)."""
    others = [p for p in turn.responsibles(step) if p.id not in task.declined]
    if not others:
        escalate(turn, step, "nobody_can", "nobody_can")
        return
    for person in others:
        nudge(turn, step, task, person.id, "gave_up_others", who=turn.person(left_by).name)


def release(turn: Turn, by: str, step: Step, task: Task) -> None:
    """A declarer or coordinator, having confirmed it, takes a task off its owner («No
    puedo» on a task someone else holds): the owner is told, the other responsibles are
    asked to take it, its reminders start again. Log kind "released" (data: owner)."""
    owner = task.owner
    if refuse_if_inactive(turn, by, step, task):
        return
    if task.state != TaskState.CLAIMED or owner is None or owner == by:
        give_up(turn, by, step, task)
        return
    if not (turn.is_declarer(by) or turn.is_coordinator(by)):
        turn.send_key(by, "not_owner", number=step.number)
        return
    if owner not in task.declined:
        task.declined.append(owner)
    _unclaim(turn, step, task)
    turn.log("released", by, step.id, owner=owner)
    turn.send_key(by, "safety.released_you", number=step.number)
    turn.send_key(owner, "safety.released_owner", by=turn.person(by).name, number=step.number, title=step.title)
    announce_card(turn, step, task, owner)
    _ask_others(turn, step, task, left_by=owner)


def acknowledge(turn: Turn, by: str, step: Step, task: Task) -> None:
    if step.mode != StepMode.EACH:
        turn.send_key(by, "ack_not_needed", number=step.number)
        return
    if refuse_if_inactive(turn, by, step, task):
        return
    if by in task.acks:
        turn.send_key(by, "already_acked", number=step.number)
        return
    task.acks.append(by)
    turn.log("acked", by, step.id)
    turn.send_key(by, "acked_you", number=step.number)
    if all(p.id in task.acks for p in turn.responsibles(step)):
        complete(turn, step, task, by)


def still_on(turn: Turn, by: str, step: Step, task: Task) -> None:
    if refuse_if_inactive(turn, by, step, task):
        return
    if task.state != TaskState.CLAIMED or task.owner != by:
        turn.send_key(by, "not_owner", number=step.number)
        return
    crisis = turn.out.crisis
    assert crisis is not None
    policy = turn.policy_for(step)
    task.checkin_pending = False
    task.deadline_at = turn.now + policy.extend_by
    cancel_timers(turn, step)
    turn.out.timer_ops.append(SetTimer(crisis.id, step.id, TimerKind.DEADLINE, task.deadline_at))
    turn.log("still_on", by, step.id)
    turn.send_key(by, "still_on_you", at=render.clock_time(task.deadline_at, turn.tz_of(by)))


def my_tasks(turn: Turn, by: str) -> None:
    """The person's open tasks, each as its card with buttons."""
    mine = [
        (step, task) for step, task in turn.task_pairs()
        if task.state in (TaskState.OPEN, TaskState.CLAIMED) and turn.is_responsible(by, step)
        and (step.mode == StepMode.ANY and task.owner in (None, by) or step.mode == StepMode.EACH and by not in task.acks)
    ]
    if not mine:
        turn.send_key(by, "my_tasks_none")
        return
    turn.send_key(by, "my_tasks_head")
    for step, task in mine:
        announce_card(turn, step, task, by)
        # asked for now: new messages below the heading, not edits of the cards far up
        turn.out.messages[-1] = replace(turn.out.messages[-1], fresh=True)


TASK_ACTIONS = {
    ActionKind.CLAIM: claim,
    ActionKind.COMPLETE: finish,
    ActionKind.GIVE_UP: give_up,
    ActionKind.ACK: acknowledge,
    ActionKind.STILL_ON: still_on,
}


# timers ------------------------------------------------------------------


def escalate(turn: Turn, step: Step, key: str, log_kind: str, about: str | None = None, missing: list[str] | None = None,
             **kw: str) -> None:
    """Tell the coordinating roles, with the task's buttons so they can act at once.

    `about`: the person the escalation is about (the owner who does not answer); nobody is
    escalated about themselves (issue 11, point 7). When that leaves no coordinator, the
    declarers are told; when nobody at all is left, the group is (never silence).
    `missing`: person ids still to answer a round, said to each as `pending` without
    themselves (a coordinator is never told he is missing: pressing «Dar por cumplido»
    counts as his «Leído»)."""
    task = turn.out.crisis.tasks[step.id] if turn.out.crisis else None
    assert task is not None
    policy = turn.policy_for(step)
    targets = [p for p in turn.directory.with_any_role(policy.escalate_to or turn.playbook.coordinators) if p.id != about]
    if not targets:
        targets = [p for p in turn.directory.with_any_role(turn.playbook.declarers) if p.id != about]
    task.escalations += 1
    if not targets:
        turn.log(log_kind, None, step.id, names=t(turn.world.group_lang, "term_group"), **kw)
        turn.log("escalation_alone", None, step.id)
        turn.send(GROUP, lambda lang: t(lang, "escalation_alone", text=t(lang, key, number=step.number, title=step.title,
                                                                          **kw).removeprefix("🔺 ")), kind="nudge")
        return
    turn.log(log_kind, None, step.id, names=", ".join(p.name for p in targets), **kw)
    for person in targets:
        if missing is not None:
            others = [p.name for p in turn.responsibles(step) if p.id in missing and p.id != person.id]
            kw["pending"] = ", ".join(others) or t(turn.lang_of(person.id), "rounds.only_you")
        nudge(turn, step, task, person.id, key, **kw)


def fire(turn: Turn, step: Step, task: Task, kind: TimerKind, seq: int) -> None:
    """A timer came due. It acts only if the task is still in the state it was set for."""
    elapsed = render.age(turn.now - task.activated_at, turn.world.group_lang) if task.activated_at else "?"
    if kind == TimerKind.REMIND and task.state == TaskState.OPEN:
        waiting = [p for p in turn.responsibles(step) if p.id not in task.declined and p.id not in task.acks]
        task.reminders += 1
        turn.log("reminder", None, step.id, seq=seq, names=", ".join(p.name for p in waiting))
        key = "reminder_each" if step.mode == StepMode.EACH else "reminder"
        for person in waiting:
            nudge(turn, step, task, person.id, key, age=render.age(turn.now - (task.activated_at or turn.now), turn.lang_of(person.id)))
    elif kind == TimerKind.ESCALATE and task.state == TaskState.OPEN:
        if step.mode == StepMode.EACH:
            missing = [p for p in turn.responsibles(step) if p.id not in task.acks]
            escalate(turn, step, "escalation_each", "escalated", age=elapsed, pending=", ".join(p.name for p in missing),
                     missing=[p.id for p in missing])
        else:
            escalate(turn, step, "escalation", "escalated", age=elapsed, pending=_names(turn, step))
    elif kind == TimerKind.DEADLINE and task.state == TaskState.OPEN:
        escalate(turn, step, "overdue_open", "overdue")
    elif kind == TimerKind.DEADLINE and task.state == TaskState.CLAIMED and task.owner:
        crisis = turn.out.crisis
        assert crisis is not None
        task.checkin_pending = True
        policy = turn.policy_for(step)
        turn.out.timer_ops.append(SetTimer(crisis.id, step.id, TimerKind.CHECKIN, turn.now + policy.checkin_grace))
        turn.log("checkin", None, step.id, owner=task.owner)
        if step.input is not None and task.value is None:  # ask for what is missing, not «¿sigues en esto?»
            task.asking, task.asked_at = task.owner, turn.now
            nudge(turn, step, task, task.owner, "checkin_input", label=step.input.label, prompt=step.input.prompt)
        elif step.kind == StepKind.ASK:  # its numbers pick options: «1» is not «Sigo en esto» here
            nudge(turn, step, task, task.owner, "checkin_ask.question", case=crisis.label)
        else:
            nudge(turn, step, task, task.owner, "checkin")
    elif kind == TimerKind.CHECKIN and task.state == TaskState.CLAIMED and task.checkin_pending and task.owner:
        overdue = render.age(turn.now - task.deadline_at, turn.world.group_lang) if task.deadline_at else "?"
        owner = turn.person(task.owner).name
        if step.input is not None and task.value is None:
            escalate(turn, step, "checkin_escalation_input", "checkin_escalated", about=task.owner, owner=owner,
                     age=overdue, label=step.input.label)
        else:
            escalate(turn, step, "checkin_escalation", "checkin_escalated", about=task.owner, owner=owner, age=overdue)


def act_on_step(turn: Turn, by: str, reading: Reading) -> bool:
    """«hecho 3», «tomo 3», «corregir 3[: valor]» on the live task of the step numbered
    `reading.step` (of the crisis or the case in `turn`); False when no such task is live."""
    crisis = turn.out.crisis
    target = next((s for s in turn.playbook.steps if s.number.lower() == reading.step), None)
    if crisis is None or target is None or target.id not in crisis.tasks:
        return False
    task = crisis.tasks[target.id]
    if reading.intent == Intent.CORRECT and reading.rest:
        inputs.correct(turn, by, target, task, reading.rest)
    elif reading.intent == Intent.CORRECT:
        inputs.ask_correction(turn, by, target, task)
    else:
        TASK_ACTIONS[ActionKind(reading.verb)](turn, by, target, task)
    return True
