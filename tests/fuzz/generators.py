"""Hypothesis strategies for webhook requests as an attacker or a broken proxy would send
them: Slack events (JSON), interactivity (`payload=` forms) and slash commands; Twilio
forms for WhatsApp messages, status callbacks and SMS. Each starts from a well-formed
request and is then bent: a field replaced by any JSON value or a hostile string, a field
dropped, the body truncated or replaced by bytes; and it is signed right, signed with the
wrong key, signed stale, sent with malformed signature headers, or not signed at all.

Used by tests/fuzz (a few hundred examples) and bench/fuzz_webhooks.py (thousands)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

SIGNED, FORGED, STALE, BROKEN_HEADERS, UNSIGNED = "signed", "forged", "stale", "broken headers", "unsigned"
SIGNINGS = (SIGNED, SIGNED, SIGNED, FORGED, STALE, BROKEN_HEADERS, UNSIGNED)  # mostly signed: they get furthest


@dataclass(frozen=True)
class FuzzRequest:
    path: str
    body: bytes
    headers: dict[str, str | bytes]  # bytes: sent as they are (HTTP headers are bytes; servers read latin-1)
    signing: str
    kind: str  # what it started as: "slack event", "twilio sms"...

    @property
    def signed(self) -> bool:
        return self.signing == SIGNED

    def describe(self) -> str:
        return f"{self.kind} ({self.signing}) to {self.path}: {self.body[:300]!r}"


# values ------------------------------------------------------------------------------

HOSTILE_TEXT = st.sampled_from([
    "", " ", "²", "١٢", "-1", "1e309", "NaN", "99999999999999999999", "\x00", "a\x00b", "é",
    "x" * 300, "9" * 90, "U" + "A" * 120, "<@U0X>", "ALERTA ROJA", "FIN DE LA CRISIS", "claim:", "claim:x/y",
    "done:20261123-abcd/" + "s" * 200, "ref:card:" + "c" * 200, "{", "[]", "null", "whatsapp:+", "+" + "5" * 20,
    "whatsapp:+56911110004", "🚨" * 50, "\n\t", "%00", "../../etc/passwd",
])
LONE_SURROGATE = st.just("\ud800x")  # valid in JSON ("\\ud800"), not encodable as UTF-8
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), HOSTILE_TEXT,
                      LONE_SURROGATE, st.text(max_size=40))
JSON_VALUE = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                             st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                          max_leaves=12)
NUMERIC_VALUES = ["0", "3", "10", "11", "99", "-1", "1e3", " 1", "0x1", "9" * 30, "",
                  "²", "³", "1²", "٣", "۴", "½", "Ⅻ"]  # isdigit() is True for "²", "٣"...; int() fails on some
NUMERIC = st.sampled_from(NUMERIC_VALUES)
FORM_VALUE = st.one_of(HOSTILE_TEXT, st.text(max_size=60), st.text(alphabet="0123456789²³¹٣", min_size=1, max_size=4))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _set(root: Any, path: tuple[Any, ...], value: Any, drop: bool) -> None:
    target = root
    for part in path[:-1]:
        target = target[part]
    if drop:
        del target[path[-1]]
    else:
        target[path[-1]] = value


@st.composite
def bent(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """`base` with 0-3 of its fields replaced by any JSON value or dropped."""
    payload: dict[str, Any] = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(0, 3))):
        paths = _paths(payload)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        _set(payload, path, draw(JSON_VALUE), drop=draw(st.booleans()))
    return payload


# Slack -------------------------------------------------------------------------------

SLACK_PATH = "/slack/events"
TEAM = "T0FULLPYME"
SLACK_USERS = ["UJAIME", "UCECILIA", "ULUIS", "UVALERIA", "U0STRANGER"]
ts = st.builds(lambda s, f: f"{s}.{f:06d}", st.integers(1_700_000_000, 1_800_000_000), st.integers(0, 999_999))
slack_user = st.sampled_from(SLACK_USERS)
channel = st.sampled_from(["C0CRISIS", "C0GENERAL", "DJAIME", "DLUIS"])
words = st.sampled_from(["ALERTA ROJA", "estado", "mis tareas", "tomo 2", "hecho 3", "FIN DE LA CRISIS", "hola", "2"])


@st.composite
def slack_event(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["message", "message", "app_home_opened", "member_joined_channel", "channel_left",
                                 "reaction_added"]))
    event: dict[str, Any] = {"type": kind, "user": draw(slack_user), "channel": draw(channel), "ts": draw(ts),
                             "event_ts": draw(ts)}
    if kind == "message":
        event.update(text=draw(st.one_of(words, st.text(max_size=80))), channel_type=draw(st.sampled_from(["im", "channel"])))
    if kind == "app_home_opened":
        event["tab"] = draw(st.sampled_from(["home", "messages"]))
    return {"token": "verification-token-unused", "team_id": TEAM, "api_app_id": "A0CRISIS", "type": "event_callback",
            "event_id": "Ev" + draw(st.text(alphabet="ABCDEF0123456789", min_size=8, max_size=10)),
            "event_time": 1_764_000_000, "event": event,
            "authorizations": [{"enterprise_id": None, "team_id": TEAM, "user_id": "U0BOT", "is_bot": True}]}


@st.composite
def slack_interaction(draw: st.DrawFn) -> dict[str, Any]:
    user = {"id": draw(slack_user), "username": "x", "team_id": TEAM}
    common = {"user": user, "api_app_id": "A0CRISIS", "token": "verification-token-unused",
              "team": {"id": TEAM, "domain": "fullpyme"}, "trigger_id": "1.2.abc", "is_enterprise_install": False}
    if draw(st.booleans()):
        action = {"action_id": draw(st.sampled_from(["crisis.btn.0", "crisis.btn.1", "crisis.link.0", "crisis.answer",
                                                     "other"])),
                  "block_id": draw(st.sampled_from(["ref:card:20261123-abcd/entel", "kind:card", "b1"])),
                  "text": {"type": "plain_text", "text": "Lo tomo"},
                  "value": draw(st.sampled_from(["claim:20261123-abcd/entel", "done:x/y", "ack:", "status:-",
                                                 "confirm:p1", "nope"])),
                  "type": "button", "action_ts": draw(ts)}
        message_ts = draw(ts)
        return {**common, "type": "block_actions", "actions": [action],
                "container": {"type": "message", "message_ts": message_ts, "channel_id": draw(channel)},
                "channel": {"id": draw(channel)}, "message": {"ts": message_ts, "text": "card", "blocks": []}}
    metadata = json.dumps({"action": draw(st.sampled_from(["done:20261123-abcd/entel", "bogus"])),
                           "ref": "card:20261123-abcd/entel", "label": "ticket"})
    view = {"id": "V0001", "type": "modal", "callback_id": draw(st.sampled_from(["crisis_input", "other"])),
            "private_metadata": metadata,
            "state": {"values": {"value": {"value": {"type": "plain_text_input", "value": draw(st.text(max_size=30))}}}}}
    return {**common, "type": "view_submission", "view": view}


@st.composite
def slack_command(draw: st.DrawFn) -> dict[str, Any]:
    return {"token": "verification-token-unused", "team_id": TEAM, "channel_id": draw(channel), "user_id": draw(slack_user),
            "command": "/crisis", "text": draw(st.one_of(words, st.text(max_size=40))), "api_app_id": "A0CRISIS",
            "trigger_id": "1.2.abc", "response_url": "http://127.0.0.1:9/commands/x"}


def slack_headers(body: bytes, signing: str, secret: str, content_type: str, now: float) -> dict[str, str | bytes]:
    stamp = str(int(now) - (600 if signing == STALE else 0))
    key = secret if signing in (SIGNED, STALE) else "not-the-signing-secret"
    signature = "v0=" + hmac.new(key.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    headers: dict[str, str | bytes] = {"Content-Type": content_type}
    if signing == UNSIGNED:
        return headers
    if signing == BROKEN_HEADERS:  # "²".isdigit() is True; compare_digest refuses non-ASCII text
        return {**headers, "X-Slack-Request-Timestamp": ("²" + stamp).encode(),
                "X-Slack-Signature": ("v0=é" + signature[4:]).encode()}
    return {**headers, "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


@st.composite
def slack_requests(draw: st.DrawFn, secret: str) -> FuzzRequest:
    """Any of the three Slack request kinds, bent, with any signing."""
    kind = draw(st.sampled_from(["slack event", "slack interaction", "slack command"]))
    if kind == "slack event":
        body, content_type = json.dumps(draw(bent(draw(slack_event())))).encode(), "application/json"
    elif kind == "slack interaction":
        payload = json.dumps(draw(bent(draw(slack_interaction()))))
        body, content_type = urlencode({"payload": payload}).encode(), "application/x-www-form-urlencoded"
    else:
        form = draw(slack_command())
        for name in draw(st.lists(st.sampled_from(sorted(form)), max_size=2)):
            form[name] = draw(FORM_VALUE)
        body, content_type = urlencode(form).encode(), "application/x-www-form-urlencoded"
    body = draw(_mangled(body))
    signing = draw(st.sampled_from(SIGNINGS))
    return FuzzRequest(SLACK_PATH, body, slack_headers(body, signing, secret, content_type, time.time()), signing, kind)


@st.composite
def _mangled(draw: st.DrawFn, body: bytes) -> bytes:
    """Mostly the body as it is; sometimes truncated, or bytes that are no format at all."""
    how = draw(st.sampled_from(["as is"] * 6 + ["truncated", "bytes"]))
    if how == "truncated" and body:
        return body[:draw(st.integers(0, len(body) - 1))]
    if how == "bytes":
        return draw(st.binary(max_size=200))
    return body


# Twilio ------------------------------------------------------------------------------

WHATSAPP_PATH, STATUS_PATH, SMS_PATH = "/twilio/whatsapp", "/twilio/status", "/twilio/sms"
NUMBERS = ["+56911110004", "+56911110005", "+56911110006", "+56999999999"]
READ_FIELDS = ("MessageSid", "SmsMessageSid", "SmsSid", "From", "Body", "NumMedia", "ButtonPayload", "ButtonText",
               "ProfileName", "MessageStatus", "SmsStatus", "ErrorCode")
NUMERIC_FIELDS = ("NumMedia", "ErrorCode")
sid = st.builds(lambda h: "SM" + h, st.text(alphabet="0123456789abcdef", min_size=32, max_size=32))


@st.composite
def twilio_form(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    path = draw(st.sampled_from([WHATSAPP_PATH, WHATSAPP_PATH, STATUS_PATH, SMS_PATH]))
    message_sid, number = draw(sid), draw(st.sampled_from(NUMBERS))
    if path == STATUS_PATH:
        form = {"MessageSid": message_sid, "SmsSid": message_sid, "AccountSid": "AC" + "0" * 32,
                "MessageStatus": draw(st.sampled_from(["delivered", "read", "failed", "undelivered", "sent"])),
                "ErrorCode": draw(st.sampled_from(["", "63016", "30008"])), "To": f"whatsapp:{number}"}
    else:
        sender = f"whatsapp:{number}" if path == WHATSAPP_PATH else number
        form = {"MessageSid": message_sid, "SmsMessageSid": message_sid, "AccountSid": "AC" + "0" * 32, "From": sender,
                "To": "whatsapp:+14155238886", "Body": draw(st.one_of(words, st.text(max_size=60))), "NumMedia": "0",
                "ProfileName": "Fuzz", "ButtonPayload": draw(st.sampled_from(["", "claim:20261123-abcd/entel", "x"]))}
    read = [name for name in READ_FIELDS if name in form]  # what the bot reads, bent more often than the rest
    for name in draw(st.lists(st.sampled_from(read * 3 + sorted(form) + ["Extra"]), min_size=1, max_size=3)):
        if name in form and draw(st.integers(0, 3)) == 0:
            del form[name]
        else:
            form[name] = draw(NUMERIC if name in NUMERIC_FIELDS else FORM_VALUE)
    return path, form


@st.composite
def twilio_requests(draw: st.DrawFn, auth_token: str, public_url: str) -> FuzzRequest:
    """A WhatsApp message, a status callback or an SMS as Twilio posts them, bent, with any signing."""
    path, form = draw(twilio_form())
    body = urlencode(form).encode()
    signing = draw(st.sampled_from(SIGNINGS))
    signing = SIGNED if signing == STALE else signing  # Twilio's signature has no time in it
    headers: dict[str, str | bytes] = {"Content-Type": "application/x-www-form-urlencoded"}
    if signing == SIGNED:
        headers["X-Twilio-Signature"] = RequestValidator(auth_token).compute_signature(public_url + path, form)
    elif signing == FORGED:
        headers["X-Twilio-Signature"] = RequestValidator("not-the-token").compute_signature(public_url + path, form)
    elif signing == BROKEN_HEADERS:
        broken: list[str | bytes] = ["x", ("é" * 28).encode(), "=" * 40]
        headers["X-Twilio-Signature"] = draw(st.sampled_from(broken))
        headers["X-Twilio-Webhooks-Signature-Settings"] = draw(st.sampled_from(["algorithm=MD5", "algorithm=", "x"]))
    if draw(st.integers(0, 9)) == 0:
        changed = draw(_mangled(body))
        if parse_qsl(changed.decode("utf-8", "replace"), keep_blank_values=True) != list(form.items()):
            # the form no longer is the one signed (cutting "&Name" from "&Name=" leaves it as it was)
            body, signing = changed, signing if signing != SIGNED else "signed, body changed"
    return FuzzRequest(path, body, headers, signing, "twilio " + path.rsplit("/", 1)[-1])



FIELD_VALUES = ["", "²", "9" * 30, "a\x00b", "x" * 5000, "+" + "5" * 20, "whatsapp:+" + "5" * 90, "SM" + "a" * 120]


def twilio_field_cases(auth_token: str, public_url: str) -> list[FuzzRequest]:
    """Every field the bot reads, on each Twilio webhook, holding each value of a table of
    what Twilio never sends (NUMERIC for numbers, FIELD_VALUES for the rest), signed: the
    exhaustive counterpart of the random search."""
    cases = []
    for path in (WHATSAPP_PATH, STATUS_PATH, SMS_PATH):
        if path == STATUS_PATH:
            base = {"MessageSid": "SM" + "d" * 32, "MessageStatus": "delivered", "ErrorCode": "30008"}  # no lookups
        else:
            base = {"MessageSid": "SM" + "e" * 32, "From": "whatsapp:+56911110004" if path == WHATSAPP_PATH else "+56911110005",
                    "Body": "hola", "NumMedia": "0", "ButtonPayload": "", "ButtonText": "", "ProfileName": "Fuzz"}
        for name in sorted(base):
            for value in NUMERIC_VALUES if name in NUMERIC_FIELDS else FIELD_VALUES:
                form = {**base, name: value}
                headers: dict[str, str | bytes] = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": RequestValidator(auth_token).compute_signature(public_url + path, form)}
                cases.append(FuzzRequest(path, urlencode(form).encode(), headers, SIGNED,
                                         f"twilio {path.rsplit('/', 1)[-1]}, {name}={value[:12]!r}"))
    return cases
