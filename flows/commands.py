"""What people and timers ask of the engine, in neutral form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.contact import Reason
from flows.messages import Action, TimerKind
from flows.playbook import Inject


@dataclass(frozen=True)
class Say:
    """A line somebody wrote. The engine reads it (keyword, answer, or chatter)."""

    person: str
    text: str
    channel: str
    direct: bool = True  # a direct conversation with the bot, not the company group


@dataclass(frozen=True)
class Press:
    """A button somebody pressed. `value` carries what a form asked for (a modal's
    ticket number), so "Hecho" and its value arrive together."""

    person: str
    action: Action
    channel: str
    value: str | None = None


@dataclass(frozen=True)
class TimerFired:
    crisis_id: str
    step_id: str
    kind: TimerKind
    seq: int
    due_at: datetime


@dataclass(frozen=True)
class TimersFired:
    """The timers of one crisis due at once (a clock jump, a restart after a pause),
    handled together so that each person gets the latest state once (flows/digest.py)."""

    timers: tuple[TimerFired, ...]


@dataclass(frozen=True)
class RecurringDue:
    """A reminder outside any crisis (the monthly Mailchimp refresh)."""

    recurring_id: str


@dataclass(frozen=True)
class ContactLost:
    """Nobody can reach `person` in the crisis (bot/contact.py found it): tell the coordinators."""

    crisis_id: str
    person: str
    reasons: tuple[Reason, ...]
    unreachable: tuple[str, ...] = ()  # everybody the bot cannot reach now: telling them is no use


@dataclass(frozen=True)
class ContactRestored:
    """A person reported unreachable was reached again (`how`: "delivered" or "wrote")."""

    crisis_id: str
    person: str
    how: str
    via: str | None = None


@dataclass(frozen=True)
class StartDrill:
    """Start a drill of the playbook now, as `person` (who must be a declarer): what
    «SIMULACRO» typed does, from anywhere else (Slack's `/crisis simulacro`, the command
    line, a drill scheduled ahead). `injects`: the drill's scripted events when they come
    from a drill file, replacing the playbook's `drill.injects` for this drill (None: the
    playbook's)."""

    person: str
    description: str
    channel: str
    injects: tuple[Inject, ...] | None = None


@dataclass(frozen=True)
class ScheduleDrill:
    """Schedule a drill of the playbook for `at` (aware) as `person` (a declarer): what
    «SIMULACRO el 3/12 a las 10:00» typed does, from the command line (`crisisbot simulacro
    --el`). Announced now to everybody, or told to `person` alone when `surprise`; started
    at its time (flows/drill_ahead.py). `injects` as in StartDrill."""

    person: str
    at: datetime
    description: str
    channel: str
    surprise: bool = False
    injects: tuple[Inject, ...] | None = None


@dataclass(frozen=True)
class Declare:
    """Declare the crisis now, as `person` (a declarer): what follows the end of a drill
    for a real crisis, in the same transaction (flows/drills.py, `Outcome.then`)."""

    person: str
    description: str
    reported_by: str | None
    channel: str


@dataclass(frozen=True)
class OpenCase:
    """«/caso <playbook> …» or a case playbook's `open_phrase` (flows/cases): open a case.
    `text` is what followed the keyword (fields: «contrato=4452211 vulnerabilidad=2»)."""

    person: str
    text: str
    channel: str
    direct: bool = True


@dataclass(frozen=True)
class MyCases:
    """«mis casos»: the open cases a person holds or can take (the world's `my_cases`)."""

    person: str
    channel: str


@dataclass(frozen=True)
class CaseHelp:
    """«/caso» naming no case playbook (`asked`: what followed), or a short id no case has
    (`unknown`: «R-99»): the person is told how to open a case, or that there is no such case."""

    person: str
    channel: str
    asked: str = ""
    unknown: str = ""


Command = (Say | Press | TimerFired | TimersFired | RecurringDue | ContactLost | ContactRestored | OpenCase | MyCases
           | CaseHelp | Declare | StartDrill | ScheduleDrill)
