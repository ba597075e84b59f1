"""Stopping and starting again on the same database: state intact, undelivered messages
sent, the overdue reminder fired exactly once; the playbook stays frozen in the crisis."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.outbox import TransientError
from flows.clock import ManualClock
from flows.messages import OutMessage
from tests.support import PLAYBOOK, START, Chat, settings_for


async def test_restart_continues_the_crisis_and_fires_the_overdue_reminder_once(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    first = await Chat.open(settings, ManualClock(START))
    await first.say("Jaime", "ALERTA ROJA: caída")
    await first.press("Cecilia", "Lo tomo", containing="Contacto con Entel")
    await first.close()  # the process stops; the 10-minute reminders are still pending rows

    # Back 25 minutes later: the reminders at 10 and 20 minutes are overdue.
    clock = ManualClock(START + timedelta(minutes=25))
    second, third = await asyncio.gather(Chat.open(settings, clock), Chat.open(settings, clock))  # two replicas
    try:
        await second.say("Luis", "estado")
        status = second.inbox("Luis")[-1].text
        assert "🟡 2 Contacto con Entel — Cecilia" in status
        reminders = [m for c in (second, third) for m in c.inbox("Valeria")
                     if m.text.startswith("⏰ Recordatorio: la tarea 4 ")]
        assert len(reminders) == 1  # seq 1 and 2 due together: the latest once, across both replicas
        await second.rt.timers.sweep()
        await third.rt.timers.sweep()
        again = [m for c in (second, third) for m in c.inbox("Valeria") if m.text.startswith("⏰ Recordatorio: la tarea 4 ")]
        assert len(again) == 1
        await second.advance("5m")  # the escalation at 30 minutes comes next, once
        assert len(second.received("Jaime", "Escalamiento: la tarea 4")) == 1
    finally:
        await second.close()
        await third.close()


class FlakyTransport:
    name = "test"
    group_mode = "post"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[tuple[str, OutMessage]] = []

    def reaches(self, person: object) -> bool:
        return True

    async def deliver(self, recipient: str, message: OutMessage) -> str | None:
        if self.failures:
            self.failures -= 1
            raise TransientError("503 from the platform", retry_after=0)
        self.sent.append((recipient, message))
        return None


async def test_undelivered_messages_are_retried_and_delivered_once(tmp_path: Path) -> None:
    from bot.runtime import Runtime
    from flows.commands import Say

    transport = FlakyTransport(failures=3)
    clock = ManualClock(START)
    runtime = await Runtime.build(settings_for(tmp_path), transports={"test": transport}, clock=clock)
    try:
        await runtime.service.handle(Say("jaime", "estado", "test"))
        await runtime.outbox.drain()
        for _ in range(3):
            await runtime.outbox.drain()
        assert [m.text for _, m in transport.sent] == ["No hay ninguna crisis abierta."]
    finally:
        await runtime.stop()


async def test_messages_committed_before_a_crash_are_sent_after_restart(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    transport = FlakyTransport(failures=0)
    from bot.runtime import Runtime
    from flows.commands import Say

    runtime = await Runtime.build(settings, transports={"test": transport}, clock=ManualClock(START))
    runtime.outbox.kick = lambda: None  # type: ignore[method-assign]  # the process dies right after the commit
    await runtime.service.handle(Say("jaime", "ALERTA ROJA", "test"))
    await runtime.stop()
    assert transport.sent == []
    later = await Chat.open(settings, ManualClock(START + timedelta(minutes=1)))
    try:
        assert later.received("grupo", "🚨 ALERTA ROJA · decretada por Jaime")
        assert len(later.received("Luis", "📋 Paso 2 · Contacto con Entel")) == 1
    finally:
        await later.close()


async def test_editing_the_playbook_does_not_change_the_running_crisis(tmp_path: Path) -> None:
    edited = tmp_path / "pb.yaml"
    edited.write_text(PLAYBOOK.read_text(encoding="utf-8"), encoding="utf-8")
    first = await Chat.open(settings_for(tmp_path, playbook=edited))
    await first.say("Jaime", "ALERTA ROJA")
    await first.close()
    edited.write_text(PLAYBOOK.read_text(encoding="utf-8").replace("es: Contacto con Entel", "es: Llamar a Movistar"),
                      encoding="utf-8")
    second = await Chat.open(settings_for(tmp_path, playbook=edited))
    try:
        await second.say("Luis", "estado")
        assert "2 Contacto con Entel" in second.inbox("Luis")[-1].text
        await second.say("Jaime", "FIN DE LA CRISIS")
        await second.press("Jaime", "Cerrar igual")  # work undone: asked first; 8c, 8e undo what was never done
        for step in ("Informar a los clientes", "Email masivo de fin", "Volver a la normalidad"):
            await second.press("Jaime", "Hecho", containing=step)
        await second.say("Jaime", "ALERTA ROJA")  # a new crisis takes the edited playbook
        assert second.received("grupo", "2 Llamar a Movistar")
    finally:
        await second.close()


async def test_two_senders_on_one_outbox_deliver_each_message_once(tmp_path: Path) -> None:
    from bot.outbox import OutboxSender
    from bot.runtime import Runtime
    from flows.commands import Say

    first, second = FlakyTransport(0), FlakyTransport(0)
    runtime = await Runtime.build(settings_for(tmp_path), transports={"test": first}, clock=ManualClock(START))
    runtime.outbox.kick = lambda: None  # type: ignore[method-assign]
    other = OutboxSender(runtime.db, runtime.clock, lambda _via: second)
    try:
        await runtime.service.handle(Say("jaime", "ALERTA ROJA", "test"))
        await asyncio.gather(runtime.outbox.drain(), other.drain(), runtime.outbox.drain(), other.drain())
        sent = [(r, m.text) for r, m in first.sent + second.sent]
        assert len(sent) == len(set(sent)) > 20
    finally:
        await runtime.stop()


async def test_rows_behind_a_failed_one_are_not_held_back(tmp_path: Path) -> None:
    """A transient failure delays the failed row only; the recipient's later rows go on
    the next drain, not when their lease would have run out."""
    from bot.runtime import Runtime
    from flows.commands import Say

    transport = FlakyTransport(failures=1)
    clock = ManualClock(START)
    runtime = await Runtime.build(settings_for(tmp_path), transports={"test": transport}, clock=clock,
                                  concurrency=4)
    runtime.outbox.kick = lambda: None  # type: ignore[method-assign]
    try:
        await runtime.service.handle(Say("jaime", "estado", "test"))
        await runtime.service.handle(Say("jaime", "ayuda", "test"))
        await runtime.outbox.drain()  # the first fails (retry at once), the second is given back
        await runtime.outbox.drain()
        assert [m.text[:20] for _, m in transport.sent] == ["No hay ninguna crisi", "📖 Qué puedes escribi"]
    finally:
        await runtime.stop()
