"""Managing a task for others, from the dashboard (channel «panel») or from chat: hand a
task to a responsible, say it is not needed, add a note to the bitácora (issue 11, point 13).

Rights are those of chat (flows.tasks.may_act): declarers and coordinators act on any
task; a responsible acts on their own (takes it, hands over what they hold, says it is not
needed while nobody else holds it). Anyone the bot knows may add a note during a crisis.
Every refusal is told to the person who asked, in words; nothing changes then."""

from __future__ import annotations

from collections.abc import Callable

from flows import render
from flows.crisis import Task, TaskEvent, TaskState
from flows.messages import ActionKind
from flows.playbook import Step, StepMode
from flows.progress import arm_deadline, cancel_timers, refresh_cards
from flows.progress import skip as skip_task
from flows.tasks import nudge, refuse_if_inactive
from flows.world import Turn

NOTE_MAX = 1000  # characters kept of a note


def _manager(turn: Turn, by: str) -> bool:
    return turn.is_declarer(by) or turn.is_coordinator(by)


def assign(turn: Turn, by: str, step: Step, task: Task, to: str | None) -> None:
    """Give the task to `to` (a person id, one of its responsibles): `by` takes it for
    them, or hands it over from its current owner. The new owner is asked to act at once
    (a new message with the task's buttons); the previous owner is told; every card shows
    the new owner. Log kind "assigned" (data: to, owner = the previous owner or absent)."""
    if refuse_if_inactive(turn, by, step, task):
        return
    target = turn.directory.get(to) if to else None
    if step.mode == StepMode.EACH:
        turn.send_key(by, "assign_round", number=step.number)
        return
    if target is None or not turn.is_responsible(target.id, step):
        names = ", ".join(p.name for p in turn.responsibles(step))
        turn.send_key(by, "assign_not_responsible", number=step.number, names=names)
        return
    previous = task.owner if task.state == TaskState.CLAIMED else None
    if not _manager(turn, by) and target.id != by and previous != by:
        turn.send_key(by, "assign_not_allowed", number=step.number)
        return
    if previous == target.id:
        turn.send_key(by, "assign_already", number=step.number, name=target.name)
        return
    if previous is not None and not _manager(turn, by) and previous != by:
        turn.send_key(by, "taken_by", number=step.number, owner=render.who(turn.directory, previous, turn.lang_of(by)),
                      at=render.clock_time(task.claimed_at, turn.tz_of(by)) if task.claimed_at else "?")
        return
    if previous is None:
        task.move(TaskEvent.CLAIM)
    task.owner, task.claimed_at = target.id, turn.now
    task.asking, task.asked_at, task.checkin_pending = None, None, False
    if target.id in task.declined:
        task.declined.remove(target.id)
    cancel_timers(turn, step)
    arm_deadline(turn, step, task)
    data = {"to": target.id, **({"owner": previous} if previous else {})}
    turn.log("assigned", by, step.id, **data)
    if target.id != by:
        nudge(turn, step, task, target.id, "assigned_you", by=turn.person(by).name)
    if previous is not None and previous not in (by, target.id):
        turn.send_key(previous, "assigned_away", by=turn.person(by).name, number=step.number, title=step.title,
                      target=target.name)
    turn.send_key(by, "assigned_done", number=step.number, title=step.title, target=target.name)
    refresh_cards(turn, step, task, skip=target.id if target.id != by else None)


def not_needed(turn: Turn, by: str, step: Step, task: Task, reason: str | None) -> None:
    """Mark the task «no necesaria» with `reason` (required), as flows.progress.skip does:
    later steps go on as if it were done. Its owner, when someone else, is told."""
    if refuse_if_inactive(turn, by, step, task):
        return
    why = " ".join((reason or "").split())
    if not why:
        turn.send_key(by, "skip_reason_needed", number=step.number)
        return
    owner = task.owner if task.state == TaskState.CLAIMED else None
    if owner is not None and owner != by and not _manager(turn, by):
        turn.send_key(by, "not_owner", number=step.number)
        return
    skip_task(turn, step, task, by, why)
    turn.send_key(by, "skipped_you", number=step.number, title=step.title, reason=why)
    if owner is not None and owner != by:
        turn.send_key(owner, "skipped_yours", by=turn.person(by).name, number=step.number, title=step.title, reason=why)


def note(turn: Turn, by: str, text: str | None) -> None:
    """Add `text` to the bitácora of the open crisis (log kind "note", data: text)."""
    if turn.out.crisis is None:
        turn.send_key(by, "no_open_crisis")
        return
    body = (text or "").strip()[:NOTE_MAX]
    if not body:
        turn.send_key(by, "note_empty")
        return
    turn.log("note", by, text=body)
    turn.send_key(by, "note_added")


TASK_ACTIONS: dict[ActionKind, Callable[[Turn, str, Step, Task, str | None], None]] = {
    ActionKind.ASSIGN: assign,
    ActionKind.SKIP: not_needed,
}
"""Dashboard actions on one task, by ActionKind value; each takes the form's value."""
