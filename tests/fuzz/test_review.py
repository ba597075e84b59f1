"""Review of issue 10's webhooks as an attacker would try them, with inputs of the same
kinds as the issue's but not the same: a signed modal whose `view.state.values` is not a
mapping, a signed event whose `text` is a list, a Twilio form with a field repeated, an
empty sender, a 2 MB unsigned body. Each gets a 4xx with at most one log line, never a
5xx or a traceback, and /healthz still answers 200 afterwards."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from starlette.datastructures import MultiDict
from twilio.request_validator import RequestValidator

from tests.fuzz.conftest import Edge
from tests.fuzz.generators import SIGNED, SLACK_PATH, SMS_PATH, UNSIGNED, WHATSAPP_PATH, FuzzRequest
from tests.fuzz.test_webhooks import MESSAGE, PRESS, held, interaction, slack
from tests.whatsapp.fake_twilio import AUTH_TOKEN
from tests.whatsapp.harness import PUBLIC


def twilio_multi(path: str, pairs: list[tuple[str, str]]) -> FuzzRequest:
    """A signed Twilio form whose fields may repeat, signed as Twilio signs them (every value
    of a repeated parameter, sorted: twilio.request_validator.compute_signature)."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + path, MultiDict(pairs))
    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
    return FuzzRequest(path, urlencode(pairs).encode(), headers, SIGNED, "twilio")


def submission(values: object) -> FuzzRequest:
    return interaction({"type": "view_submission", "user": {"id": "UJAIME"}, "team": {"id": "T0FULLPYME"},
                        "view": {"id": "V1", "type": "modal", "callback_id": "crisis_input", "private_metadata": "{}",
                                 "state": {"values": values}}})


def event(inner: dict[str, object], event_id: str) -> FuzzRequest:
    body = {"type": "event_callback", "event_id": event_id, "team_id": "T0FULLPYME",
            "event": {"type": "message", "user": "UJAIME", "channel": "DJAIME", "channel_type": "im",
                      "ts": "1764000000.000400", **inner}}
    return slack(json.dumps(body).encode())


def test_signed_slack_payloads_with_fields_of_the_wrong_type_get_4xx(edge: Edge) -> None:
    cases = [
        submission([]), submission("x"), submission(5), submission({"b": []}), submission({"b": {"a": "x"}}),
        submission({"b": {"a": {"type": "plain_text_input", "value": ["x"]}}}),
        event({"text": ["ALERTA", "ROJA"]}, "EvR1"), event({"text": {"a": 1}}, "EvR2"), event({"text": 7}, "EvR3"),
        event({"channel": ["DJAIME"], "text": "estado"}, "EvR4"), event({"ts": 5, "text": "estado"}, "EvR5"),
    ]
    for request in cases:
        answer = held(edge, request)
        assert 400 <= answer.status < 500, request.describe()
        assert not answer.written["log"], request.describe()
    assert edge.healthz() == 200


def test_signed_twilio_forms_with_a_field_repeated_or_empty_get_4xx(edge: Edge) -> None:
    base = [(k, v) for k, v in MESSAGE.items() if k != "Body"]
    cases = [
        twilio_multi(WHATSAPP_PATH, [*base, ("Body", "estado"), ("Body", "ALERTA ROJA")]),
        twilio_multi(WHATSAPP_PATH, [*[(k, v) for k, v in base if k != "From"], ("From", "whatsapp:+56911110004"),
                                     ("From", "whatsapp:+56911110005"), ("Body", "estado")]),
        twilio_multi(WHATSAPP_PATH, [*[(k, v) for k, v in base if k != "From"], ("From", "whatsapp:"), ("Body", "estado")]),
        twilio_multi(WHATSAPP_PATH, [*[(k, v) for k, v in base if k != "From"], ("From", ""), ("Body", "estado")]),
        twilio_multi(SMS_PATH, [*[(k, v) for k, v in base if k != "From"], ("From", ""), ("Body", "estado")]),
    ]
    for request in cases:
        answer = held(edge, request)
        assert 400 <= answer.status < 500, request.describe()
        assert not any(answer.written.values()), (request.describe(), answer.written)
    assert edge.healthz() == 200


def test_a_2_mb_unsigned_body_is_refused_with_one_line(edge: Edge) -> None:
    huge = b"x" * (2 * 1024 * 1024)
    for path in (SLACK_PATH, WHATSAPP_PATH, SMS_PATH):
        request = FuzzRequest(path, huge, {"Content-Type": "application/x-www-form-urlencoded"}, UNSIGNED,
                              "slack" if path == SLACK_PATH else "twilio")
        answer = held(edge, request)
        assert answer.status in (401, 403, 413), (path, answer.status)
    assert edge.healthz() == 200


def test_signed_slack_forms_with_a_field_repeated_get_400(edge: Edge) -> None:
    """Bolt keeps one of the two values silently (the last): «estado» then «ALERTA ROJA»
    would declare a crisis nobody typed alone."""
    form = "application/x-www-form-urlencoded"
    command = [("command", "/crisis"), ("user_id", "UJAIME"), ("team_id", "T0FULLPYME"), ("channel_id", "DJAIME"),
               ("trigger_id", "1.2.3")]
    cases = [
        [*command, ("text", "estado"), ("text", "ALERTA ROJA")],
        [*command[1:], ("command", "/crisis"), ("command", "/otro"), ("text", "estado")],
        [("payload", json.dumps(PRESS)), ("payload", json.dumps(PRESS))],
    ]
    for pairs in cases:
        request = slack(urlencode(pairs).encode(), content_type=form)
        answer = held(edge, request)
        assert answer.status == 400 and len(answer.records) == 1, request.describe()
        assert not any(answer.written.values()), (request.describe(), answer.written)
