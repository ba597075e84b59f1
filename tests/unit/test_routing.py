from __future__ import annotations

from dataclasses import dataclass

from bot.loading import load_all
from bot.routing import Router
from flows.directory import Person
from flows.messages import GROUP, OutMessage
from tests.support import DIRECTORY, PLAYBOOK

_, DIR = load_all(PLAYBOOK, DIRECTORY)
assert DIR is not None


@dataclass
class Fake:
    name: str
    group_mode: str
    people: set[str]

    def reaches(self, person: Person) -> bool:
        return person.id in self.people

    async def deliver(self, recipient: str, message: OutMessage) -> str | None:
        return None


def test_a_person_is_reached_on_their_preferred_channel_else_any() -> None:
    everyone = {p.id for p in DIR.people}
    slack = Fake("slack", "post", everyone - {"marcelo"})
    whatsapp = Fake("whatsapp", "relay", {"marcelo", "luis"})
    router = Router(DIR.model_copy(update={"people": [
        p.model_copy(update={"prefer": ["whatsapp"]}) if p.id == "luis" else p for p in DIR.people]}),
        {"slack": slack, "whatsapp": whatsapp})
    assert [(d.recipient, d.via) for d in router.plan(OutMessage("jaime", "x"))] == [("jaime", "slack")]
    assert [(d.recipient, d.via) for d in router.plan(OutMessage("luis", "x"))] == [("luis", "whatsapp")]
    assert [(d.recipient, d.via) for d in router.plan(OutMessage("marcelo", "x"))] == [("marcelo", "whatsapp")]
    group = [(d.recipient, d.via) for d in router.plan(OutMessage(GROUP, "🚨", kind="announcement"))]
    assert group == [(GROUP, "slack"), ("luis", "whatsapp"), ("marcelo", "whatsapp")]
    summary = [(d.recipient, d.via) for d in router.plan(OutMessage(GROUP, "📊", kind="summary"))]
    assert summary == [(GROUP, "slack")]


def test_nobody_reaches_a_person_without_channel() -> None:
    router = Router(DIR, {"slack": Fake("slack", "post", set())})
    assert router.plan(OutMessage("jaime", "x")) == []
