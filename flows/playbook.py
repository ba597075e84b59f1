"""The playbook: a procedure of the seeds turned into data, validated by pydantic.

A playbook names roles, not people; the directory says who holds each role.
The model is built for seed 000 but leaves room for the other seeds: steps have
dependencies (`after`), inputs, deadlines relative to their activation and a
reminder policy each; `phase` separates the crisis from its closing.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from flows.crontab import Crontab
from flows.localtext import LocalText

ALL_STAFF = "todos"
"""Reserved role: every person of the directory."""

_DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$")


def parse_duration(value: object) -> timedelta:
    """Accept '10m', '1h', '2h30m', '3d', a timedelta, or ISO 8601 ('PT10M', left to pydantic)."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str) and value.startswith("P"):
        return value  # type: ignore[return-value]  # ISO 8601, as the playbook is frozen in JSON
    match = _DURATION.match(value.lower()) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        raise PydanticCustomError("config.duration", "duración no válida «{value}»", {"value": str(value)})
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def check_timezone(value: str) -> str:
    """An IANA time zone name the host (or the `tzdata` package) knows; otherwise a
    `config.timezone` error, which `crisisbot check` locates by file and line."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise PydanticCustomError("config.timezone", "zona horaria desconocida «{value}»", {"value": value}) from None
    return value


TimeZone = Annotated[str, AfterValidator(check_timezone)]


class PlaybookKind(StrEnum):
    CRISIS = "crisis"  # broadcast to the group, at most one open (seed 000)
    CASE = "case"  # many open at once, each with a short id, fields and a graph of steps (seeds 001, 004)


class StepKind(StrEnum):
    """What a step of a case playbook is (docs/cases.md). A crisis playbook has tasks only."""

    TASK = "task"  # somebody does it (as in seed 000), then `next` routes the case
    ASK = "ask"  # a question whose options decide where the case goes (seed 004, step 1)
    WAIT = "wait"  # a timed pause (seed 001, 17.2: «24 horas después de cerrada la orden»)
    END = "end"  # the case ends here, with an `outcome` (seed 004: the desk the customer is sent to)


class FieldKind(StrEnum):
    CHOICE = "choice"
    TEXT = "text"
    NUMBER = "number"
    DATETIME = "datetime"  # local time of the playbook's time zone, «2026-11-30 14:00» or «30/11 14:00»
    PHONE = "phone"


class StepMode(StrEnum):
    ANY = "any"  # one responsible takes it and finishes it
    EACH = "each"  # every responsible acknowledges it (an instruction to all staff)


class Phase(StrEnum):
    CRISIS = "crisis"  # spawned when the crisis is declared
    CLOSING = "closing"  # spawned by FIN DE LA CRISIS


class AutoDone(StrEnum):
    ON_DECLARE = "on_declare"  # done by the declaration itself
    ON_CLOSE = "on_close"  # done by the closing announcement itself


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Policy(_Strict):
    """When to remind, escalate and check in on a task. Times count from activation."""

    remind_after: list[Duration] = Field(default_factory=list)
    escalate_after: Duration | None = None
    escalate_to: list[str] = Field(default_factory=list)
    deadline: Duration | None = None
    checkin_grace: Duration = timedelta(minutes=10)
    extend_by: Duration = timedelta(minutes=15)
    # A message to a person still undelivered this long after it was queued makes them
    # «sin contacto»: the coordinators are told (bot/contact.py). Crisis-wide, not per step.
    contact_after: Duration = timedelta(minutes=10)

    @model_validator(mode="after")
    def _ordered(self) -> Policy:
        if self.remind_after != sorted(self.remind_after):
            raise PydanticCustomError("config.remind_order", "remind_after debe ir de menor a mayor")
        if self.escalate_after is not None and not self.escalate_to:
            raise PydanticCustomError("config.escalate_to_missing", "escalate_after necesita escalate_to")
        return self


class PolicyOverride(_Strict):
    remind_after: list[Duration] | None = None
    escalate_after: Duration | None = None
    escalate_to: list[str] | None = None
    deadline: Duration | None = None
    checkin_grace: Duration | None = None
    extend_by: Duration | None = None


def check_pattern(value: str | None) -> str | None:
    """A regular expression Python compiles; otherwise a `config.pattern` error, which
    `crisisbot check` locates by file and line."""
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise PydanticCustomError("config.bad_regex", "patrón no válido «{value}»: {reason}",
                                      {"value": value, "reason": str(exc)}) from None
    return value


class Input(_Strict):
    """A value the task asks for when it is done (the Entel ticket number).

    `pattern`: what a valid answer looks like (a Python regular expression; flows/inputs.py
    says how an answer is matched), `example`: shown when an answer does not fit."""

    key: str
    label: LocalText
    prompt: LocalText
    broadcast: bool = False  # everybody sees the answer (the crisis description)
    pattern: Annotated[str | None, AfterValidator(check_pattern)] = None
    example: str | None = None


class Option(_Strict):
    """One answer of an `ask` step: `value` is stored in the step's field; `goto` (optional)
    routes the case when this option is chosen (shorthand for a `next` on the field)."""

    value: str = Field(pattern=r"^[a-z0-9_]+$", max_length=64)
    label: LocalText
    goto: str | None = None


class Transition(_Strict):
    """One way out of a step: `when` is a condition over the case's fields (flows/conditions.py;
    absent: always), `goto` the step it leads to. The first whose condition holds is taken."""

    when: str | None = None
    goto: str


class Step(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$", max_length=64)  # stored in String(80) columns
    number: str
    title: LocalText
    instructions: list[LocalText] = Field(default_factory=list)
    responsibles: list[str] = Field(min_length=1)
    phase: Phase = Phase.CRISIS
    mode: StepMode = StepMode.ANY
    input: Input | None = None
    after: list[str] = Field(default_factory=list)
    auto: AutoDone | None = None
    claimed_by_declarer: bool = False  # the declarer owns it at once (give the description)
    checks: list[str] = Field(default_factory=list)  # steps whose record this step verifies
    # A closing step that undoes a crisis step (remove the banner step 4 put up): when that
    # step was not done, FIN DE LA CRISIS shows this one as not needed (flows/lifecycle.py).
    undoes: str | None = None
    policy: PolicyOverride | None = None
    # Case playbooks (kind: case) only, docs/cases.md:
    kind: StepKind = StepKind.TASK
    next: list[Transition] = Field(default_factory=list)  # empty: the following step in the file
    options: list[Option] = Field(default_factory=list)  # an `ask` step's answers
    field: str | None = None  # the case field an `ask` stores its answer in (default: the step id)
    wait: Duration | None = None  # a `wait` step's pause, counted from its activation
    outcome: LocalText | None = None  # an `end` step's result (the desk the customer is sent to)
    note: str | None = None  # where the encoding departs from the source text, and why

    @property
    def answer_field(self) -> str:
        """The case field an `ask` step's answer, or a task's input, is stored in."""
        if self.kind == StepKind.ASK:
            return self.field or self.id
        return self.input.key if self.input is not None else self.id


class Recurring(_Strict):
    """A reminder outside any crisis (refresh the Mailchimp contacts every month)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$", max_length=64)  # stored in String(80) columns
    cron: str  # crontab(5), read in the playbook's time zone (flows/crontab.py)
    roles: list[str] = Field(min_length=1)
    text: LocalText

    @field_validator("cron")
    @classmethod
    def _crontab(cls, value: str) -> str:
        """A malformed expression stops the load (`crisisbot check` says file and line)."""
        try:
            Crontab.parse(value)
        except ValueError as exc:
            raise PydanticCustomError("config.cron", "cron no válido «{value}»: {reason}",
                                      {"value": value, "reason": str(exc)}) from None
        return value

    @cached_property
    def crontab(self) -> Crontab:
        return Crontab.parse(self.cron)


class FieldDef(_Strict):
    """A typed field of a case: given at opening («/caso danos contrato=4452211») or asked by a
    step (a task's `input.key`, an `ask` step's `field`)."""

    id: str = Field(pattern=r"^[a-z_][a-z0-9_]*$", max_length=64)
    kind: FieldKind = FieldKind.TEXT
    label: LocalText
    options: list[Option] = Field(default_factory=list)  # choice fields
    required: bool = False  # must be given when the case is opened


class DueTime(_Strict):
    """A deadline counted from the case's opening: warn at `warn` (a reminder to whoever holds
    the case), due at `due` (the escalation)."""

    due: Duration
    warn: Duration | None = None


class DueRule(_Strict):
    """The case's deadline chosen by a field through a table (seed 001, Anexo 2: the priority
    matrix, vulnerability 1 → 12 h ... 4 → 48 h). `default`: when the field has no entry."""

    field: str
    table: dict[str, DueTime]
    default: DueTime | None = None


class CaseKey(_Strict):
    """The field that identifies what a case is about (a contract). `unique: open`: a case
    opened while another with the same key is open joins that one; `history`: how far back
    earlier cases count for «reiterado» (field `reiterado`, and `previos`: how many)."""

    field: str
    unique: str | None = Field(default=None, pattern=r"^open$")
    history: Duration = timedelta(days=90)


class CaseSettings(_Strict):
    """How cases of a playbook open and are named (kind: case)."""

    prefix: str = Field(pattern=r"^[A-Z]{1,3}$")  # short ids people type: «R-12»
    open_phrase: LocalText | None = None  # a keyword that opens a case (besides «/caso <playbook>»)
    openers: list[str] = Field(default_factory=lambda: [ALL_STAFF])  # roles that may open a case
    key: CaseKey | None = None
    due: DueRule | None = None
    start: str | None = None  # the first step (default: the first in the file)


class Banner(_Strict):
    """The public emergency banner that the company's website shows through GET /banner.js
    while a crisis is open. `auto_steps` names steps the bot marks done itself: a crisis
    step when the banner goes up (the declaration), a closing step when it comes down
    (FIN DE LA CRISIS). Empty: people do those steps by hand."""

    message: str = "Estamos con problemas técnicos. Nuestro equipo ya está trabajando para resolverlos."
    auto_steps: list[str] = Field(default_factory=list)


class Inject(_Strict):
    """A scripted event of a drill (issue 14 point 3), `at` after the drill starts (a
    duration: «5m», «1h»). Exactly one of: `text` said to `to` (a person id or a role) or
    to whoever holds or is responsible for step `to_step` («Entel no contesta»);
    `unavailable`, a person id or role the bot treats as unreachable from then on (the
    escalation ladder and the stand-ins do their work); `incident`, a second incident
    said to the group."""

    at: Duration
    text: LocalText | None = None
    to: str | None = None
    to_step: str | None = None
    unavailable: str | None = None
    incident: LocalText | None = None

    @model_validator(mode="after")
    def _one_event(self) -> Inject:
        kinds = [self.text is not None, self.unavailable is not None, self.incident is not None]
        if sum(kinds) != 1:
            raise PydanticCustomError("config.inject_kind",
                                      "cada inyección lleva una sola cosa: «text», «unavailable» o «incident»")
        if self.text is not None and (self.to is None) == (self.to_step is None):
            raise PydanticCustomError("config.inject_to", "«text» necesita «to» (persona o rol) o «to_step», uno de los dos")
        return self


class DrillSettings(_Strict):
    """Drills of this playbook (issue 14): the keyword that starts one (any language's is
    accepted, like `declare_phrase`) and the events scripted into every drill."""

    phrase: LocalText = LocalText("SIMULACRO", {"es": "SIMULACRO", "en": "DRILL"})
    injects: list[Inject] = Field(default_factory=list)


class Playbook(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$", max_length=64)  # stored in String(80) columns
    name: str
    kind: PlaybookKind = PlaybookKind.CRISIS
    case: CaseSettings | None = None  # kind: case
    fields: list[FieldDef] = Field(default_factory=list)  # kind: case
    # Keywords, one per language (any language's is accepted from anyone): a plain string
    # or {es: ALERTA ROJA, en: RED ALERT}.
    declare_phrase: LocalText = LocalText("ALERTA ROJA", {"es": "ALERTA ROJA", "en": "RED ALERT"})
    close_phrase: LocalText = LocalText("FIN DE LA CRISIS", {"es": "FIN DE LA CRISIS", "en": "END OF CRISIS"})
    declarers: list[str] = Field(min_length=1)
    coordinators: list[str] = Field(min_length=1)
    roles: dict[str, str]
    policy: Policy = Policy()
    steps: list[Step] = Field(min_length=1)
    recurring: list[Recurring] = Field(default_factory=list)
    timezone: TimeZone = "America/Santiago"
    banner: Banner = Banner()
    drill: DrillSettings = DrillSettings()

    @staticmethod
    @lru_cache(maxsize=16)
    def from_frozen(frozen: str) -> Playbook:
        """The playbook frozen into a crisis (cached: it never changes)."""
        return Playbook.model_validate_json(frozen)

    @cached_property
    def steps_by_id(self) -> dict[str, Step]:
        """The engine looks steps up by id many times per command."""
        return {step.id: step for step in reversed(self.steps)}  # the first one wins, as in a scan

    def step(self, step_id: str) -> Step:
        found = self.steps_by_id.get(step_id)
        if found is not None:
            return found
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def policy_for(self, step: Step) -> Policy:
        if step.policy is None:
            return self.policy
        merged = self.policy.model_dump()
        merged.update({k: v for k, v in step.policy.model_dump().items() if v is not None})
        return Policy.model_validate(merged)

    def steps_of(self, phase: Phase) -> list[Step]:
        return [s for s in self.steps if s.phase == phase]

    @property
    def is_case(self) -> bool:
        return self.kind == PlaybookKind.CASE

    @cached_property
    def fields_by_id(self) -> dict[str, FieldDef]:
        return {f.id: f for f in self.fields}

    def first_step(self) -> Step:
        """Where a case starts: `case.start`, else the first step of the file."""
        start = self.case.start if self.case is not None else None
        return self.step(start) if start else self.steps[0]

    def following(self, step: Step) -> Step | None:
        """The step after `step` in the file (where a step without `next` goes), or None."""
        index = next(i for i, s in enumerate(self.steps) if s.id == step.id)
        return self.steps[index + 1] if index + 1 < len(self.steps) else None

    @model_validator(mode="after")
    def _case_settings(self) -> Playbook:
        """A case playbook has its `case:` settings; graph steps belong to case playbooks only
        (reference checks — every goto, field and role defined — are `crisisbot check`'s)."""
        if self.kind == PlaybookKind.CASE and self.case is None:
            raise PydanticCustomError("config.case_missing", "un playbook de casos (kind: case) necesita «case:»")
        if self.kind == PlaybookKind.CRISIS:
            if self.case is not None or self.fields:
                raise PydanticCustomError("config.case_only", "«case:» y «fields:» son solo de kind: case")
            if any(s.kind != StepKind.TASK or s.next or s.options for s in self.steps):
                raise PydanticCustomError("config.graph_case_only",
                                          "pasos ask/wait/end y «next:» son solo de kind: case")
        return self
