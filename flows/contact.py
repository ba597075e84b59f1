"""Who the bot can reach: each person's delivery state in a crisis, folded from the
bitácora and the undelivered outbox rows, and the two commands that say somebody cannot be
reached (`ContactLost`) or can be again (`ContactRestored`). Pure.

A person is *sin contacto* when nothing is left to try for them: their latest delivery
event is a failure (every channel and fallback failed permanently, or no channel reaches
them) and no message to them is still queued, or a message to them is still undelivered
`Policy.contact_after` after it was queued (10 minutes unless the playbook says). Any
later delivery to them, a receipt, or anything they write makes them reachable again.
Messages deliberately not sent (the live summary not relayed to phones, a group message
a transport posts to the group itself) are never events here."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from flows.crisis import Crisis, TaskState
from flows.directory import Directory, Person
from flows.messages import GROUP, TimerKind
from flows.playbook import Playbook
from flows.texts import t, tn

SUCCESS_KINDS = frozenset({"delivered", "whatsapp_delivered", "whatsapp_read"})
FAILURE_KINDS = frozenset({"delivery_failed", "whatsapp_failed"})
MARK_KINDS = frozenset({"contact_lost", "contact_restored"})
EVENT_KINDS = SUCCESS_KINDS | FAILURE_KINDS | MARK_KINDS
"""The bitácora kinds the fold reads (besides what people themselves did)."""

NO_CHANNEL = "-"  # the `via` of a message that no channel could carry (persistence/writes.py)
DRILL_VIA = "simulacro"  # the `via` of a message to somebody a drill's inject made unavailable (flows/drill_injects.py)
READ_RECEIPTS = frozenset({"whatsapp"})
"""Channels that report reads (Twilio's `read` status callback); Slack does not."""

_ERROR_CODE = re.compile(r"error (\w+)")


class ContactState(StrEnum):
    NONE = "none"  # nothing sent to them yet
    PENDING = "pending"  # a message to them is queued
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"  # the latest attempt failed; another (a fallback) is queued
    LOST = "lost"  # sin contacto


@dataclass(frozen=True)
class Event:
    """One bitácora entry about reaching a person, in the order it was written."""

    id: int
    kind: str
    at: datetime
    to: str  # the person it is about
    via: str | None
    error: str | None = None


@dataclass(frozen=True)
class Queued:
    """An outbox row to a person, neither delivered nor failed."""

    to: str
    via: str
    since: datetime  # when it was queued (UTC)


@dataclass(frozen=True)
class NextTimer:
    kind: TimerKind
    due_at: datetime


@dataclass(frozen=True)
class Reason:
    """Why a person cannot be reached, per channel: `what` is "failed" (`detail`: the
    platform's error, short), "pending" (`detail`: minutes undelivered) or "none" (that
    channel does not reach them)."""

    via: str
    what: str
    detail: str = ""


@dataclass
class PersonContact:
    person: str
    via: str | None = None  # the channel of the latest event
    delivered_at: datetime | None = None
    read_at: datetime | None = None
    wrote_at: datetime | None = None
    last_ok: int = 0  # event id of the latest success
    last_fail: int = 0  # event id of the latest failure
    ok_how: str = ""  # the latest success: "delivered" or "wrote"
    ok_via: str | None = None  # and its channel
    failures: dict[str, str] = field(default_factory=dict)  # via -> error, since the latest success
    pending: list[Queued] = field(default_factory=list)
    marked: int = 0  # event id of the latest contact_lost, 0 once restored
    episodes: int = 0  # contact_lost entries so far

    @property
    def marked_lost(self) -> bool:
        return self.marked > 0

    def overdue(self, now: datetime, after: timedelta) -> list[Queued]:
        return [q for q in self.pending if now - q.since >= after]

    def unreachable(self, now: datetime, after: timedelta) -> bool:
        failing = self.last_fail > self.last_ok
        return (failing and not self.pending) or bool(self.overdue(now, after))

    def state(self, now: datetime, after: timedelta) -> ContactState:
        if self.unreachable(now, after):
            return ContactState.LOST
        if self.last_fail > self.last_ok:
            return ContactState.FAILED
        if self.pending:
            return ContactState.PENDING
        if self.read_at is not None:
            return ContactState.READ
        if self.delivered_at is not None:
            return ContactState.DELIVERED
        return ContactState.NONE

    def reasons(self, now: datetime, after: timedelta) -> tuple[Reason, ...]:
        found = [Reason(via, "failed", _short(error)) for via, error in self.failures.items() if via != NO_CHANNEL]
        for queued in self.overdue(now, after):
            minutes = str(int((now - queued.since).total_seconds() // 60))
            if all(r.via != queued.via for r in found):
                found.append(Reason(queued.via, "pending", minutes))
        return tuple(found)


def _short(error: str | None) -> str:
    """The platform's code when the error names one ("… error 63016" -> "error 63016")."""
    if not error:
        return ""
    match = _ERROR_CODE.search(error)
    if match:
        return f"error {match.group(1)}"
    if error.isdigit():
        return f"error {error}"
    return error[:80]


@dataclass
class DeliveryBoard:
    """Each concerned person's delivery state in one crisis, and the next timer per task."""

    people: dict[str, PersonContact]
    now: datetime
    after: timedelta  # the playbook's contact_after
    next_timers: dict[str, NextTimer] = field(default_factory=dict)  # step id -> earliest pending timer

    def get(self, person_id: str) -> PersonContact:
        return self.people.get(person_id) or PersonContact(person_id)

    def state(self, person_id: str) -> ContactState:
        return self.get(person_id).state(self.now, self.after)

    def lost(self) -> list[str]:
        return [p for p, c in self.people.items() if c.unreachable(self.now, self.after)]

    def to_report(self) -> list[PersonContact]:
        """People who cannot be reached and are not yet reported so (a new loss)."""
        return [c for c in self.people.values() if c.unreachable(self.now, self.after) and not c.marked_lost]

    def to_restore(self) -> list[PersonContact]:
        """People reported unreachable who have been reached (or wrote) since."""
        return [c for c in self.people.values()
                if c.marked_lost and c.last_ok > c.marked and not c.unreachable(self.now, self.after)]


def fold(events: Iterable[Event], pending: Sequence[Queued], now: datetime, after: timedelta) -> DeliveryBoard:
    """The board from the crisis's events (in id order) and its undelivered rows."""
    people: dict[str, PersonContact] = {}

    def of(person: str) -> PersonContact:
        return people.setdefault(person, PersonContact(person))

    for event in events:
        if event.to == GROUP:
            continue
        c = of(event.to)
        if event.kind == "contact_lost":
            c.marked, c.episodes = event.id, c.episodes + 1
        elif event.kind == "contact_restored":
            c.marked = 0
        elif event.kind in FAILURE_KINDS:
            c.last_fail, c.via = event.id, event.via or c.via
            c.failures[event.via or NO_CHANNEL] = event.error or ""
        elif event.kind in SUCCESS_KINDS or event.kind == "wrote":
            c.last_ok, c.failures = event.id, {}
            c.ok_how, c.ok_via = ("wrote" if event.kind == "wrote" else "delivered"), event.via
            if event.kind == "wrote":
                c.wrote_at = event.at
            else:
                c.via = event.via or c.via
                c.delivered_at = max(c.delivered_at or event.at, event.at)
            if event.kind == "whatsapp_read":
                c.read_at = event.at
    for queued in pending:
        if queued.to != GROUP:
            of(queued.to).pending.append(queued)
    return DeliveryBoard(people, now, after)


def next_for(board: DeliveryBoard, crisis: Crisis, playbook: Playbook, directory: Directory,
             person_id: str) -> NextTimer | None:
    """The earliest reminder, escalation or check-in due on a task of the person (one they
    are responsible for and nobody took, or one they took)."""
    best: NextTimer | None = None
    for step_id, timer in board.next_timers.items():
        task = crisis.tasks.get(step_id)
        if task is None:
            continue
        step = playbook.step(step_id)
        mine = (task.state == TaskState.CLAIMED and task.owner == person_id) or (
            task.state == TaskState.OPEN and person_id in {p.id for p in directory.with_any_role(step.responsibles)})
        if mine and (best is None or timer.due_at < best.due_at):
            best = timer
    return best


def concerned(board: DeliveryBoard, crisis: Crisis, playbook: Playbook, directory: Directory) -> list[Person]:
    """Everybody the crisis speaks to, in directory order: whoever has a delivery event or
    a queued message, the responsibles of the tasks started so far, coordinators, declarers."""
    ids = set(board.people)
    for step_id, task in crisis.tasks.items():
        if task.activated_at is not None:
            ids |= {p.id for p in directory.with_any_role(playbook.step(step_id).responsibles)}
    ids |= {p.id for p in directory.with_any_role([*playbook.coordinators, *playbook.declarers])}
    return [p for p in directory.people if p.id in ids]


# words ----------------------------------------------------------------------


def via_name(via: str | None, lang: str) -> str:
    if not via or via == NO_CHANNEL:
        return "—"
    key = f"contact.via.{via}"
    try:
        return t(lang, key)
    except KeyError:
        return via.capitalize()


def why(reasons: Sequence[Reason], lang: str) -> str:
    """«WhatsApp: error 63016; sin Slack»."""
    parts = []
    for r in reasons:
        if r.via == DRILL_VIA:
            parts.append(t(lang, "drill_injects.why_unavailable"))
        elif r.what == "failed":
            detail = r.detail or t(lang, "contact.failed")
            parts.append(t(lang, "contact.why_failed", via=via_name(r.via, lang), detail=detail))
        elif r.what == "pending":
            parts.append(t(lang, "contact.why_pending", via=via_name(r.via, lang), minutes=r.detail))
        else:
            parts.append(t(lang, "contact.why_none", via=via_name(r.via, lang)))
    return "; ".join(parts) if parts else t(lang, "contact.why_no_channel")


def status_line(board: DeliveryBoard, directory: Directory, lang: str) -> str:
    """«Contacto: 9 recibieron · 2 leyeron · ⚠️ sin contacto: Valeria Soto»."""
    known = [p for p in board.people if directory.get(p) is not None]  # not an unknown number that wrote
    states = [board.state(p) for p in known]
    parts = [tn(lang, "contact.line_received", sum(s in (ContactState.DELIVERED, ContactState.READ) for s in states))]
    read = sum(s == ContactState.READ for s in states)
    if read:
        parts.append(tn(lang, "contact.line_read", read))
    waiting = sum(s in (ContactState.PENDING, ContactState.FAILED) for s in states)
    if waiting:
        parts.append(tn(lang, "contact.line_pending", waiting))
    lost = [directory[p].name for p in board.lost() if directory.get(p) is not None]
    if lost:
        parts.append(t(lang, "contact.line_lost", names=", ".join(lost)))
    return t(lang, "contact.line", parts=" · ".join(parts))


def next_text(timer: NextTimer, tz: ZoneInfo, lang: str) -> str:
    """«próximo aviso 14:40» / «escala 14:40»."""
    key = "contact.next_escalate" if timer.kind in (TimerKind.ESCALATE, TimerKind.CHECKIN) else "contact.next_remind"
    return t(lang, key, at=timer.due_at.astimezone(tz).strftime("%H:%M"))
