"""Routing through the channels of every live process on one database (issue 9, finding
10): the process that commits plans each message through whichever live process has the
person's channel, its peer delivers it; a dead peer's channels are no longer planned; a
terminal open beside a chat platform does not take that platform's people."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select, update

from bot.loading import load_all
from bot.processes import wall_now
from bot.routing import Router
from bot.runtime import Runtime
from flows.clock import ManualClock
from flows.commands import Say
from flows.directory import Directory, Person
from flows.messages import GROUP, OutMessage
from persistence import repository as repo
from persistence import tables as T
from persistence.database import writing
from tests.support import DIRECTORY, PLAYBOOK, START, RecordingTransport, settings_for

_, _loaded = load_all(PLAYBOOK, DIRECTORY)
assert _loaded is not None
DIR: Directory = _loaded
ON_WHATSAPP = {"luis", "valeria", "marcelo"}
STEP_4 = ["catalina", "cecilia", "jaime", "juan_pablo", "luis", "valeria"]  # who is reminded of task 4
REMINDER = "⏰ Recordatorio: la tarea 4 "


@dataclass
class Fake:
    """A transport of this process that reaches exactly `people`."""

    name: str
    group_mode: str
    people: set[str] = field(default_factory=lambda: {p.id for p in DIR.people})

    def reaches(self, person: Person) -> bool:
        return person.id in self.people

    async def deliver(self, recipient: str, message: OutMessage) -> str | None:
        return None


def preferring(tmp_path: Path) -> Path:
    """The example directory with Luis, Valeria and Marcelo preferring WhatsApp, the rest Slack."""
    data = yaml.safe_load(DIRECTORY.read_text())
    for person in data["people"]:
        person["prefer"] = ["whatsapp"] if person["id"] in ON_WHATSAPP else ["slack"]
    path = tmp_path / "directory.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


@pytest.mark.parametrize("firing", ["slack", "whatsapp"])
async def test_slack_and_whatsapp_in_two_processes_each_person_gets_it_once_on_their_channel(
    tmp_path: Path, firing: str,
) -> None:
    settings = settings_for(tmp_path, directory=preferring(tmp_path))
    clock = ManualClock(START)
    slack = RecordingTransport(name="slack")
    whatsapp = RecordingTransport(name="whatsapp", group_mode="relay")
    runtimes = {"slack": await Runtime.build(settings, transports={"slack": slack}, clock=clock),
                "whatsapp": await Runtime.build(settings, transports={"whatsapp": whatsapp}, clock=clock)}
    for rt in runtimes.values():
        await rt.start()
    try:
        other = "whatsapp" if firing == "slack" else "slack"
        await runtimes[firing].service.handle(Say("jaime", "ALERTA ROJA", "slack"))
        for rt in runtimes.values():
            await rt.outbox.drain()
        clock.advance(timedelta(minutes=10))
        assert await runtimes[firing].timers.sweep() > 0
        assert await runtimes[other].timers.sweep() == 0
        for rt in runtimes.values():
            await rt.outbox.drain()

        # The announcement: posted once in the Slack channel, relayed to each WhatsApp person once
        # (WhatsApp cannot edit a message: it arrives with the person's cards, as one digest, bot/compact.py).
        assert [to for to, m in slack.sent if m.kind == "announcement"] == [GROUP]
        alert = next(m for _, m in slack.sent if m.kind == "announcement").text
        assert sorted(to for to, m in whatsapp.sent if alert in m.text) == sorted(ON_WHATSAPP)
        reminded = Counter((to, via) for via, t in (("slack", slack), ("whatsapp", whatsapp))
                           for to, m in t.sent if REMINDER in m.text)  # on WhatsApp, maybe in a digest
        assert reminded == Counter({(p, "whatsapp" if p in ON_WHATSAPP else "slack"): 1 for p in STEP_4})
        async with runtimes[firing].db.connect() as conn:
            undelivered = (await conn.execute(select(T.outbox.c.id).where(T.outbox.c.delivered_at.is_(None)))).all()
        assert undelivered == []
    finally:
        for rt in runtimes.values():
            await rt.stop()


async def test_a_dead_peers_channel_is_no_longer_planned_its_people_fall_back(tmp_path: Path) -> None:
    """A WhatsApp process on another machine is alive, then stops beating: Luis's messages
    went to WhatsApp while it lived, and go to Slack once it has been silent for the timeout."""
    settings = settings_for(tmp_path, directory=preferring(tmp_path))
    clock = ManualClock(START)
    slack = RecordingTransport(name="slack")
    rt = await Runtime.build(settings, transports={"slack": slack}, clock=clock)
    now = wall_now()
    async with writing(rt.db) as conn:
        await repo.heartbeat_process(conn, repo.ProcessRow("peer", "elsewhere/x", 4242, "whatsapp", now, now), now)
    await rt.start()
    try:
        await rt.service.handle(Say("jaime", "ALERTA ROJA", "slack"))
        await rt.outbox.drain()
        async with writing(rt.db) as conn:  # the peer's last heartbeat is now older than the timeout
            silent = now - timedelta(seconds=settings.outbox_process_timeout_seconds + 1)
            await conn.execute(update(T.processes).where(T.processes.c.id == "peer").values(seen_at=silent))
        await rt.outbox.beat()
        clock.advance(timedelta(minutes=10))
        assert await rt.timers.sweep() > 0
        await rt.outbox.drain()
        async with rt.db.connect() as conn:
            rows = (await conn.execute(select(T.outbox.c.via, T.outbox.c.delivered_at)
                                       .where(T.outbox.c.recipient == "luis").order_by(T.outbox.c.id))).all()
        # What was written while the peer lived waits for WhatsApp (its process may come
        # back; the contact watcher reports Luis if not); what came after went by Slack.
        before = [r for r in rows if r.via == "whatsapp"]
        assert before and rows[:len(before)] == before  # all written while the peer lived
        assert all(r.delivered_at is None for r in before)
        assert all(r.via == "slack" and r.delivered_at is not None for r in rows[len(before):])
        assert [to for to, m in slack.sent if m.text.startswith(REMINDER)].count("luis") == 1
    finally:
        await rt.stop()


def test_a_channel_no_live_process_has_is_never_planned() -> None:
    peers: set[str] = {"whatsapp"}
    router = Router(DIR, {"slack": Fake("slack", "post", {"jaime"})}, peers=lambda: peers)
    assert [(d.recipient, d.via) for d in router.plan(OutMessage("luis", "x"))] == [("luis", "whatsapp")]
    peers.clear()  # the WhatsApp process died
    assert router.plan(OutMessage("luis", "x")) == []  # nobody reaches him: reported, not counted as sent
    assert [(d.recipient, d.via) for d in router.plan(OutMessage("jaime", "x"))] == [("jaime", "slack")]


def test_a_terminal_beside_slack_does_not_take_slack_peoples_messages() -> None:
    people = [p.model_copy(update={"email": None}) if p.id == "marcelo" else p for p in DIR.people]
    people = [p.model_copy(update={"prefer": ["terminal"]}) if p.id == "luis" else p for p in people]
    directory = Directory.model_validate({**DIR.model_dump(), "people": [p.model_dump() for p in people]})
    run = Router(directory, {"terminal": Fake("terminal", "post")}, peers=lambda: {"slack", "terminal"})
    everyone_but_marcelo = {p.id for p in DIR.people} - {"marcelo"}
    serve = Router(directory, {"slack": Fake("slack", "post", everyone_but_marcelo)}, peers=lambda: {"terminal", "slack"})
    for router in (run, serve):  # both plan alike, whichever commits
        assert router.channel_for(directory.get("jaime")) == "slack"  # type: ignore[arg-type]
        assert router.channel_for(directory.get("luis")) == "terminal"  # type: ignore[arg-type]  # he asked
        assert router.channel_for(directory.get("marcelo")) == "terminal"  # type: ignore[arg-type]  # Slack cannot
        assert sorted(d.via for d in router.plan(OutMessage(GROUP, "🚨", kind="announcement"))) == ["slack", "terminal"]


def test_sms_of_another_process_stays_the_last_resort() -> None:
    router = Router(DIR, {"slack": Fake("slack", "post", set())}, peers=lambda: {"sms", "whatsapp"})
    luis = DIR.get("luis")
    assert luis is not None and router.order(luis)[-1] == "sms" and router.channel_for(luis) == "whatsapp"
