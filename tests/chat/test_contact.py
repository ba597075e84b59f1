"""«Undeliverable means somebody knows», as whole conversations: a WhatsApp-only company
(the group relayed person by person) where one person's messages fail, or stay pending."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.outbox import PermanentError, TransientError
from bot.runtime import Runtime
from flows.clock import ManualClock
from flows.messages import OutMessage
from flows.playbook import parse_duration
from persistence import repository as repo
from persistence.database import reading
from tests.support import START, Chat, RecordingTransport, settings_for


@dataclass
class Phones(RecordingTransport):
    """WhatsApp as the outbox sees it: group messages relayed one per person. Messages to
    the people in `refused` fail as Twilio fails them (permanently), to those in `silent`
    they do not go through (a transient error, retried an hour later)."""

    name: str = "whatsapp"
    group_mode: str = "relay"
    refused: set[str] = field(default_factory=set)
    silent: set[str] = field(default_factory=set)
    tried: list[tuple[str, OutMessage]] = field(default_factory=list)

    async def deliver(self, recipient: str, message: OutMessage) -> str | None:
        self.tried.append((recipient, message))
        if recipient in self.refused:
            raise PermanentError("Twilio refused the message (400, error 63016)")
        if recipient in self.silent:
            raise TransientError("Twilio answered 503", retry_after=3600)
        return await super().deliver(recipient, message)


@pytest.fixture
async def phones(tmp_path: Path) -> AsyncIterator[tuple[Chat, Phones]]:
    transport = Phones()
    clock = ManualClock(START)
    runtime = await Runtime.build(settings_for(tmp_path), transports={transport.name: transport}, clock=clock)
    await runtime.start()
    chat = Chat(runtime, transport, clock)
    try:
        yield chat, transport
    finally:
        await chat.close()


async def bitacora(chat: Chat) -> list[str]:
    async with reading(chat.rt.db) as conn:
        crisis_id = await repo.open_crisis_id(conn, chat.rt.playbook.id)
        assert crisis_id is not None
        entries = await repo.crisis_log(conn, crisis_id)
    return [f"{e.kind} {e.data}" for e in entries]


def reports(chat: Chat, name: str, about: str) -> list[str]:
    return [m.text for m in chat.inbox(name) if f"No consigo contactar a {about}" in m.text]


async def test_a_person_whose_only_channel_fails_is_reported_once(phones: tuple[Chat, Phones]) -> None:
    chat, transport = phones
    transport.refused.add("valeria")
    await chat.say("Jaime", "ALERTA ROJA: se cayó el servidor")
    await chat.settle_contact()
    [report] = reports(chat, "Juan Pablo", "Valeria")
    assert report == ("⚠️ No consigo contactar a Valeria (WhatsApp: error 63016). "
                      "Avísale por otra vía (teléfono +56911110006).")
    assert len(reports(chat, "Jaime", "Valeria")) == 1
    assert not any("Valeria" in m.text for r, m in transport.tried if r == "valeria" and "No consigo" in m.text)
    assert not reports(chat, "Cecilia", "Valeria")  # not a coordinator
    # More failing messages (the reminders at 10 and 20 minutes), then a later one: no second report.
    await chat.advance("10m")
    await chat.settle_contact()
    await chat.advance("10m")
    await chat.settle_contact()
    failed = [r for r, _ in transport.tried if r == "valeria"]
    assert len(failed) >= 3
    assert len(reports(chat, "Juan Pablo", "Valeria")) == 1 and len(reports(chat, "Jaime", "Valeria")) == 1
    log = await bitacora(chat)
    assert sum(line.startswith("contact_lost") for line in log) == 1
    # «estado» says so
    await chat.say("Claudia Martínez", "estado")
    status = chat.inbox("Claudia Martínez")[-1].text
    assert "⚠️ sin contacto: Valeria" in status and "recibieron" in status
    assert "2 Contacto con Entel — sin tomar, hace 20 min · escala 09:30" in status  # its next timer


async def test_the_whatsapp_relay_of_the_live_summary_is_no_failure(phones: tuple[Chat, Phones]) -> None:
    chat, _ = phones
    await chat.say("Jaime", "ALERTA ROJA: caída")
    await chat.say("Cecilia", "tomo 2")
    await chat.settle_contact()
    log = await bitacora(chat)
    assert not [line for line in log if line.startswith("delivery_failed")]
    assert not [line for line in log if line.startswith("contact_lost")]
    assert not any("No consigo contactar" in m.text for _, m in chat.transport.sent)


async def test_a_message_pending_past_the_threshold_is_reported_then_recovery_is_logged(
    phones: tuple[Chat, Phones],
) -> None:
    chat, transport = phones
    transport.silent.add("marcelo")
    await chat.say("Jaime", "ALERTA ROJA: caída")
    await chat.settle_contact()
    assert not reports(chat, "Jaime", "Marcelo")  # pending, not yet 10 minutes
    await chat.advance("9m")
    await chat.settle_contact()
    assert not reports(chat, "Jaime", "Marcelo")
    await chat.advance("1m")
    await chat.settle_contact()
    [report] = reports(chat, "Jaime", "Marcelo")
    assert "WhatsApp: sin entregar hace 10 min" in report
    await chat.say("Jaime", "estado")
    assert "⚠️ sin contacto: Marcelo" in chat.inbox("Jaime")[-1].text
    # The platform comes back: the retry goes through, the bitácora says so, estado too.
    transport.silent.clear()
    await chat.advance("60m")
    await chat.settle_contact()
    log = await bitacora(chat)
    assert sum(line.startswith("contact_restored") for line in log) == 1
    await chat.say("Jaime", "estado")
    assert "sin contacto" not in chat.inbox("Jaime")[-1].text
    assert len(reports(chat, "Jaime", "Marcelo")) == 1


async def test_nobody_is_reported_to_themselves(phones: tuple[Chat, Phones]) -> None:
    chat, transport = phones
    transport.refused.add("juan_pablo")  # a coordinator
    await chat.say("Jaime", "ALERTA ROJA: caída")
    await chat.settle_contact()
    assert len(reports(chat, "Jaime", "Juan Pablo")) == 1
    assert not any("No consigo contactar" in m.text for r, m in transport.tried if r == "juan_pablo")


async def test_a_message_left_pending_across_a_restart_is_reported_at_start(tmp_path: Path) -> None:
    """Nothing drains after the restart (no new command): the watcher's own look at
    start-up finds the message undelivered for too long."""
    settings = settings_for(tmp_path)
    clock = ManualClock(START)
    transport = Phones(silent={"marcelo"})
    runtime = await Runtime.build(settings, transports={transport.name: transport}, clock=clock)
    await runtime.start()
    chat = Chat(runtime, transport, clock)
    await chat.say("Jaime", "ALERTA ROJA: caída")
    await chat.settle_contact()
    await chat.close()
    clock.advance(parse_duration("15m"))
    transport = Phones(silent={"marcelo"})
    runtime = await Runtime.build(settings, transports={transport.name: transport}, clock=clock)
    await runtime.start()
    chat = Chat(runtime, transport, clock)
    try:
        await chat.settle_contact()
        [report] = reports(chat, "Jaime", "Marcelo")
        assert "sin entregar hace 15 min" in report
    finally:
        await chat.close()
