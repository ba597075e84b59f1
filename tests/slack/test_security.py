"""Every request is signed: a bad, missing or stale signature gets 401 and nothing is
processed. Retried events and replayed payloads count once. Tokens never reach the logs."""

from __future__ import annotations

import json
import logging
import threading
import time
from urllib.parse import urlencode

import pytest

from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET
from tests.slack.harness import CHANNEL, Workspace, signed_headers


def _nothing_happened(slack: Workspace) -> None:
    assert slack.fake.called("chat.postMessage") == []
    assert slack.channel() == []


@pytest.mark.parametrize("case", ["wrong secret", "missing signature", "missing timestamp", "stale", "future",
                                  "not a number", "body changed"])
def test_unsigned_or_forged_requests_get_401_and_nothing_happens(slack: Workspace, case: str) -> None:
    body = slack.event_body(slack.message_event("Jaime", "ALERTA ROJA", CHANNEL))
    headers = signed_headers(body)
    if case == "wrong secret":
        headers = signed_headers(body, secret="not-the-secret")
    elif case == "missing signature":
        del headers["X-Slack-Signature"]
    elif case == "missing timestamp":
        del headers["X-Slack-Request-Timestamp"]
    elif case == "stale":
        headers = signed_headers(body, timestamp=int(time.time()) - 6 * 60)  # signed right, but 6 minutes old
    elif case == "future":
        headers = signed_headers(body, timestamp=int(time.time()) + 6 * 60)
    elif case == "not a number":
        headers["X-Slack-Request-Timestamp"] = "yesterday"
    elif case == "body changed":
        body = body.replace(b"ALERTA ROJA", b"FIN DE LA CRISIS")
    response = slack.client.post("/slack/events", content=body, headers=headers)
    slack.settle()
    assert response.status_code == 401
    _nothing_happened(slack)


def test_a_forged_button_press_or_command_is_refused(slack: Workspace) -> None:
    slack.write("Jaime", "ALERTA ROJA")
    message, button = slack.find_button("Luis", "Lo tomo", containing="Contacto con Entel")
    body = urlencode({"payload": json.dumps(slack.press_payload("Luis", message, button))}).encode()
    headers = signed_headers(body, secret="forged", content_type="application/x-www-form-urlencoded")
    assert slack.client.post("/slack/events", content=body, headers=headers).status_code == 401
    body = urlencode(slack.command_form("Luis", "cerrar")).encode()
    headers = signed_headers(body, timestamp=int(time.time()) - 3600, content_type="application/x-www-form-urlencoded")
    assert slack.client.post("/slack/events", content=body, headers=headers).status_code == 401
    slack.settle()
    assert not slack.got("Luis", "es tuya")
    assert "Total: 0 hechas · 1 en curso · 5 sin tomar" in slack.announcement().shown


def test_a_valid_signature_is_accepted_near_the_five_minute_limit(slack: Workspace) -> None:
    body = slack.event_body(slack.message_event("Jaime", "ALERTA ROJA", CHANNEL))
    headers = signed_headers(body, timestamp=int(time.time()) - 4 * 60)
    assert slack.client.post("/slack/events", content=body, headers=headers).status_code == 200
    slack.settle()
    assert "🚨 ALERTA ROJA" in slack.announcement().shown


def test_url_verification_is_answered_only_when_signed(slack: Workspace) -> None:
    body = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"}).encode()
    ok = slack.client.post("/slack/events", content=body, headers=signed_headers(body))
    assert ok.status_code == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in ok.text
    forged = slack.client.post("/slack/events", content=body, headers=signed_headers(body, secret="nope"))
    assert forged.status_code == 401


def test_a_retried_event_is_processed_once(slack: Workspace) -> None:
    body = slack.event_body(slack.message_event("Jaime", "ALERTA ROJA", CHANNEL), event_id="Ev0RETRIED")
    assert slack.post(body, "application/json").status_code == 200
    for attempt in (1, 2, 3):  # Slack retries with the same event_id
        retry = slack.post(body, "application/json",
                           {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"})
        assert retry.status_code == 200
    slack.announcement()  # exactly one
    assert len(slack.got("Cecilia", "📋 Paso 2 · Contacto con Entel")) == 1
    assert not slack.got("Jaime", "Ya hay una crisis abierta")  # the retries did not "join" it
    status = slack.event_body(slack.message_event("Luis", "estado", None), event_id="Ev0STATUS")
    slack.post(status, "application/json")
    slack.post(status, "application/json", {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    assert len(slack.got("Luis", "📊 Estado de la crisis")) == 1


def test_a_replayed_button_press_or_modal_is_processed_once(slack: Workspace) -> None:
    slack.write("Jaime", "ALERTA ROJA")
    message, button = slack.find_button("Valeria", "Lo tomo", containing="Banner")
    payload = slack.press_payload("Valeria", message, button)
    slack.interaction(payload)
    slack.interaction(payload)  # the same payload again (a replay, or Slack retrying)
    assert len(slack.got("Valeria", "Listo, la tarea 4 (Banner de emergencia en fullpyme.cl) es tuya.")) == 1
    assert not slack.got("Valeria", "ya es tuya")
    slack.press("Luis", "Hecho", containing="Contacto con Entel")
    view = slack.latest_modal("Luis")
    slack.submit("Luis", "T-1")
    slack.fake.views.append({"trigger_id": "x", "view": view})
    slack.submit("Luis", "T-2")  # the same view submitted again
    assert len(slack.got("Luis", "✔️ Registrado: tarea 2")) == 1
    assert not slack.got("Luis", "T-2") and not slack.got("Luis", "ya está hecha")


def test_two_people_pressing_lo_tomo_at_once_one_wins_the_other_is_told(slack: Workspace) -> None:
    slack.write("Jaime", "ALERTA ROJA")
    payloads = [slack.press_payload(name, *slack.find_button(name, "Lo tomo", containing="Email masivo"))
                for name in ("Valeria", "Luis")]
    start = threading.Barrier(2)
    statuses: list[int] = []

    def press(payload: dict[str, object]) -> None:
        start.wait()
        statuses.append(slack.interaction(payload, settle=False).status_code)

    threads = [threading.Thread(target=press, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slack.settle()
    assert statuses == [200, 200]
    winners = [n for n in ("Valeria", "Luis") if slack.got(n, "Listo, la tarea 5 (Email masivo) es tuya.")]
    assert len(winners) == 1
    loser = "Luis" if winners == ["Valeria"] else "Valeria"
    assert slack.got(loser, f"La tarea 5 ya la tomó {winners[0]} a las 09:00.")
    [card] = slack.got(loser, "📋 Paso 5 · Email masivo")
    assert f"🟡 La tomó {winners[0]}" in card.shown and card.buttons() == {}


def test_someone_not_in_the_directory_gets_a_polite_private_answer(slack: Workspace) -> None:
    slack.write("stranger", "ALERTA ROJA")
    [answer] = slack.ephemeral_to("stranger")
    assert "no te encuentro en el directorio de crisisbot" in answer
    assert slack.fake.ephemeral[-1]["channel"] == CHANNEL
    _nothing_happened(slack)
    slack.write("stranger", "buenos días a todos")  # chatter in a channel: no answer
    assert len(slack.ephemeral_to("stranger")) == 1
    slack.dm("stranger", "hola")  # a direct message always gets one
    assert len(slack.ephemeral_to("stranger")) == 2
    response = slack.command("stranger", "estado")
    assert response.json()["response_type"] == "ephemeral"
    assert "no te encuentro en el directorio" in response.json()["text"]
    slack.open_home("stranger")
    home = slack.fake.home_of(slack.user("stranger"))
    assert home is not None and "no te encuentro en el directorio" in json.dumps(home, ensure_ascii=False)
    _nothing_happened(slack)


def test_tokens_and_the_signing_secret_never_reach_the_logs(slack: Workspace, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    slack.write("Jaime", "ALERTA ROJA")
    slack.press("Cecilia", "Lo tomo", containing="Contacto con Entel")
    slack.fake.fail_next("chat.postMessage", status=429, retry_after="0")
    slack.dm("Luis", "estado")
    body = slack.event_body(slack.message_event("Jaime", "estado", CHANNEL))
    slack.client.post("/slack/events", content=body, headers=signed_headers(body, secret="forged"))
    replayed = slack.event_body(slack.message_event("Jaime", "la clave del router es 1234", CHANNEL))
    stale = signed_headers(replayed, timestamp=int(time.time()) - 6 * 60)  # genuine, but replayed late
    assert slack.client.post("/slack/events", content=replayed, headers=stale).status_code == 401
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "chat.postMessage" in logged or "slack" in logged.lower()  # the logs were captured
    assert BOT_TOKEN not in logged and SIGNING_SECRET not in logged
    assert "Invalid request signature detected: refused with 401" in logged  # the refusal, without the request
    assert "la clave del router" not in logged and stale["X-Slack-Signature"] not in logged
    assert BOT_TOKEN not in repr(slack.rt.settings) and SIGNING_SECRET not in repr(slack.rt.settings)
