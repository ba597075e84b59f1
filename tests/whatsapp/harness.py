"""Phones talking to the real web app: Twilio-shaped, signed webhooks in (as Twilio signs
them, against PUBLIC_BASE_URL + path), the bot's messages out to a local fake Twilio API.
The app runs in Starlette's TestClient with a manual clock; `settle()` waits for the
outbox to deliver everything due."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import httpx
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from bot.app import create_app
from bot.runtime import Runtime
from bot.settings import Settings
from flows.clock import ManualClock
from flows.playbook import parse_duration
from handlers.whatsapp.feature import WhatsAppFeature
from handlers.whatsapp.templates import specs
from tests.support import START, settings_for
from tests.whatsapp.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio, Sent

PUBLIC = "https://crisis.example.com"  # what Twilio calls; the test client's own host is another

TEMPLATES = {
    "twilio_content_notice": "HX" + "a" * 32,
    "twilio_content_task": "HX" + "b" * 32,
    "twilio_content_buttons_1": "HX" + "1" * 32,
    "twilio_content_buttons_2": "HX" + "2" * 32,
    "twilio_content_buttons_3": "HX" + "3" * 32,
}


SETTING_TO_FIELD = {
    "TWILIO_CONTENT_NOTICE": "twilio_content_notice", "TWILIO_CONTENT_TASK": "twilio_content_task",
    "TWILIO_CONTENT_BUTTONS_1": "twilio_content_buttons_1", "TWILIO_CONTENT_BUTTONS_2": "twilio_content_buttons_2",
    "TWILIO_CONTENT_BUTTONS_3": "twilio_content_buttons_3",
}


def install_templates(twilio: FakeTwilio, lang: str = "es") -> None:
    """The account holds the templates `crisisbot whatsapp plantillas` makes, under the ids
    the settings name, the out-of-window ones approved: the fake checks every send
    against their bodies."""
    for spec in specs(lang):
        sid = TEMPLATES[SETTING_TO_FIELD[spec.setting]]
        if twilio.content(sid) is None:
            twilio.install(sid, {"friendly_name": spec.name, "language": lang, "variables": spec.variables,
                                 "types": spec.types}, approved=spec.approval)


def whatsapp_settings(tmp_path: Path, twilio: FakeTwilio, templates: bool = True, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "twilio_account_sid": ACCOUNT_SID, "twilio_auth_token": AUTH_TOKEN, "twilio_whatsapp_from": SENDER,
        "twilio_api_url": twilio.url, "public_base_url": PUBLIC, "twilio_messages_per_second": 1000,
        **(TEMPLATES if templates else {}),
    }
    if templates:
        install_templates(twilio)
    values.update(overrides)
    return settings_for(tmp_path, **values)


TASK_TITLES = ("Lo tomo", "Hecho", "No puedo")  # the fixed titles of the approved task template


def buttons_of(sent: Sent) -> dict[str, str]:
    """A quick reply's buttons as the phone shows them: title -> payload."""
    return sent.buttons


def sign(path: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(PUBLIC + path, params)  # type: ignore[no-any-return]


class Phones:
    """Everybody of the directory with a phone, writing to the bot's number."""

    def __init__(self, client: TestClient, twilio: FakeTwilio, clock: ManualClock) -> None:
        self.client = client
        self.twilio = twilio
        self.clock = clock

    @property
    def rt(self) -> Runtime:
        runtime: Runtime = self.client.app.state.runtime  # type: ignore[attr-defined]
        return runtime

    def number(self, name: str) -> str:
        people = self.rt.directory.find(name)
        assert len(people) == 1 and people[0].whatsapp, name
        return people[0].whatsapp

    # inbound ---------------------------------------------------------------

    def post(self, path: str, params: dict[str, str], signature: str | None = None) -> httpx.Response:
        headers = {"X-Twilio-Signature": signature if signature is not None else sign(path, params)}
        response: httpx.Response = self.client.post(path, data=params, headers=headers)
        self.settle()
        return response

    def message_form(self, number: str, body: str, profile: str = "", **extra: str) -> dict[str, str]:
        """An incoming WhatsApp message as Twilio posts it."""
        sid = "SM" + secrets.token_hex(16)
        return {
            "SmsMessageSid": sid, "MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID,
            "MessagingServiceSid": "", "From": f"whatsapp:{number}", "To": SENDER, "Body": body,
            "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01",
            "ProfileName": profile, "WaId": number.lstrip("+"), "MessageType": "text", "ReferralNumMedia": "0",
            **extra,
        }

    def write(self, name: str, body: str, **extra: str) -> httpx.Response:
        return self.post("/twilio/whatsapp", self.message_form(self.number(name), body, name, **extra))

    def tap(self, name: str, label: str, containing: str | None = None) -> httpx.Response:
        """Tap the quick-reply button `label` of the newest message to `name` that has it
        (Twilio names the message the button was on, as for a reply)."""
        sent = self.latest_quick_reply(name, label, containing)
        return self.write(name, label, ButtonText=label, ButtonPayload=buttons_of(sent)[label], MessageType="button",
                          **self.quoting(name, sent))

    def reply(self, name: str, quoted: Sent, body: str) -> httpx.Response:
        """Answer `quoted` with WhatsApp's «Reply» (swipe on the message): Twilio adds the
        quoted message's SID and sender to the webhook
        (https://www.twilio.com/docs/messaging/guides/webhook-request, WhatsApp parameters)."""
        return self.write(name, body, **self.quoting(name, quoted))

    def quoting(self, name: str, quoted: Sent) -> dict[str, str]:
        """The reply parameters; a phone can only quote a message that is in its chat."""
        if quoted.to != f"whatsapp:{self.number(name)}" or quoted not in self.twilio.sent:
            raise AssertionError(f"{name}'s phone never got {quoted.sid}: WhatsApp cannot reply to it")
        return {"OriginalRepliedMessageSender": SENDER, "OriginalRepliedMessageSid": quoted.sid}

    def latest_quick_reply(self, name: str, label: str, containing: str | None = None) -> Sent:
        for sent in reversed(self.twilio.to(self.number(name))):
            if label in buttons_of(sent) and (containing is None or containing in sent.text):
                return sent
        raise AssertionError(f"{name} got no quick reply {label!r}" + (f" with {containing!r}" if containing else ""))

    def status(self, sid: str, status: str, error: str | None = None, to: str = "") -> httpx.Response:
        params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
                  "AccountSid": ACCOUNT_SID, "From": SENDER, "To": to, "ApiVersion": "2010-04-01",
                  "ChannelPrefix": "whatsapp"}
        if error:
            params["ErrorCode"] = error
        return self.post("/twilio/status", params)

    # outbound --------------------------------------------------------------

    def got(self, name: str, fragment: str) -> list[Sent]:
        return self.twilio.find(self.number(name), fragment)

    def texts(self, name: str) -> list[str]:
        return self.twilio.texts_to(self.number(name))

    def settle(self) -> None:
        assert self.client.portal is not None
        self.client.portal.call(self.rt.outbox.drain)

    def advance(self, duration: str) -> None:
        assert self.client.portal is not None
        self.clock.advance(parse_duration(duration))
        self.client.portal.call(self.rt.timers.sweep)
        self.settle()


def open_app(settings: Settings, twilio: FakeTwilio, extra_features: list[Any] | None = None) -> tuple[TestClient, Phones]:
    clock = ManualClock(START)
    app = create_app(settings, features=[WhatsAppFeature(settings), *(extra_features or [])], clock=clock)
    client = TestClient(app)
    client.__enter__()
    return client, Phones(client, twilio, clock)
