"""The score of a drill (issue 14 point 4): each step against its own deadline in the
playbook, who answered and who did not, what never reached people. Pure.

Rules (also in docs/drills-score.md):

- **Deadline** of a step: the step's `policy.deadline` (the playbook's default policy
  merged with the step's override, `Playbook.policy_for`), else its `escalate_after`, else
  none. Counted from the step's activation (`Task.activated_at`, UTC); a «Sigo en esto»
  extension does not move it.
- **Time taken**: activation → done (`Task.done_at`). An all-staff round (mode `each`) is
  done when everyone confirmed or somebody closed it for everyone.
- **Scored steps**: the crisis phase only (the closing phase is not reached by a drill
  that a real crisis ends, and would make the two kinds of ending incomparable). Left out:
  steps the bot does by itself (`auto`, the banner), steps not needed (`skipped`) and steps
  with no deadline. Every other step of the plan counts once, as the issue asks («the share
  of steps done within their deadline, each step counting the same»): within (done no later
  than its deadline) or not (done late, not done when the drill ended however much of its
  deadline was left, or never reached because the steps before it were not done). A drill
  ended early therefore scores low: what it did not rehearse is not counted as passed.
- **Overall score**: steps within their deadline / scored steps, each step the same;
  None when no step is scored.
- **First response** on a step: the first claim, «Leído», «Hecho», «Sigo en esto», «No
  puedo» or signature by anybody (the bitácora's `RESPONSE_KINDS`), with its time.
- **Never answered** on a step: its responsibles who sent none of those on it (on a step
  the declarer owns from the start, the declarer alone); nobody for a step never activated.
- **Per person**: messages that did not reach them (each `delivery_failed` or
  `whatsapp_failed` entry, plus the outbox rows still undelivered given as `queued`), and
  WhatsApp messages delivered but never read: `delivered` entries on WhatsApp minus the
  distinct `whatsapp_read` receipts (Twilio's status callbacks, handlers/whatsapp/status.py).
  The engine's own bitácora leaves `delivered` out (persistence/repository.py load_world),
  so a score computed in a turn counts no unread messages; the report's does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from flows.banner import is_bot_step
from flows.contact import DRILL_VIA, FAILURE_KINDS, Queued
from flows.crisis import Crisis, TaskState
from flows.directory import Directory
from flows.drill_injects import people_of
from flows.messages import GROUP, LogEntry
from flows.playbook import Phase, Playbook, Step, StepMode
from flows.report import RESPONSE_KINDS

WHATSAPP = "whatsapp"


class StepResult(StrEnum):
    WITHIN = "within"  # done no later than its deadline
    LATE = "late"  # done after its deadline
    NOT_DONE = "not_done"  # not done when the drill ended (however much of its deadline was left), or never reached
    NO_DEADLINE = "no_deadline"  # not scored
    NOT_NEEDED = "not_needed"  # skipped (not needed by the plan): not scored
    AUTOMATIC = "automatic"  # done by the bot: not scored


SCORED = frozenset({StepResult.WITHIN, StepResult.LATE, StepResult.NOT_DONE})


@dataclass(frozen=True)
class StepScore:
    step: Step
    deadline: timedelta | None  # from the playbook (see the module's rules)
    activated_at: datetime | None  # UTC
    done_at: datetime | None  # UTC, when done
    result: StepResult
    first_by: str | None  # person id of the first response
    first_at: datetime | None
    silent: tuple[str, ...]  # responsibles who never answered, in directory order

    @property
    def taken(self) -> timedelta | None:
        """Activation → done."""
        return self.done_at - self.activated_at if self.done_at and self.activated_at else None

    @property
    def late_by(self) -> timedelta | None:
        """How far past the deadline it was done (LATE), or the drill ended (NOT_DONE: None)."""
        if self.result == StepResult.LATE and self.taken is not None and self.deadline is not None:
            return self.taken - self.deadline
        return None

    @property
    def scored(self) -> bool:
        return self.result in SCORED


@dataclass(frozen=True)
class PersonDelivery:
    person: str
    undelivered: int  # messages that did not reach them on a channel (failures, plus still queued)
    unread: int  # WhatsApp messages delivered and never read


class ImproveKind(StrEnum):
    LATE = "late"  # a step done late: `amount` how late
    NOT_DONE = "not_done"  # a step not done by its deadline
    UNFINISHED = "unfinished"  # a step not done when the drill ended, its deadline still ahead
    NOT_REACHED = "not_reached"  # a step never activated: the steps it waits on were not done
    SILENT = "silent"  # a person who never answered: `steps` on which
    UNDELIVERED = "undelivered"  # messages that did not reach a person: `count`
    UNREAD = "unread"  # WhatsApp messages a person never read: `count`


@dataclass(frozen=True)
class Improvement:
    kind: ImproveKind
    step: Step | None = None
    person: str | None = None
    amount: timedelta | None = None
    deadline: timedelta | None = None
    count: int = 0
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class DrillScore:
    crisis_id: str
    steps: tuple[StepScore, ...]  # the crisis phase, in playbook order
    people: tuple[PersonDelivery, ...]  # only those with something undelivered or unread
    improve: tuple[Improvement, ...] = field(default=())

    @property
    def scored(self) -> tuple[StepScore, ...]:
        return tuple(s for s in self.steps if s.scored)

    @property
    def within(self) -> int:
        return sum(s.result == StepResult.WITHIN for s in self.steps)

    @property
    def share(self) -> float | None:
        """Steps within their deadline over scored steps (0..1); None with none scored."""
        return self.within / len(self.scored) if self.scored else None

    @property
    def percent(self) -> int | None:
        share = self.share
        return round(share * 100) if share is not None else None


def deadline_of(playbook: Playbook, step: Step) -> timedelta | None:
    """The step's deadline: `policy.deadline`, else `escalate_after`, else None."""
    policy = playbook.policy_for(step)
    return policy.deadline or policy.escalate_after


def _responses(entries: Sequence[LogEntry], playbook: Playbook) -> dict[str, list[LogEntry]]:
    checking = [s.id for s in playbook.steps if s.checks]
    by_step: dict[str, list[LogEntry]] = {}
    for e in entries:
        if e.kind not in RESPONSE_KINDS or e.person is None:
            continue
        step = e.data.get("step")
        if not isinstance(step, str) and e.kind == "signed" and len(checking) == 1:
            step = checking[0]  # a signature names the steps it checked, not its own (flows/report.py)
        if isinstance(step, str):
            by_step.setdefault(step, []).append(e)
    return by_step


def _step_score(
    playbook: Playbook, directory: Directory, crisis: Crisis, step: Step, answers: list[LogEntry], end: datetime,
    away: frozenset[str] = frozenset(),
) -> StepScore:
    task = crisis.tasks[step.id]
    deadline = deadline_of(playbook, step)
    done_at = task.done_at if task.state == TaskState.DONE else None
    if task.state == TaskState.SKIPPED:
        result = StepResult.NOT_NEEDED
    elif step.auto is not None or is_bot_step(playbook, step):
        result = StepResult.AUTOMATIC
    elif deadline is None:
        result = StepResult.NO_DEADLINE
    elif done_at is not None and task.activated_at is not None:
        result = StepResult.WITHIN if done_at - task.activated_at <= deadline else StepResult.LATE
    else:  # not done when the drill ended: past its deadline, still within it, or never reached
        result = StepResult.NOT_DONE
    if step.claimed_by_declarer:
        responsibles = [crisis.declared_by]
    else:
        responsibles = [p.id for p in directory.with_any_role(step.responsibles)]
    answered = {e.person for e in answers}
    if step.mode == StepMode.EACH:
        answered |= set(task.acks)
        if task.state == TaskState.DONE and task.done_by:
            answered.add(task.done_by)
    silent = () if task.activated_at is None or result == StepResult.NOT_NEEDED else tuple(
        p for p in responsibles if p not in answered and p not in away)
    first = answers[0] if answers else None
    return StepScore(step=step, deadline=deadline, activated_at=task.activated_at, done_at=done_at, result=result,
                     first_by=first.person if first else None, first_at=first.at if first else None, silent=silent)


def _taken_out(crisis: Crisis, playbook: Playbook, directory: Directory, end: datetime) -> frozenset[str]:
    """The people an `unavailable` inject took out of the drill before it ended: the drill's
    doing, not theirs, so never «never answered» (flows/drill_injects.py)."""
    return frozenset(p.id for inject in playbook.drill.injects
                     if inject.unavailable is not None and crisis.declared_at + inject.at <= end
                     for p in people_of(directory, inject.unavailable))


def _deliveries(entries: Iterable[LogEntry], queued: Iterable[Queued], directory: Directory) -> tuple[PersonDelivery, ...]:
    failed: dict[str, int] = {}
    delivered_wa: dict[str, int] = {}
    read: dict[str, set[str]] = {}
    for e in entries:
        to = e.data.get("to")
        if not isinstance(to, str) or to == GROUP:
            continue
        if e.kind in FAILURE_KINDS and e.data.get("via") == DRILL_VIA:
            continue  # not sent because an inject made them unavailable: the drill's doing
        if e.kind in FAILURE_KINDS:
            failed[to] = failed.get(to, 0) + 1
        elif e.kind == "delivered" and (e.data.get("via") or e.channel) == WHATSAPP:
            delivered_wa[to] = delivered_wa.get(to, 0) + 1
        elif e.kind == "whatsapp_read":
            read.setdefault(to, set()).add(str(e.data.get("sid") or id(e)))
    for q in queued:
        if q.to != GROUP:
            failed[q.to] = failed.get(q.to, 0) + 1
    order = {p.id: i for i, p in enumerate(directory.people)}
    people = sorted(set(failed) | set(delivered_wa), key=lambda p: (order.get(p, len(order)), p))
    rows = [PersonDelivery(p, failed.get(p, 0), max(0, delivered_wa.get(p, 0) - len(read.get(p, ())))) for p in people]
    return tuple(r for r in rows if r.undelivered or r.unread)


def _undone_kind(step: StepScore, end: datetime) -> ImproveKind:
    """Why a step not done counts against the drill: its deadline passed (NOT_DONE), the
    drill ended before it did (UNFINISHED), or it never started (NOT_REACHED)."""
    if step.activated_at is None:
        return ImproveKind.NOT_REACHED
    if step.deadline is not None and end - step.activated_at > step.deadline:
        return ImproveKind.NOT_DONE
    return ImproveKind.UNFINISHED


def _improve(steps: Sequence[StepScore], people: Sequence[PersonDelivery], directory: Directory,
             end: datetime) -> tuple[Improvement, ...]:
    """Late steps (latest first), steps not done, people who never answered where it
    mattered (an all-staff round, or a step nobody answered), then messages undelivered and
    unread (most first)."""
    late = sorted((s for s in steps if s.result == StepResult.LATE), key=lambda s: -(s.late_by or timedelta()).total_seconds())
    out = [Improvement(ImproveKind.LATE, step=s.step, amount=s.late_by, deadline=s.deadline) for s in late]
    undone = [(_undone_kind(s, end), s) for s in steps if s.result == StepResult.NOT_DONE]
    for kind in (ImproveKind.NOT_DONE, ImproveKind.UNFINISHED, ImproveKind.NOT_REACHED):
        out += [Improvement(kind, step=s.step, deadline=s.deadline) for k, s in undone if k == kind]
    silent: dict[str, list[Step]] = {}
    for s in steps:
        if s.result in (StepResult.NOT_NEEDED, StepResult.AUTOMATIC):
            continue
        if s.step.mode == StepMode.EACH or s.first_by is None:
            for person in s.silent:
                silent.setdefault(person, []).append(s.step)
    order = {p.id: i for i, p in enumerate(directory.people)}
    for person, where in sorted(silent.items(), key=lambda kv: (-len(kv[1]), order.get(kv[0], len(order)))):
        out.append(Improvement(ImproveKind.SILENT, person=person, steps=tuple(where)))
    out += [Improvement(ImproveKind.UNDELIVERED, person=p.person, count=p.undelivered)
            for p in sorted(people, key=lambda p: -p.undelivered) if p.undelivered]
    out += [Improvement(ImproveKind.UNREAD, person=p.person, count=p.unread)
            for p in sorted(people, key=lambda p: -p.unread) if p.unread]
    return tuple(out)


def score(
    crisis: Crisis, playbook: Playbook, log: Sequence[LogEntry], directory: Directory,
    now: datetime | None = None, queued: Iterable[Queued] = (),
) -> DrillScore:
    """The score of a drill from its state, its bitácora (in order; with the `delivered`
    entries for unread counts) and `queued`, its outbox rows still undelivered. A drill still
    open is measured at `now` (UTC; required then); an ended one at its FIN DE LA CRISIS
    (`closing_at`), else its `closed_at`. `playbook` is the copy frozen into the drill.
    Works on any crisis; nothing here checks `crisis.drill`."""
    end = crisis.closing_at or crisis.closed_at or now
    if end is None:
        raise ValueError("an open drill is measured at `now`")
    answers = _responses(log, playbook)
    away = _taken_out(crisis, playbook, directory, end)
    steps = tuple(
        _step_score(playbook, directory, crisis, step, answers.get(step.id, []), end, away)
        for step in playbook.steps_of(Phase.CRISIS) if step.id in crisis.tasks
    )
    people = _deliveries(log, queued, directory)
    return DrillScore(crisis_id=crisis.id, steps=steps, people=people, improve=_improve(steps, people, directory, end))
