"""The figures of a crisis report, computed from the crisis and its bitácora alone. Pure.

Definitions (also written in docs/web.md, and at the foot of every report):
- *time to take* a task: from its activation to the first time somebody took it
  ("Lo tomo", or "Hecho" straight away; for an all-staff round, the first «Leído»);
- *time to finish* it: from its activation to its completion;
- a task is *late* when it was done after the playbook's deadline (activation plus the
  step's `deadline`; a «Sigo en esto» extension does not move it), or was still not done
  when that deadline passed;
- *first response*: from the declaration to the first time anybody answered a task of
  the crisis (took it, acknowledged it, finished it or said they could not), leaving out
  the description the declarer owes from the start;
- *every task done*: from the declaration to the completion of the last task of the
  crisis phase (steps 1-7), when all of them were done;
- *on time*: tasks done before their deadline over the tasks that are over (done, not
  done, or past their deadline); tasks the bot does by itself do not count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flows.banner import is_bot_step
from flows.crisis import Crisis, CrisisState, Task, TaskState
from flows.directory import Directory
from flows.messages import LogEntry
from flows.playbook import Phase, Playbook, Step, StepMode

RESPONSE_KINDS = frozenset({"claimed", "acked", "completed", "completed_value", "gave_up", "still_on", "signed"})
ESCALATION_KINDS = frozenset({"escalated", "overdue", "checkin_escalated", "nobody_can"})


class Outcome(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"  # done after its deadline
    NOT_DONE = "not_done"  # cancelled: the crisis ended first
    OVERDUE = "overdue"  # still open past its deadline (the crisis is open)
    PENDING = "pending"  # still open, within its deadline
    AUTOMATIC = "automatic"  # done by the bot or by the declaration/closing itself


@dataclass(frozen=True)
class TaskFigures:
    step: Step
    task: Task
    responsibles: tuple[str, ...]  # person ids, from the roles of the step
    taken_by: tuple[str, ...]  # who took it, in order, who did it last (a round: who acknowledged it)
    activated_at: datetime | None
    taken_at: datetime | None
    done_at: datetime | None
    deadline_at: datetime | None  # the playbook's deadline, not extended
    reminder_times: tuple[datetime, ...]
    escalation_times: tuple[datetime, ...]
    checkins: int
    outcome: Outcome
    late: bool

    @property
    def reminders(self) -> int:
        return len(self.reminder_times)

    @property
    def escalations(self) -> int:
        return len(self.escalation_times)

    @property
    def time_to_take(self) -> timedelta | None:
        return _between(self.activated_at, self.taken_at)

    @property
    def time_to_finish(self) -> timedelta | None:
        return _between(self.activated_at, self.done_at)


@dataclass(frozen=True)
class SignOff:
    """The step that checks the others (step 7) and its signature, if given."""

    step: Step
    checked: tuple[TaskFigures, ...]
    signed_by: str | None
    signed_at: datetime | None


@dataclass(frozen=True)
class Report:
    crisis: Crisis
    playbook: Playbook
    entries: tuple[LogEntry, ...]
    now: datetime  # the time the figures were taken (an open crisis is measured until now)
    tasks: tuple[TaskFigures, ...]
    sign_offs: tuple[SignOff, ...]
    first_response_at: datetime | None
    all_done_at: datetime | None  # the last crisis task done, when all were
    crisis_tasks_missing: int  # crisis tasks not done
    on_time: int
    counted: int  # tasks that count for the share done on time

    @property
    def start(self) -> datetime:
        return self.crisis.declared_at

    @property
    def end(self) -> datetime | None:
        return self.crisis.closed_at

    @property
    def is_open(self) -> bool:
        return self.crisis.state != CrisisState.CLOSED

    @property
    def duration(self) -> timedelta:
        return (self.crisis.closed_at or self.now) - self.crisis.declared_at

    @property
    def closing_duration(self) -> timedelta | None:
        return _between(self.crisis.closing_at, self.crisis.closed_at)

    @property
    def time_to_first_response(self) -> timedelta | None:
        return _between(self.start, self.first_response_at)

    @property
    def time_to_all_done(self) -> timedelta | None:
        return _between(self.start, self.all_done_at)

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.counted if self.counted else None

    @property
    def reminders(self) -> int:
        return sum(t.reminders for t in self.tasks)

    @property
    def escalations(self) -> int:
        return sum(t.escalations for t in self.tasks)

    @property
    def timeline_end(self) -> datetime:
        return self.crisis.closed_at or self.now


def _between(start: datetime | None, end: datetime | None) -> timedelta | None:
    return end - start if start is not None and end is not None else None


def _entry_step(entry: LogEntry, playbook: Playbook) -> str | None:
    """The step an entry is about; a signature names the steps it checked, not its own."""
    step = entry.data.get("step")
    if isinstance(step, str):
        return step
    if entry.kind == "signed":
        checking = [s for s in playbook.steps if s.checks]
        return checking[0].id if len(checking) == 1 else None
    return None


def _figures(
    playbook: Playbook, directory: Directory, crisis: Crisis, step: Step, task: Task,
    entries: Sequence[LogEntry], now: datetime,
) -> TaskFigures:
    mine = [e for e in entries if _entry_step(e, playbook) == step.id]
    automatic = step.auto is not None or is_bot_step(playbook, step)
    if step.mode == StepMode.EACH:
        taken_by = tuple(task.acks)
        acks = [e.at for e in mine if e.kind == "acked"]
        taken_at = acks[0] if acks else None
    else:
        claims = [e for e in mine if e.kind == "claimed" and e.person]
        taken_by = tuple(dict.fromkeys([*(e.person for e in claims if e.person), *([task.owner] if task.owner else [])]))
        if task.state == TaskState.DONE and task.done_by and taken_by[-1:] != (task.done_by,):
            # who really did it comes last, even when somebody else held it (issue 11 point 4)
            taken_by = (*(p for p in taken_by if p != task.done_by), task.done_by)
        taken_at = claims[0].at if claims else task.claimed_at
    deadline = playbook.policy_for(step).deadline
    deadline_at = task.activated_at + deadline if task.activated_at and deadline else None
    done_at = task.done_at if task.state == TaskState.DONE else None
    if task.state == TaskState.DONE:
        late = deadline_at is not None and done_at is not None and done_at > deadline_at
    elif task.state == TaskState.CANCELLED:
        stopped = crisis.closing_at or crisis.closed_at or now
        late = deadline_at is not None and stopped > deadline_at
    else:
        late = deadline_at is not None and now > deadline_at
    if automatic and task.state == TaskState.DONE:
        outcome, late = Outcome.AUTOMATIC, False
    elif task.state == TaskState.DONE:
        outcome = Outcome.LATE if late else Outcome.ON_TIME
    elif task.state == TaskState.CANCELLED:
        outcome = Outcome.NOT_DONE
    else:
        outcome = Outcome.OVERDUE if late else Outcome.PENDING
    return TaskFigures(
        step=step, task=task, responsibles=tuple(p.id for p in directory.with_any_role(step.responsibles)),
        taken_by=taken_by, activated_at=task.activated_at, taken_at=taken_at, done_at=done_at, deadline_at=deadline_at,
        reminder_times=tuple(e.at for e in mine if e.kind == "reminder"),
        escalation_times=tuple(e.at for e in mine if e.kind in ESCALATION_KINDS),
        checkins=sum(e.kind == "checkin" for e in mine), outcome=outcome, late=late,
    )


def compute(crisis: Crisis, playbook: Playbook, directory: Directory, entries: Sequence[LogEntry], now: datetime) -> Report:
    """The report of a crisis from its state and its bitácora (in order), measured at `now`
    (only used while the crisis is still open)."""
    figures = tuple(
        _figures(playbook, directory, crisis, step, crisis.tasks[step.id], entries, now)
        for step in playbook.steps if step.id in crisis.tasks
    )
    by_step = {f.step.id: f for f in figures}
    own = {s.id for s in playbook.steps if s.claimed_by_declarer}
    responses = [
        e.at for e in entries
        if e.kind in RESPONSE_KINDS and e.person is not None and (step_id := _entry_step(e, playbook)) is not None
        and step_id not in own and step_id in by_step and by_step[step_id].step.phase == Phase.CRISIS
    ]
    crisis_tasks = [f for f in figures if f.step.phase == Phase.CRISIS]
    missing = sum(f.task.state != TaskState.DONE for f in crisis_tasks)
    done_times = [f.done_at for f in crisis_tasks if f.done_at is not None]
    counted = [f for f in figures if f.outcome not in (Outcome.AUTOMATIC, Outcome.PENDING)]
    sign_offs = []
    for f in figures:
        if f.step.checks:
            signed = [e for e in entries if e.kind == "signed" and _entry_step(e, playbook) == f.step.id]
            sign_offs.append(SignOff(
                step=f.step, checked=tuple(by_step[s] for s in f.step.checks if s in by_step),
                signed_by=signed[-1].person if signed else None, signed_at=signed[-1].at if signed else None,
            ))
    return Report(
        crisis=crisis, playbook=playbook, entries=tuple(entries), now=now, tasks=figures, sign_offs=tuple(sign_offs),
        first_response_at=min(responses) if responses else None,
        all_done_at=max(done_times) if crisis_tasks and not missing and done_times else None,
        crisis_tasks_missing=missing, on_time=sum(f.outcome == Outcome.ON_TIME for f in counted), counted=len(counted),
    )
