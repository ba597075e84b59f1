"""WhatsApp webhooks while another process holds SQLite's write lock (bot/inbox.py):
Twilio waits 15 s for the answer and does not post the message again after an error, so
the bot answers within its budget with «recibido» in the TwiML reply, keeps the message,
and takes it once the lock is gone, exactly once; or tells the person it was not taken."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import httpx
import pytest

from persistence.spool import Spool
from tests.dblock import WriteLock, sqlite_file
from tests.kept import claims, settle_kept
from tests.whatsapp.conftest import OpenPhones
from tests.whatsapp.harness import Phones, sign

TWILIO_LIMIT = 15.0  # seconds (https://www.twilio.com/docs/api/errors/11205)
FAST: dict[str, Any] = {"inbox_twilio_budget_seconds": 0.3, "inbox_retry_seconds": 0.05}
PATH = "/twilio/whatsapp"


def write_unsettled(phones: Phones, name: str, body: str) -> httpx.Response:
    """A message as Twilio posts it, without waiting for the outbox. (At the alert each
    person gets one digest of their cards, answered by writing «tomo 2».)"""
    params = phones.message_form(phones.number(name), body, name)
    response: httpx.Response = phones.client.post(PATH, data=params, headers={"X-Twilio-Signature": sign(PATH, params)})
    return response


@pytest.mark.parametrize("busy_ms", [100, 2500], ids=["retried-from-the-spool", "first-attempt-commits-late"])
def test_a_take_during_a_write_lock_is_answered_received_and_taken_once(open_phones: OpenPhones, busy_ms: int) -> None:
    phones = open_phones(sqlite_busy_timeout_ms=busy_ms, **FAST)
    phones.write("Jaime", "ALERTA ROJA: caída del servidor")
    with WriteLock(sqlite_file(phones.rt.settings)):
        started = time.monotonic()
        response = write_unsettled(phones, "Cecilia", "tomo 2")
        assert time.monotonic() - started < TWILIO_LIMIT / 5  # the budget, not the lock
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
        assert "<Message>📥 Recibido. Lo estoy registrando" in response.text  # the webhook's own reply
        assert Spool(phones.rt.settings.inbox_path).pending()
        time.sleep(0.2)  # the lock outlives a few retries
        assert not phones.got("Cecilia", "es tuya")
    settle_kept(phones)
    assert len(phones.got("Cecilia", "Listo, la tarea 2 (Contacto con Entel) es tuya.")) == 1
    phones.write("Luis", "estado")  # the others' cards are not redrawn on WhatsApp: «estado» says it
    assert "Contacto con Entel — Cecilia" in phones.texts("Luis")[-1]
    assert claims(phones) == 1
    assert Spool(phones.rt.settings.inbox_path).pending() == []


def test_a_take_never_committed_is_reported_not_taken_on_whatsapp(open_phones: OpenPhones) -> None:
    phones = open_phones(sqlite_busy_timeout_ms=100, **FAST)
    phones.write("Jaime", "ALERTA ROJA: caída del servidor")
    assert phones.client.portal is not None
    with WriteLock(sqlite_file(phones.rt.settings)):
        response = write_unsettled(phones, "Cecilia", "tomo 2")
        assert "Recibido" in response.text
        phones.clock.advance(timedelta(minutes=10))  # the lock outlives the inbox's ten minutes
        phones.client.portal.call(phones.rt.inbox.retry)
        deadline = time.monotonic() + 5
        while not phones.got("Cecilia", "No pude registrar «tomo 2»"):
            assert time.monotonic() < deadline, "Cecilia was never told"
            time.sleep(0.02)
    assert phones.rt.inbox.pending == 0
    phones.settle()
    assert claims(phones) == 0 and not phones.got("Cecilia", "es tuya")
