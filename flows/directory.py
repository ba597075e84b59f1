"""The people the bot knows, with their roles and the channels that reach them."""

from __future__ import annotations

from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

from flows.matching import normalize
from flows.playbook import ALL_STAFF


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    roles: list[str] = Field(default_factory=list)
    slack_id: str | None = None
    email: str | None = None
    whatsapp: str | None = None
    timezone: str = "America/Santiago"
    lang: str = "es"
    aliases: list[str] = Field(default_factory=list)
    prefer: list[str] = Field(default_factory=list)  # channels in order: "slack", "whatsapp"

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    def has_channel(self) -> bool:
        return bool(self.slack_id or self.email or self.whatsapp)


class Directory(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    people: list[Person] = Field(min_length=1)

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
            return list(self.people)
        return list(self.by_role.get(role, ()))

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
