"""Crisis state: crises, tasks and proposals, and the tables of their allowed moves.

The tables are data (pytransitions style): every move not listed is illegal, and
`move()` is the only way a state changes, so the tables can be tested exhaustively.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar


class IllegalMove(Exception):
    def __init__(self, machine: str, state: str, event: str) -> None:
        super().__init__(f"{machine}: '{event}' is not allowed from '{state}'")
        self.state = state
        self.event = event


class CrisisState(StrEnum):
    ACTIVE = "active"
    CLOSING = "closing"
    CLOSED = "closed"


class CrisisEvent(StrEnum):
    CLOSE = "close"  # FIN DE LA CRISIS: closing tasks spawned
    FINISH = "finish"  # every closing task done: the report is out
    END = "end"  # a case reached an `end` step (flows/cases): closed at once, no closing phase


class TaskState(StrEnum):
    WAITING = "waiting"  # its `after` steps are not done yet
    OPEN = "open"
    CLAIMED = "claimed"
    DONE = "done"
    CANCELLED = "cancelled"  # the crisis ended before it was done
    SKIPPED = "skipped"  # «no necesaria»: somebody with the rights said so, with a reason (`Task.skip_reason`)


class TaskEvent(StrEnum):
    ACTIVATE = "activate"
    CLAIM = "claim"
    RELEASE = "release"  # "No puedo" from the owner
    COMPLETE = "complete"
    CANCEL = "cancel"
    SKIP = "skip"  # not needed (a closing step that undoes what was never done, or a coordinator's call)


class ProposalState(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    EXPIRED = "expired"  # overtaken: the crisis was declared or closed meanwhile


class ProposalEvent(StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    EXPIRE = "expire"


CRISIS_MOVES: dict[tuple[CrisisState, CrisisEvent], CrisisState] = {
    (CrisisState.ACTIVE, CrisisEvent.CLOSE): CrisisState.CLOSING,
    (CrisisState.CLOSING, CrisisEvent.FINISH): CrisisState.CLOSED,
    (CrisisState.ACTIVE, CrisisEvent.END): CrisisState.CLOSED,
}

TASK_MOVES: dict[tuple[TaskState, TaskEvent], TaskState] = {
    (TaskState.WAITING, TaskEvent.ACTIVATE): TaskState.OPEN,
    (TaskState.WAITING, TaskEvent.CANCEL): TaskState.CANCELLED,
    (TaskState.OPEN, TaskEvent.CLAIM): TaskState.CLAIMED,
    (TaskState.OPEN, TaskEvent.COMPLETE): TaskState.DONE,
    (TaskState.OPEN, TaskEvent.CANCEL): TaskState.CANCELLED,
    (TaskState.CLAIMED, TaskEvent.RELEASE): TaskState.OPEN,
    (TaskState.CLAIMED, TaskEvent.COMPLETE): TaskState.DONE,
    (TaskState.CLAIMED, TaskEvent.CANCEL): TaskState.CANCELLED,
    (TaskState.WAITING, TaskEvent.SKIP): TaskState.SKIPPED,
    (TaskState.OPEN, TaskEvent.SKIP): TaskState.SKIPPED,
    (TaskState.CLAIMED, TaskEvent.SKIP): TaskState.SKIPPED,
}

PROPOSAL_MOVES: dict[tuple[ProposalState, ProposalEvent], ProposalState] = {
    (ProposalState.PENDING, ProposalEvent.CONFIRM): ProposalState.CONFIRMED,
    (ProposalState.PENDING, ProposalEvent.DISMISS): ProposalState.DISMISSED,
    (ProposalState.PENDING, ProposalEvent.EXPIRE): ProposalState.EXPIRED,
}

S = TypeVar("S", bound=StrEnum)
E = TypeVar("E", bound=StrEnum)


def next_state(table: dict[tuple[S, E], S], machine: str, state: S, event: E) -> S:
    try:
        return table[(state, event)]
    except KeyError:
        raise IllegalMove(machine, state, event) from None


@dataclass
class Task:
    step_id: str
    state: TaskState
    activated_at: datetime | None = None
    deadline_at: datetime | None = None
    owner: str | None = None
    claimed_at: datetime | None = None
    done_at: datetime | None = None
    done_by: str | None = None
    value: str | None = None
    acks: list[str] = field(default_factory=list)
    declined: list[str] = field(default_factory=list)
    asking: str | None = None  # person whose next message answers the task's input
    reminders: int = 0
    escalations: int = 0
    checkin_pending: bool = False
    skip_reason: str | None = None  # why it was not needed (SKIPPED); done_by/done_at say who and when
    asked_at: datetime | None = None  # when `asking` was asked: the question expires
    # Which time the case reaches this step (a loop back makes a second visit). The live
    # visit is kept under the step id; earlier ones under "<step id>@<visit>" (flows/cases).
    visit: int = 1
    # A case step kept by whoever acted (taken as it started, flows/cases/routing.py): its card was
    # shown to its owner alone, so only they see it redrawn (Slack would post the others a card).
    kept: bool = False

    def move(self, event: TaskEvent) -> None:
        self.state = next_state(TASK_MOVES, "task", self.state, event)

    @property
    def finished(self) -> bool:
        return self.state in (TaskState.DONE, TaskState.CANCELLED, TaskState.SKIPPED)

    @property
    def satisfied(self) -> bool:
        """Done, or not needed: what a later step waiting on it (`after`, `checks`) accepts."""
        return self.state in (TaskState.DONE, TaskState.SKIPPED)


@dataclass
class Crisis:
    id: str
    playbook_id: str
    state: CrisisState
    declared_at: datetime
    declared_by: str
    playbook_json: str  # the playbook frozen when the crisis started
    description: str | None = None
    reported_by: str | None = None  # who wrote ALERTA ROJA, when a declarer confirmed it
    closing_at: datetime | None = None
    closing_by: str | None = None
    closed_at: datetime | None = None
    clock_offset: int | None = None  # seconds: a drill in the terminal runs on simulated time (now + offset); None: real time
    drill: bool = False  # a rehearsal (SIMULACRO, issue 14): every message says so, no public banner, kept out of the figures
    tasks: dict[str, Task] = field(default_factory=dict)
    # A case (playbook kind «case», flows/cases): declared_at/by are its opening, closed_at its end.
    kind: str = "crisis"  # "crisis" | "case" (flows.playbook.PlaybookKind)
    short_id: str | None = None  # what people type: «R-12» (cases only)
    fields: dict[str, Any] = field(default_factory=dict)  # the case's typed fields, by field id
    case_key: str | None = None  # the value of the playbook's key field (a contract number)
    outcome: str | None = None  # the `end` step the case reached
    due_at: datetime | None = None  # the case's deadline (the priority matrix), UTC
    warn_at: datetime | None = None  # when whoever holds it is warned before `due_at`

    @property
    def is_case(self) -> bool:
        return self.kind == "case"

    @property
    def label(self) -> str:
        """How people name it: the short id of a case, the id of a crisis."""
        return self.short_id or self.id

    def move(self, event: CrisisEvent) -> None:
        self.state = next_state(CRISIS_MOVES, "crisis", self.state, event)

    @property
    def is_open(self) -> bool:
        return self.state != CrisisState.CLOSED


class ProposalKind(StrEnum):
    DECLARE = "declare"
    CLOSE = "close"
    ACT = "act"  # acting on a task someone else holds (flows/confirm.py); text: "<action>:<step id>:<holder>"
    DESCRIBE = "describe"  # a broadcast answer shown back before it goes to all (flows/describe.py); text: the answer
    REAL = "real"  # ALERTA ROJA during a drill: «¿crisis real o parte del simulacro?» (flows/drills.py); text: what they wrote


@dataclass
class Proposal:
    """ALERTA ROJA (or FIN) from someone who may not declare: declarers confirm it."""

    id: str
    kind: ProposalKind
    playbook_id: str
    proposed_by: str
    text: str
    created_at: datetime
    state: ProposalState = ProposalState.PENDING
    crisis_id: str | None = None
    resolved_by: str | None = None

    def move(self, event: ProposalEvent) -> None:
        self.state = next_state(PROPOSAL_MOVES, "proposal", self.state, event)
