"""The people the bot knows, with their roles and the channels that reach them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property
from typing import Annotated

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr
from pydantic_core import PydanticCustomError

from flows.matching import normalize
from flows.playbook import ALL_STAFF, TimeZone

_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def check_phone(value: str) -> str:
    """A number in E.164 (ITU-T E.164: «+», country code, subscriber number, at most 15
    digits), as Twilio addresses WhatsApp and SMS; checked with `phonenumbers` for a
    possible length in its country (not that it is assigned: example numbers pass).
    Spaces, dashes and dots are dropped. Error: `config.phone`."""
    compact = re.sub(r"[\s\-.()]", "", value)
    try:
        number = phonenumbers.parse(compact, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not compact.startswith("+") or not phonenumbers.is_possible_number(number):
        raise PydanticCustomError("config.phone", "«{value}» no es un número E.164", {"value": value})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_email(value: str) -> str:
    """An e-mail address by `email-validator` (syntax only: no DNS lookup, the bot may
    start offline). Error: `config.email` with the library's reason."""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise PydanticCustomError("config.email", "«{value}» no es un e-mail válido: {reason}",
                                  {"value": value, "reason": str(exc)}) from None


def check_slack_id(value: str) -> str:
    """A Slack member id: «U» (or «W» on Enterprise Grid) and capitals or digits, as in
    https://api.slack.com/changelog/2016-08-11-user-id-format-changes. Error: `config.slack_id`."""
    if not _SLACK_ID.match(value):
        raise PydanticCustomError("config.slack_id", "«{value}» no parece un id de Slack", {"value": value})
    return value


def one_line(value: str) -> str:
    """A name as every channel shows it on one line: new lines, tabs and runs of spaces
    become one space (a WhatsApp template parameter may hold none of them, Meta error
    132018; a Slack header is one line). Error: `config.name` when nothing is left."""
    compact = " ".join(value.split())
    if not compact:
        raise PydanticCustomError("config.name", "«{value}» no es un nombre", {"value": value})
    return compact


Phone = Annotated[str, AfterValidator(check_phone)]
Email = Annotated[str, AfterValidator(check_email)]
SlackId = Annotated[str, AfterValidator(check_slack_id)]


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$", max_length=64)  # stored in String(80) columns
    name: Annotated[str, AfterValidator(one_line)]
    roles: list[str] = Field(default_factory=list)
    slack_id: SlackId | None = None
    email: Email | None = None
    whatsapp: Phone | None = None
    timezone: TimeZone = "America/Santiago"
    lang: str = "es"
    aliases: list[Annotated[str, AfterValidator(one_line)]] = Field(default_factory=list)
    prefer: list[str] = Field(default_factory=list)  # channels in order: "slack", "whatsapp"

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    def has_channel(self) -> bool:
        return bool(self.slack_id or self.email or self.whatsapp)


class Directory(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    people: list[Person] = Field(min_length=1)
    # The roles of the playbook whose staff «todos» means (`scoped_to`); None: everybody.
    _staff_roles: frozenset[str] | None = PrivateAttr(default=None)

    def scoped_to(self, roles: Iterable[str]) -> Directory:
        """The same people, with «todos» (ALL_STAFF) meaning a playbook's staff: whoever holds
        one of `roles`, or no role at all (issue 12: one directory serves every playbook of a
        company; the people of a case procedure are not asked to act on the crisis plan's
        all-staff steps, nor relayed its group). Everyone can still be found by id or role."""
        scoped = self.model_copy()
        scoped._staff_roles = frozenset(roles)
        return scoped

    @cached_property
    def by_id(self) -> dict[str, Person]:
        """The engine looks people up by id and by role for every command."""
        return {person.id: person for person in reversed(self.people)}  # the first one wins, as in a scan

    @cached_property
    def by_role(self) -> dict[str, list[Person]]:
        index: dict[str, list[Person]] = {}
        for person in self.people:
            for role in dict.fromkeys(person.roles):
                index.setdefault(role, []).append(person)
        return index

    def get(self, person_id: str) -> Person | None:
        return self.by_id.get(person_id)

    def __getitem__(self, person_id: str) -> Person:
        person = self.get(person_id)
        if person is None:
            raise KeyError(person_id)
        return person

    def with_role(self, role: str) -> list[Person]:
        if role == ALL_STAFF:
            staff = self._staff_roles
            return [p for p in self.people if staff is None or not p.roles or not staff.isdisjoint(p.roles)]
        return list(self.by_role.get(role, ()))

    def with_default_lang(self, lang: str) -> Directory:
        """People who do not say their `lang` read the company group's (CRISISBOT_LANG):
        issue 11 point 9. People who say it keep theirs."""
        if all("lang" in p.model_fields_set or p.lang == lang for p in self.people):
            return self
        people = [p if "lang" in p.model_fields_set else p.model_copy(update={"lang": lang}) for p in self.people]
        fresh = Directory(people=people)  # anew: no cached lookups of the old people
        fresh._staff_roles = self._staff_roles
        return fresh

    def with_any_role(self, roles: list[str]) -> list[Person]:
        ids: list[str] = []
        for role in roles:
            ids.extend(p.id for p in self.with_role(role) if p.id not in ids)
        return [self[i] for i in ids]

    def find(self, name: str) -> list[Person]:
        """People a typed name may mean: exact full name or alias first, then a
        unique first name, then a prefix. More than one result means ambiguous."""
        wanted = normalize(name)
        if not wanted:
            return []
        exact = [p for p in self.people if wanted in {normalize(p.name), p.id, *map(normalize, p.aliases)}]
        if exact:
            return exact
        first = [p for p in self.people if normalize(p.first_name) == wanted]
        if first:
            return first
        return [p for p in self.people if normalize(p.name).startswith(wanted)]
