"""Socket Mode (SLACK_APP_TOKEN): the same Bolt app, fed through Slack's WebSocket instead
of POST /slack/events, so the bot runs without a public URL."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from tests.slack.conftest import OpenWorkspace
from tests.slack.fake_slack import APP_TOKEN
from tests.slack.harness import CHANNEL, Workspace


def _wait(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _push(slack: Workspace, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    envelope_id = secrets.token_hex(8)
    slack.fake.push({"envelope_id": envelope_id, "type": kind, "payload": payload, "retry_attempt": 0,
                     "retry_reason": "", "accepts_response_payload": kind != "events_api"})
    _wait(lambda: any(a["envelope_id"] == envelope_id for a in slack.fake.socket_acks))
    slack.settle()
    return next(a for a in slack.fake.socket_acks if a["envelope_id"] == envelope_id)


def test_socket_mode_runs_a_crisis_without_a_public_url(open_slack: OpenWorkspace) -> None:
    slack = open_slack(slack_app_token=APP_TOKEN, slack_signing_secret=None)
    _wait(slack.fake.connected)
    assert [c.token for c in slack.fake.called("apps.connections.open")] == [APP_TOKEN]
    event = json.loads(slack.event_body(slack.message_event("Jaime", "ALERTA ROJA: sin internet", CHANNEL)))
    _push(slack, "events_api", event)
    assert "Situación: sin internet" in slack.announcement().shown
    _push(slack, "events_api", event)  # redelivered: processed once
    assert len(slack.got("Cecilia", "📋 Paso 2 · Contacto con Entel")) == 1

    message, button = slack.find_button("Cecilia", "Lo tomo", containing="Contacto con Entel")
    _push(slack, "interactive", slack.press_payload("Cecilia", message, button))
    assert slack.got("Cecilia", "Listo, la tarea 2 (Contacto con Entel) es tuya.")

    ack = _push(slack, "slash_commands", slack.command_form("Luis", "estado"))
    assert "mensaje directo" in ack["payload"]["text"]
    assert slack.got("Luis", "📊 Estado de la crisis")
    # no HTTP door without a signing secret
    assert slack.client.post("/slack/events", content=b"{}").status_code in (404, 405)
