"""Whatever reaches a webhook, the bot never answers 5xx: generated Slack events,
interactivity payloads and slash commands, Twilio WhatsApp messages, status callbacks and
SMS, signed and not, posted to the real Starlette app (issue 10, «Webhooks: never a 500»).

An unsigned or badly signed request leaves nothing behind (no bitácora line, no outbox row,
no processed event, no contact) and at most one log line; a signed one Slack or Twilio
would never send gets a 4xx with at most one log line; no request logs a traceback; the
process still answers /healthz afterwards."""

from __future__ import annotations

import json
import os
import time
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from twilio.request_validator import RequestValidator

from tests.fuzz.conftest import Answer, Edge
from tests.fuzz.generators import (
    SIGNED,
    SLACK_PATH,
    SMS_PATH,
    STATUS_PATH,
    UNSIGNED,
    WHATSAPP_PATH,
    FuzzRequest,
    slack_headers,
    slack_requests,
    twilio_field_cases,
    twilio_requests,
)
from tests.slack.fake_slack import SIGNING_SECRET
from tests.whatsapp.fake_twilio import AUTH_TOKEN
from tests.whatsapp.harness import PUBLIC

FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "80")), deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


def held(edge: Edge, request: FuzzRequest) -> Answer:
    """Post `request`; assert what must hold for any request; return what it left."""
    answer = edge.send(request)
    assert answer.status < 500, request.describe()
    tracebacks = [r.getMessage() for r in answer.records if r.exc_info]
    assert not tracebacks, (request.describe(), tracebacks)
    if not request.signed:
        assert 400 <= answer.status < 500, request.describe()
        assert not any(answer.written.values()), (request.describe(), answer.written)
    if not request.signed or answer.status >= 400:
        assert len(answer.records) <= 1, (request.describe(), [r.getMessage() for r in answer.records])
    return answer


@FUZZ
@given(request=slack_requests(SIGNING_SECRET))
def test_no_slack_request_gets_a_5xx_and_unsigned_ones_leave_nothing(edge: Edge, request: FuzzRequest) -> None:
    held(edge, request)


@FUZZ
@given(request=twilio_requests(AUTH_TOKEN, PUBLIC))
def test_no_twilio_request_gets_a_5xx_and_unsigned_ones_leave_nothing(edge: Edge, request: FuzzRequest) -> None:
    held(edge, request)


def test_every_field_the_bot_reads_holding_what_twilio_never_sends_gets_200_or_400(edge: Edge) -> None:
    """A table, not a search: each read field of each Twilio webhook with each hostile value."""
    for request in twilio_field_cases(AUTH_TOKEN, PUBLIC):
        answer = held(edge, request)
        assert answer.status in (200, 400), request.describe()


# the examples, and others of their kinds ---------------------------------------


def slack(body: bytes, signing: str = SIGNED, content_type: str = "application/json") -> FuzzRequest:
    return FuzzRequest(SLACK_PATH, body, slack_headers(body, signing, SIGNING_SECRET, content_type, time.time()),
                       signing, "slack")


def interaction(payload: dict[str, object]) -> FuzzRequest:
    return slack(urlencode({"payload": json.dumps(payload)}).encode(), content_type="application/x-www-form-urlencoded")


def twilio(path: str, form: dict[str, str]) -> FuzzRequest:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + path, form)
    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
    return FuzzRequest(path, urlencode(form).encode(), headers, SIGNED, "twilio")


PRESS: dict[str, Any] = {"type": "block_actions", "user": {"id": "UJAIME", "team_id": "T0FULLPYME"}, "team": {"id": "T0FULLPYME"},
         "trigger_id": "1.2.abc", "container": {"type": "message", "message_ts": "1764000000.000100",
                                                "channel_id": "DJAIME"},
         "actions": [{"action_id": "crisis.btn.0", "block_id": "b1", "value": "claim:20261123-abcd/entel", "type": "button",
                      "action_ts": "1764000000.000200"}]}
MESSAGE = {"MessageSid": "SM" + "a" * 32, "From": "whatsapp:+56911110004", "To": "whatsapp:+14155238886",
           "Body": "estado", "NumMedia": "0"}


def test_an_unsigned_truncated_event_is_refused_unread(edge: Edge) -> None:
    answer = held(edge, slack(b'{"type": "event_callback", "event": {', signing=UNSIGNED))
    assert answer.status == 401
    for body in (b"[1, 2]", b"\xff\xfe", b'{"type": "event_callback", "event": []}'):
        assert held(edge, slack(body, signing=UNSIGNED)).status == 401


def test_signed_but_malformed_slack_payloads_get_400_with_one_line(edge: Edge) -> None:
    cases = [
        interaction({**PRESS, "actions": []}),  # the example
        interaction({**PRESS, "actions": [{}]}),
        interaction({**PRESS, "actions": "btn:0"}),
        interaction({**PRESS, "container": {"type": "message", "channel_id": "DJAIME"}}),  # no message_ts to redraw
        interaction({**PRESS, "container": {"type": "view"}}),
        interaction({**PRESS, "user": {"id": "U" + "A" * 100}}),  # longer than any id column
        interaction({**PRESS, "user": "UJAIME", "authorizations": "x"}),
        interaction({**PRESS, "actions": [{**PRESS["actions"][0], "value": "v" * 2001}]}),
        interaction({**PRESS, "actions": [{**PRESS["actions"][0], "block_id": "ref:card:" + "x" * 200}]}),
        interaction({"type": "view_submission", "user": {"id": "UJAIME"},
                     "view": {"id": "V1", "type": "modal", "callback_id": "crisis_input", "private_metadata": "{"}}),
        interaction({"type": "view_submission", "user": {"id": "UJAIME"}, "view": {"id": "V1", "callback_id": "crisis_input"}}),
        slack(b'{"type": "event_callback", "event": {'),  # signed, truncated
        slack(b'{"type": "event_callback", "event_id": "Ev1", "event": {"type": "message", "user": 5}}'),
        slack(b'{"type": "event_callback", "event_id": "Ev2", "event": {"type": "message", "text": "a\\u0000b"}}'),
        slack(b'{"type": "event_callback", "event_id": "Ev3", "event": {"type": "app_home_opened", "user": "\\ud800"}}'),
        slack(b'{"type": "event_callback", "event_id": "Ev4", "event": {"type": "app_home_opened", "channel": "DLUIS"}}'),
        slack(b"[" * 5000 + b"]" * 5000),
        slack(urlencode({"command": "/crisis", "user_id": "UJAIME", "text": "x" * 5000}).encode(),
              content_type="application/x-www-form-urlencoded"),
    ]
    for request in cases:
        answer = held(edge, request)
        assert answer.status == 400, request.describe()
        assert len(answer.records) == 1, request.describe()
        assert request.body.decode("utf-8", "replace")[:40] not in answer.records[0].getMessage()


def test_signed_but_malformed_twilio_forms_get_400_with_one_line(edge: Edge) -> None:
    cases = [
        twilio(WHATSAPP_PATH, {**MESSAGE, "NumMedia": "²"}),  # the example: "²".isdigit() is True
        twilio(WHATSAPP_PATH, {**MESSAGE, "NumMedia": "99"}),
        twilio(WHATSAPP_PATH, {**MESSAGE, "From": "whatsapp:+" + "5" * 90}),  # longer than outbox.recipient
        twilio(WHATSAPP_PATH, {**MESSAGE, "MessageSid": "SM" + "a" * 120}),
        twilio(WHATSAPP_PATH, {**MESSAGE, "Body": "x" * 5000}),
        twilio(WHATSAPP_PATH, {**MESSAGE, "Body": "a\x00b"}),
        twilio(WHATSAPP_PATH, {**MESSAGE, "ButtonPayload": "claim:" + "x" * 300}),
        twilio(STATUS_PATH, {"MessageSid": "SM" + "b" * 32, "MessageStatus": "failed", "ErrorCode": "³"}),
        twilio(STATUS_PATH, {"MessageSid": "not a sid", "MessageStatus": "failed"}),
        twilio(SMS_PATH, {**MESSAGE, "From": "+" + "5" * 40}),
        twilio(SMS_PATH, {**MESSAGE, "From": "+56911110005", "Body": "x" * 1601}),
    ]
    for request in cases:
        answer = held(edge, request)
        assert answer.status == 400, request.describe()
        assert len(answer.records) == 1 and "refused with 400" in answer.records[0].getMessage(), request.describe()
        assert not any(answer.written.values()), request.describe()


def test_a_body_too_large_is_refused_before_it_is_read(edge: Edge) -> None:
    huge = b"x" * (2 * 1024 * 1024)
    assert held(edge, slack(huge)).status == 413
    request = twilio(WHATSAPP_PATH, {**MESSAGE, "Extra": "x" * 300_000})
    assert held(edge, request).status == 413


def test_well_formed_requests_still_work_and_the_process_answers_healthz(edge: Edge) -> None:
    """After everything above, in the same process: a signed «estado» is taken and answered."""
    answer = held(edge, twilio(WHATSAPP_PATH, {**MESSAGE, "MessageSid": "SM" + "c" * 32}))
    assert answer.status == 200 and answer.written["processed_events"] >= 1 and answer.written["outbox"] >= 1
    event = {"type": "event_callback", "event_id": "Ev0FUZZDONE", "team_id": "T0FULLPYME",
             "event": {"type": "message", "user": "UJAIME", "channel": "DJAIME", "channel_type": "im",
                       "text": "estado", "ts": "1764000000.000300"}}
    answer = held(edge, slack(json.dumps(event).encode()))
    assert answer.status == 200 and answer.written["processed_events"] == 1
    assert edge.healthz() == 200
