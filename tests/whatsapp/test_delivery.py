"""Delivery through Twilio: retries on 429 and 5xx (honouring Retry-After), the sender's
pace, status callbacks into the bitácora, and the fallback of an undelivered card."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.routing import Delivery
from flows.commands import Say
from flows.messages import Action, ActionKind, Button, LogEntry, OutMessage
from handlers.whatsapp.status import StatusUpdate, handle_status
from persistence import repository as repo
from persistence import tables as T
from tests.support import DIRECTORY, RecordingTransport
from tests.whatsapp.conftest import OpenPhones
from tests.whatsapp.harness import Phones


def log_of(phones: Phones) -> list[LogEntry]:
    async def read() -> list[LogEntry]:
        async with phones.rt.db.connect() as conn:
            ids = [c.id for c in await repo.list_crises(conn)]
            return [e for crisis_id in ids for e in await repo.crisis_log(conn, crisis_id)]

    assert phones.client.portal is not None
    return phones.client.portal.call(read)


def say(phones: Phones, person: str, text: str) -> None:
    assert phones.client.portal is not None
    phones.client.portal.call(phones.rt.service.handle, Say(person, text, "terminal"))
    phones.settle()


def pending_rows(phones: Phones) -> list[repo.OutboxRow]:
    async def read() -> list[repo.OutboxRow]:
        async with phones.rt.db.connect() as conn:
            return await repo.pending_outbox(conn, phones.clock.now() + timedelta(days=1))

    assert phones.client.portal is not None
    return phones.client.portal.call(read)


class OtherChannel:
    """A second channel (as Slack or the terminal would be) that reaches everybody."""

    name = "other"

    def __init__(self) -> None:
        self.recording = RecordingTransport()

    def transports(self) -> dict[str, Any]:
        return {"test": self.recording}

    def routes(self) -> list[Any]:
        return []

    async def start(self, runtime: Any) -> None:
        pass

    async def stop(self) -> None:
        pass


def test_429_and_5xx_are_retried_honouring_retry_after(phones: Phones) -> None:
    luis = "whatsapp:+56911110005"
    phones.twilio.fail_next(429, code=20429, retry_after="120", to=luis)
    say(phones, "jaime", "ALERTA ROJA")
    assert not phones.got("Luis", "🚨 ALERTA ROJA")  # refused once, waiting its turn
    [row] = [r for r in pending_rows(phones) if r.recipient == "luis"]  # the alert and his cards: one digest
    assert row.message.text.startswith("🚨 ALERTA ROJA") and "📋 Paso 2 · Contacto con Entel" in row.message.text
    phones.advance("1m")
    assert not phones.got("Luis", "🚨 ALERTA ROJA")  # Retry-After: 120 s not over yet
    phones.twilio.fail_next(503, to=luis)
    phones.advance("1m")  # due now: 503, retried again later
    assert not phones.got("Luis", "🚨 ALERTA ROJA")
    phones.advance("5m")
    texts = phones.texts("Luis")
    assert "🚨 ALERTA ROJA" in texts[0] and any("Contacto con Entel" in text for text in texts)
    assert len([form for form in phones.twilio.refused if form["To"] == luis]) == 2
    assert len(phones.got("Luis", "🚨 ALERTA ROJA")) == 1


def test_a_refused_message_is_not_retried(open_phones: OpenPhones) -> None:
    other = OtherChannel()
    phones = open_phones(extra_features=[other])
    phones.twilio.fail_next(400, code=21211, to="whatsapp:+56911110005")  # "invalid To number"
    say(phones, "jaime", "ALERTA ROJA")
    assert len([f for f in phones.twilio.refused if f["To"] == "whatsapp:+56911110005"]) == 1
    entries = log_of(phones)
    assert any(e.kind == "delivery_failed" and e.data["to"] == "luis" for e in entries)
    assert any(e.kind == "whatsapp_fallback" and e.data == {"to": "luis", "via": "test"} for e in entries)
    assert any(r == "luis" and m.text.startswith("🚨 ALERTA ROJA") for r, m in other.recording.sent)


def test_the_sender_is_paced_to_its_messages_per_second(open_phones: OpenPhones) -> None:
    phones = open_phones(twilio_messages_per_second=20)  # one every 50 ms
    assert phones.client.portal is not None

    async def enqueue() -> None:
        async with phones.rt.db.begin() as conn:
            await repo.enqueue(conn, None, [Delivery("luis", "whatsapp", OutMessage("luis", f"m{i}")) for i in range(8)],
                               phones.clock.now())

    phones.client.portal.call(enqueue)
    started = time.monotonic()
    phones.settle()
    elapsed = time.monotonic() - started
    # Luis never wrote: short approved templates, the text in {{1}}
    assert [s.variables["1"] for s in phones.twilio.to("+56911110005")] == [f"m{i}" for i in range(8)]
    assert elapsed >= 7 * 0.05 * 0.9  # 8 sends, 7 gaps of at least 50 ms


def test_receipts_go_into_the_bitacora_not_into_the_chat_report(phones: Phones) -> None:
    say(phones, "jaime", "ALERTA ROJA")
    [alert] = phones.got("Luis", "🚨 ALERTA ROJA")
    assert phones.status(alert.sid, "sent").status_code == 200  # not recorded
    phones.status(alert.sid, "delivered", to="whatsapp:+56911110005")
    phones.status(alert.sid, "read", to="whatsapp:+56911110005")
    phones.status(alert.sid, "read", to="whatsapp:+56911110005")  # repeated: recorded once
    assert phones.status("SM" + "f" * 32, "delivered").status_code == 200  # not ours: ignored
    receipts = [(e.kind, e.data["to"], e.channel) for e in log_of(phones) if e.kind in ("whatsapp_delivered", "whatsapp_read")]
    assert receipts == [("whatsapp_delivered", "luis", "whatsapp"), ("whatsapp_read", "luis", "whatsapp")]
    phones.write("Jaime", "bitácora")
    bitacora = phones.texts("Jaime")[-1]
    assert "Decretó ALERTA ROJA" in bitacora and "leyó el mensaje" not in bitacora


def test_an_undelivered_card_falls_back_to_the_other_channel(open_phones: OpenPhones, tmp_path: Any) -> None:
    other = OtherChannel()
    text = DIRECTORY.read_text(encoding="utf-8").replace('whatsapp: "+56911110005"',
                                                          'whatsapp: "+56911110005"\n    prefer: [whatsapp, test]')
    directory = tmp_path / "directory.yaml"
    directory.write_text(text, encoding="utf-8")
    phones = open_phones(extra_features=[other], directory=directory)
    say(phones, "jaime", "ALERTA ROJA")
    [card] = phones.twilio.to("+56911110005")  # the alert and his cards, one digest
    assert "tomo 2" in card.variables["3"]
    assert not [m for r, m in other.recording.sent if r == "luis"]  # WhatsApp first, as Luis prefers
    phones.status(card.sid, "undelivered", error="63024", to="whatsapp:+56911110005")  # e.g. not on WhatsApp
    [fallback] = [m for r, m in other.recording.sent if r == "luis"]
    assert fallback.kind == "digest" and "📋 Paso 2 · Contacto con Entel" in fallback.text
    assert {"Lo tomo · 2", "Hecho · 2", "No puedo · 2"} <= {b.label for b in fallback.buttons}  # every task answerable
    entries = [(e.kind, e.data) for e in log_of(phones) if e.kind.startswith("whatsapp_")]
    assert ("whatsapp_failed", {"to": "luis", "sid": card.sid, "status": "undelivered", "error": "63024"}) in entries
    assert ("whatsapp_fallback", {"to": "luis", "via": "test"}) in entries
    phones.status(card.sid, "undelivered", error="63024")  # Twilio repeating itself: no second copy
    assert len([m for r, m in other.recording.sent if r == "luis"]) == 1


def test_a_failed_card_without_another_channel_counts_as_unanswered(phones: Phones) -> None:
    say(phones, "jaime", "ALERTA ROJA")
    for name in ("Valeria", "Cecilia", "Catalina", "Juan Pablo", "Jaime", "Luis"):
        card = phones.twilio.to(phones.number(name))[0]  # the alert and the cards: one digest, with step 4's
        assert "tomo 4" in card.variables["3"]
        phones.status(card.sid, "failed", error="63003", to=card.to)
    unanswered = {e.data["to"] for e in log_of(phones) if e.kind == "whatsapp_unanswered"}
    assert {"valeria", "cecilia", "catalina", "juan_pablo", "jaime", "luis"} == unanswered
    phones.advance("30m")  # the escalation timers kept running: the coordinators hear of it
    phones.write("Jaime", "bitácora")  # his answer brings what the short template left out, then the bitácora
    assert [t for t in phones.texts("Jaime")
            if "🔺 Escalamiento: la tarea 4 (Banner de emergencia en fullpyme.cl) sigue sin responsable" in t]
    bitacora = "\n".join(phones.texts("Jaime")[-3:])
    assert "WhatsApp no llegó a Valeria y no hay otro canal: cuenta como sin respuesta" in bitacora


def test_a_failure_reported_before_the_sid_is_recorded_is_not_lost(phones: Phones) -> None:
    rt = phones.rt
    card = OutMessage("luis", "📋 Paso 4 · Banner", (Button("Lo tomo", Action(ActionKind.CLAIM, "c1/banner")),),
                      ref="card:c1/banner", kind="card")

    async def scenario() -> None:
        async with rt.db.begin() as conn:
            await repo.enqueue(conn, None, [Delivery("luis", "whatsapp", card)], rt.clock.now())
            [row] = await repo.pending_outbox(conn, rt.clock.now())

        async def sender_records_the_sid_late() -> None:
            await asyncio.sleep(0.3)
            async with rt.db.begin() as conn:
                await repo.mark_delivered(conn, row, "whatsapp", rt.clock.now(), "SM" + "7" * 32)

        renderer = rt.service.router.transport("whatsapp").renderer  # type: ignore[attr-defined]
        await asyncio.gather(handle_status(rt, renderer, StatusUpdate("SM" + "7" * 32, "failed", "30008")),
                             sender_records_the_sid_late())

    assert phones.client.portal is not None
    phones.client.portal.call(scenario)

    async def entries() -> list[LogEntry]:
        async with rt.db.connect() as conn:
            rows = (await conn.execute(select(T.log).where(T.log.c.kind.like("whatsapp_%")))).all()
        return [LogEntry(r.at, r.kind, r.person, r.channel, r.crisis_id, dict(r.data)) for r in rows]

    kinds = [(e.kind, e.data["to"]) for e in phones.client.portal.call(entries)]
    assert kinds == [("whatsapp_failed", "luis"), ("whatsapp_unanswered", "luis")]
