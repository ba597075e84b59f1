"""Slack requests while another process holds SQLite's write lock (bot/inbox.py): Slack
waits 3 s for the ack and never sends a button press or a slash command again, so the bot
acks within its budget, tells the person it is recording it, and takes it once the lock
is gone, exactly once."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from persistence.spool import Spool
from tests.dblock import WriteLock, sqlite_file
from tests.kept import claims, settle_kept
from tests.slack.conftest import OpenWorkspace
from tests.slack.harness import Workspace

SLACK_ACK_LIMIT = 3.0  # seconds (https://docs.slack.dev/tools/bolt-python/concepts/acknowledge)
FAST: dict[str, Any] = {"inbox_slack_budget_seconds": 0.3, "inbox_retry_seconds": 0.05}


@pytest.mark.parametrize("busy_ms", [100, 2500], ids=["retried-from-the-spool", "first-attempt-commits-late"])
def test_a_press_during_a_write_lock_is_acked_kept_and_taken_once(open_slack: OpenWorkspace, busy_ms: int) -> None:
    slack = open_slack(sqlite_busy_timeout_ms=busy_ms, **FAST)
    slack.write("Jaime", "ALERTA ROJA")
    message, lo_tomo = slack.find_button("Cecilia", "Lo tomo", containing="Contacto con Entel")
    with WriteLock(sqlite_file(slack.rt.settings)):
        started = time.monotonic()
        response = slack.interaction(slack.press_payload("Cecilia", message, lo_tomo), settle=False)
        assert response.status_code == 200
        assert time.monotonic() - started < SLACK_ACK_LIMIT - 1.0  # acked within the budget, not after the lock
        assert slack.client.portal is not None
        slack.client.portal.call(slack.feature.ctx.idle)
        [received] = slack.ephemeral_to("Cecilia")
        assert received.startswith("📥 Recibido. Lo estoy registrando")
        assert Spool(slack.rt.settings.inbox_path).pending()  # kept on disk
        time.sleep(0.2)  # the lock outlives a few retries
        assert not slack.got("Cecilia", "es tuya")
    settle_kept(slack)
    assert len(slack.got("Cecilia", "Listo, la tarea 2 (Contacto con Entel) es tuya.")) == 1
    [card] = slack.got("Cecilia", "📋 Paso 2 · Contacto con Entel")  # her card, redrawn in place
    assert "🟡 Es tuya desde las 09:00." in card.shown and list(card.buttons()) == ["Hecho", "No puedo"]
    [luis_card] = slack.got("Luis", "📋 Paso 2 · Contacto con Entel")
    assert "🟡 La tomó Cecilia a las 09:00." in luis_card.shown
    assert claims(slack) == 1
    assert Spool(slack.rt.settings.inbox_path).pending() == []


def test_a_slash_command_during_a_write_lock_is_answered_received_then_done(open_slack: OpenWorkspace) -> None:
    slack = open_slack(sqlite_busy_timeout_ms=100, **FAST)
    slack.write("Jaime", "ALERTA ROJA")
    with WriteLock(sqlite_file(slack.rt.settings)):
        body = urlencode(slack.command_form("Luis", "estado", channel="C0CRISIS")).encode()
        started = time.monotonic()
        response = slack.post(body, "application/x-www-form-urlencoded", settle=False)
        assert time.monotonic() - started < SLACK_ACK_LIMIT - 1.0
        assert response.status_code == 200
        ack = response.json()  # the ack's own ephemeral text
        assert ack["response_type"] == "ephemeral" and ack["text"].startswith("📥 Recibido.")
    settle_kept(slack)
    assert slack.got("Luis", "Contacto con Entel — sin tomar")  # the status it asked for, once recorded


def test_a_press_on_the_app_home_during_a_write_lock_redraws_the_home_once_taken(open_slack: OpenWorkspace) -> None:
    slack = open_slack(sqlite_busy_timeout_ms=100, **FAST)
    slack.write("Jaime", "ALERTA ROJA: sin internet")
    slack.open_home("Valeria")
    with WriteLock(sqlite_file(slack.rt.settings)):
        # the harness's App Home press, without waiting for the outbox (the lock is held)
        slack.interaction = lambda payload, settle=True: Workspace.interaction(slack, payload, settle=False)  # type: ignore[method-assign]
        assert slack.press_home("Valeria", "Lo tomo", containing="Banner").status_code == 200
        del slack.interaction
        assert slack.client.portal is not None
        slack.client.portal.call(slack.feature.ctx.idle)
        assert slack.got("Valeria", "📥 Recibido. Lo estoy registrando")  # no conversation to answer in: a DM
        home = slack.fake.home_of(slack.user("Valeria"))
        assert home is not None and "🟡 Es tuya" not in json.dumps(home, ensure_ascii=False)
    settle_kept(slack)
    assert len(slack.got("Valeria", "Listo, la tarea 4 (Banner de emergencia en fullpyme.cl) es tuya.")) == 1
    home = slack.fake.home_of(slack.user("Valeria"))
    assert home is not None and "🟡 Es tuya desde las 09:00." in json.dumps(home, ensure_ascii=False)


def test_a_modal_and_a_direct_message_during_a_write_lock_are_kept_and_taken_once(open_slack: OpenWorkspace) -> None:
    slack = open_slack(sqlite_busy_timeout_ms=100, **FAST)
    slack.write("Jaime", "ALERTA ROJA")
    slack.press("Cecilia", "Hecho", containing="Contacto con Entel")  # opens the modal for the ticket
    with WriteLock(sqlite_file(slack.rt.settings)):
        slack.interaction = lambda payload, settle=True: Workspace.interaction(slack, payload, settle=False)  # type: ignore[method-assign]
        assert slack.submit("Cecilia", "T-4455").status_code == 200
        del slack.interaction
        dm = slack.event_body(slack.message_event("Luis", "estado", channel=None))
        assert slack.post(dm, "application/json", settle=False).status_code == 200
        assert slack.client.portal is not None
        slack.client.portal.call(slack.feature.ctx.idle)
        assert slack.got("Cecilia", "📥 Recibido.")  # the modal is closed: told by direct message
        assert any(text.startswith("📥 Recibido.") for text in slack.ephemeral_to("Luis"))
    settle_kept(slack)
    assert len(slack.got("Cecilia", "✔️ Registrado: tarea 2 (Contacto con Entel) hecha · el número de ticket de Entel: T-4455")) == 1
    assert len(slack.got("Luis", "Contacto con Entel — Cecilia")) == 1  # his «estado», answered once
