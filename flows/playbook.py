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


class Banner(_Strict):
    """The public emergency banner that the company's website shows through GET /banner.js
    while a crisis is open. `auto_steps` names steps the bot marks done itself: a crisis
    step when the banner goes up (the declaration), a closing step when it comes down
    (FIN DE LA CRISIS). Empty: people do those steps by hand."""

    message: str = "Estamos con problemas técnicos. Nuestro equipo ya está trabajando para resolverlos."
    auto_steps: list[str] = Field(default_factory=list)


class Playbook(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$", max_length=64)  # stored in String(80) columns
    name: str
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
