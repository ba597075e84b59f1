"""What the engine sees (World) and what it produces (Outcome), with a Turn to build it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from flows.contact import DeliveryBoard
from flows.crisis import Crisis, CrisisState, Proposal, ProposalState, Task
from flows.directory import Directory, Person
from flows.drill_start import ScheduledDrill, ScheduleState
from flows.messages import GROUP, Button, CancelTimers, LogEntry, OutMessage, SetTimer
from flows.playbook import Playbook, Policy, Step
from flows.texts import t


class Links(Protocol):
    """Web addresses, injected so that the engine stays pure (signing reads the clock)."""

    ttl_minutes: int  # how long a personal link opens the dashboard

    def personal(self, person_id: str, path: str = "/panel") -> str:
        """A signed link that opens `path` of the dashboard for this person."""
        ...

    def page(self, path: str) -> str:
        """The plain address of a dashboard page (it asks for a personal link first)."""
        ...


@dataclass
class World:
    """Everything one command may read, loaded inside the command's transaction."""

    playbook: Playbook  # the file's playbook; an open crisis runs its frozen copy
    directory: Directory
    now: datetime
    crisis: Crisis | None  # the open crisis of this playbook, if any
    proposals: list[Proposal]  # pending proposals of this playbook
    new_id: Callable[[], str]
    group_lang: str = "es"
    log: list[LogEntry] = field(default_factory=list)  # the open crisis's bitácora so far
    baseline: dict[str, Any] = field(default_factory=dict)  # the storage's own record of what it loaded
    links: Links | None = None  # None where no dashboard is served
    delivery: DeliveryBoard | None = None  # who can be reached (flows/contact.py), loaded with the bitácora
    # The last closed crisis of this playbook and its bitácora (receipts left out), loaded
    # only for «informe»/«bitácora» when no crisis is open (engine.needs_last_closed).
    last_closed: tuple[Crisis, list[LogEntry]] | None = None  # drills left out (issue 14)
    # The drill of this playbook closed last, when it closed after `last_closed`, with its
    # whole bitácora (deliveries too, for its score): «informe» gives its score.
    last_drill: tuple[Crisis, list[LogEntry]] | None = None
    # Cases (flows/cases). For a command on a case, `playbook` is that case's playbook and
    # `crisis` the case. For OpenCase: `short_id` is the id the new case gets («R-12») and
    # `prior` the cases with the same key opened within the key's `history` (open ones
    # included; their tasks not loaded). For MyCases: `my_cases`, open cases where the person
    # holds a task or may take one, oldest first, tasks loaded.
    short_id: str | None = None
    prior: list[Crisis] = field(default_factory=list)
    my_cases: list[Crisis] = field(default_factory=list)
    case_playbooks: tuple[Playbook, ...] = ()  # the case playbooks running (help, «/caso»)
    # The drills of this playbook scheduled ahead and still waiting (flows/drill_ahead.py)
    drill_schedule: list[ScheduledDrill] = field(default_factory=list)

    def after(self, outcome: Outcome, now: datetime) -> World:
        """The world the next command of the same transaction sees: this one with the
        outcome applied (the engine changes the crisis in place; a closed crisis is no
        longer the open one). The bitácora is not carried over: a command that reads it
        is given a world read afresh."""
        crisis = outcome.crisis if outcome.crisis is not None and outcome.crisis.state != CrisisState.CLOSED else None
        proposals = {p.id: p for p in self.proposals}
        proposals.update((p.id, p) for p in outcome.proposals)
        schedule = {d.id: d for d in self.drill_schedule}
        schedule.update((d.id, d) for d in outcome.drill_schedule)
        return World(playbook=self.playbook, directory=self.directory, now=now, crisis=crisis,
                     proposals=[p for p in proposals.values() if p.state == ProposalState.PENDING],
                     new_id=self.new_id, group_lang=self.group_lang, links=self.links,
                     drill_schedule=[d for d in schedule.values() if d.state == ScheduleState.PENDING])

    def running_playbook(self) -> Playbook:
        if self.crisis is None:
            return self.playbook
        return Playbook.from_frozen(self.crisis.playbook_json)


@dataclass
class Outcome:
    messages: list[OutMessage] = field(default_factory=list)
    log: list[LogEntry] = field(default_factory=list)
    timer_ops: list[SetTimer | CancelTimers] = field(default_factory=list)  # in order
    crisis: Crisis | None = None  # the crisis to save (new or changed)
    proposals: list[Proposal] = field(default_factory=list)  # new or changed
    then: Any = None
    """A command to run next in the same transaction, on the world this outcome leaves (a
    flows.commands.Declare once a drill has ended for a real crisis, flows/drills.py)."""
    drill_schedule: list[ScheduledDrill] = field(default_factory=list)  # drills scheduled ahead, new or changed


class Turn:
    """One command being handled: reads the world, accumulates the outcome."""

    def __init__(self, world: World, channel: str) -> None:
        self.world = world
        self.channel = channel
        self.out = Outcome(crisis=world.crisis)
        self.playbook = world.running_playbook()
        self.tz = ZoneInfo(self.playbook.timezone)
        self.drill_mark = True  # messages of a drill say so (flows/drills.py); off for what is about a real crisis

    @property
    def now(self) -> datetime:
        return self.world.now

    @property
    def directory(self) -> Directory:
        return self.world.directory

    def person(self, person_id: str) -> Person:
        return self.directory[person_id]

    def lang_of(self, to: str) -> str:
        if to == GROUP:
            return self.world.group_lang
        person = self.directory.get(to)
        return person.lang if person else self.world.group_lang

    def tz_of(self, to: str) -> ZoneInfo:
        person = self.directory.get(to)
        return ZoneInfo(person.timezone) if person else self.tz

    def say(self, key: str, **kw: Any) -> str:
        """Text in the group's language (for log data and the like)."""
        return t(self.world.group_lang, key, **kw)

    def send(
        self,
        to: str,
        text: str | Callable[[str], str],
        buttons: tuple[Button, ...] = (),
        ref: str | None = None,
        kind: str = "info",
    ) -> None:
        """Queue a message; `text` may be a function of the recipient's language. During a
        drill every message starts with «🧪 SIMULACRO · » in its reader's language (issue 14
        point 2), unless `drill_mark` was turned off for this part of the turn."""
        drill = self.drill_mark and self.out.crisis is not None and self.out.crisis.drill
        if drill:
            body = text
            text = lambda lang: t(lang, "drill.prefix") + (body(lang) if callable(body) else body)  # noqa: E731
        rendered = text(self.lang_of(to)) if callable(text) else text
        langs: tuple[tuple[str, str], ...] = ()
        if to == GROUP and callable(text):  # relayed to each phone: each reader's language too
            others = sorted({p.lang for p in self.directory.people} - {self.lang_of(to)})
            langs = tuple((lang, text(lang)) for lang in others)
        self.out.messages.append(OutMessage(to=to, text=rendered, buttons=buttons, ref=ref, kind=kind, langs=langs,
                                            drill=drill))

    def send_key(self, to: str, key: str, buttons: tuple[Button, ...] = (), ref: str | None = None, **kw: Any) -> None:
        self.send(to, lambda lang: t(lang, key, **kw), buttons, ref)

    def log(self, kind: str, person: str | None = None, step_id: str | None = None, **data: Any) -> None:
        crisis_id = self.out.crisis.id if self.out.crisis else None
        if step_id is not None:
            data["step"] = step_id
        entry = LogEntry(at=self.now, kind=kind, person=person, channel=self.channel, crisis_id=crisis_id, data=data)
        self.out.log.append(entry)

    def is_declarer(self, person_id: str) -> bool:
        return any(p.id == person_id for p in self.directory.with_any_role(self.playbook.declarers))

    def is_coordinator(self, person_id: str) -> bool:
        return any(p.id == person_id for p in self.directory.with_any_role(self.playbook.coordinators))

    def responsibles(self, step: Step) -> list[Person]:
        return self.directory.with_any_role(step.responsibles)

    def is_responsible(self, person_id: str, step: Step) -> bool:
        return any(p.id == person_id for p in self.responsibles(step))

    def task_pairs(self) -> list[tuple[Step, Task]]:
        crisis = self.out.crisis
        if crisis is None:
            return []
        # a case's earlier visits of a step ("<step>@<visit>", flows/cases) are history, not live tasks
        return [(self.playbook.step(sid), task) for sid, task in crisis.tasks.items() if "@" not in sid]

    def policy_for(self, step: Step) -> Policy:
        """The step's policy; on a case, with the case's due time folded in, counted from
        now (flows/cases/due.py)."""
        crisis = self.out.crisis
        if crisis is None or not crisis.is_case:
            return self.playbook.policy_for(step)
        from flows.cases import due  # flows.cases builds on this module

        return due.policy_for(self.playbook, step, crisis, self.now)
