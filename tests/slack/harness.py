"""A Slack workspace talking to the real web app: Slack-shaped, signed requests in (events,
block_actions, view_submission, the slash command), the bot's Web API calls out to a local
fake Slack. The app runs in Starlette's TestClient with a manual clock; `settle()` waits
for the follow-ups and for the outbox to deliver everything due."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from starlette.testclient import TestClient

from bot.app import create_app
from bot.runtime import Runtime
from bot.settings import Settings
from flows.clock import ManualClock
from flows.playbook import parse_duration
from handlers.slack.feature import SlackFeature
from handlers.slack.people import Sleep
from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, TEAM, FakeSlack, Message
from tests.support import START, settings_for

CHANNEL = "C0CRISIS"  # the company group's channel
OTHER_CHANNEL = "C0GENERAL"
STRANGER = "U0STRANGER"  # a Slack user who is not in the directory


def user_id(person_id: str) -> str:
    return "U" + person_id.replace("_", "").upper()


def slack_settings(tmp_path: Path, fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN, "slack_signing_secret": SIGNING_SECRET, "slack_crisis_channel": CHANNEL,
        "slack_api_url": fake.api_url,
    }
    values.update(overrides)
    return settings_for(tmp_path, **values)


def signed_headers(body: bytes, timestamp: int | None = None, secret: str = SIGNING_SECRET,
                   content_type: str = "application/json") -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + stamp.encode() + b":" + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature, "Content-Type": content_type}


class Workspace:
    """Everybody of the directory in one Slack workspace with the bot."""

    def __init__(self, client: TestClient, fake: FakeSlack, clock: ManualClock, feature: SlackFeature) -> None:
        self.client = client
        self.fake = fake
        self.clock = clock
        self.feature = feature

    @property
    def rt(self) -> Runtime:
        runtime: Runtime = self.client.app.state.runtime  # type: ignore[attr-defined]
        return runtime

    def user(self, name: str) -> str:
        if name == "stranger":
            return STRANGER
        people = self.rt.directory.find(name)
        assert len(people) == 1, name
        return user_id(people[0].id)

    # requests as Slack sends them ----------------------------------------------------

    def post(self, body: bytes, content_type: str, headers: dict[str, str] | None = None,
             settle: bool = True) -> httpx.Response:
        all_headers = signed_headers(body, content_type=content_type)
        all_headers.update(headers or {})
        response: httpx.Response = self.client.post("/slack/events", content=body, headers=all_headers)
        if settle:
            self.settle()
        return response

    def event_body(self, event: dict[str, Any], event_id: str | None = None) -> bytes:
        return json.dumps({
            "token": "verification-token-unused", "team_id": TEAM, "api_app_id": "A0CRISIS", "event": event,
            "type": "event_callback", "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
            "event_time": int(time.time()), "authorizations": [{"enterprise_id": None, "team_id": TEAM,
                                                               "user_id": "U0BOT", "is_bot": True}],
            "is_ext_shared_channel": False, "event_context": "4-" + secrets.token_hex(8),
        }).encode()

    def message_event(self, name: str, text: str, channel: str | None = None) -> dict[str, Any]:
        user = self.user(name)
        im = channel is None
        return {"client_msg_id": secrets.token_hex(8), "type": "message", "text": text, "user": user,
                "ts": f"{time.time():.6f}", "team": TEAM, "channel": FakeSlack.im_of(user) if im else channel,
                "event_ts": f"{time.time():.6f}", "channel_type": "im" if im else "channel",
                "blocks": [{"type": "rich_text", "block_id": "b1", "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}]}

    def write(self, name: str, text: str, channel: str | None = CHANNEL, **headers: str) -> httpx.Response:
        """`name` writes `text` in a channel (None: in their direct message with the bot)."""
        return self.post(self.event_body(self.message_event(name, text, channel)), "application/json", headers)

    def dm(self, name: str, text: str) -> httpx.Response:
        return self.write(name, text, channel=None)

    def interaction(self, payload: dict[str, Any], settle: bool = True) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", settle=settle)

    def find_button(self, name: str, label: str, containing: str | None = None) -> tuple[Message, dict[str, Any]]:
        """The newest message to `name` (direct messages) that shows the button `label`."""
        for message in reversed(self.fake.dms(self.user(name))):
            if label in message.buttons() and (containing is None or containing in message.shown):
                return message, message.buttons()[label]
        raise AssertionError(f"{name} has no button {label!r}" + (f" with {containing!r}" if containing else ""))

    def press_payload(self, name: str, message: Message, button: dict[str, Any]) -> dict[str, Any]:
        user = self.user(name)
        element = button["element"]
        return {
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
            "api_app_id": "A0CRISIS", "token": "verification-token-unused",
            "container": {"type": "message", "message_ts": message.ts, "channel_id": message.channel, "is_ephemeral": False},
            "trigger_id": f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(8)}",
            "team": {"id": TEAM, "domain": "fullpyme"}, "enterprise": None, "is_enterprise_install": False,
            "channel": {"id": message.channel, "name": "directmessage"},
            "message": {"type": "message", "user": "U0BOT", "bot_id": "B0BOT", "text": message.text,
                        "blocks": message.blocks, "ts": message.ts},
            "state": {"values": {}}, "response_url": f"{self.fake.api_url}response/{secrets.token_hex(4)}",
            "actions": [{"action_id": element["action_id"], "block_id": button["block_id"], "text": element["text"],
                         "value": element.get("value"), "style": element.get("style"), "type": "button",
                         "action_ts": f"{time.time():.6f}"}],
        }

    def press(self, name: str, label: str, containing: str | None = None) -> httpx.Response:
        message, button = self.find_button(name, label, containing)
        return self.interaction(self.press_payload(name, message, button))

    def press_home(self, name: str, label: str, containing: str | None = None) -> httpx.Response:
        user = self.user(name)
        view = self.fake.home_of(user)
        assert view is not None, f"{name} has no App Home"
        found = None
        for index, block in enumerate(view["blocks"]):
            if block.get("type") != "actions":
                continue
            shown = "\n".join(b["text"]["text"] for b in view["blocks"][:index] if b.get("type") == "section")
            for element in block["elements"]:
                if element["text"]["text"] == label and (containing is None or containing in shown.split("📋")[-1]):
                    found = (block, element)
        assert found is not None, f"no {label!r} in {name}'s App Home"
        block, element = found
        payload = {
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0CRISIS", "token": "verification-token-unused",
            "container": {"type": "view", "view_id": view["id"]}, "trigger_id": f"{time.time()}.{secrets.token_hex(6)}",
            "team": {"id": TEAM, "domain": "fullpyme"}, "is_enterprise_install": False,
            "view": {**view, "type": "home", "team_id": TEAM, "state": {"values": {}}, "hash": "1.h"},
            "actions": [{"action_id": element["action_id"], "block_id": block["block_id"], "text": element["text"],
                         "value": element.get("value"), "type": "button", "action_ts": f"{time.time():.6f}"}],
        }
        return self.interaction(payload)

    def submit(self, name: str, value: str) -> httpx.Response:
        """Fill the newest modal opened for `name` and submit it."""
        view = self.latest_modal(name)
        payload = {
            "type": "view_submission", "team": {"id": TEAM, "domain": "fullpyme"},
            "user": {"id": self.user(name), "username": self.user(name).lower(), "team_id": TEAM},
            "api_app_id": "A0CRISIS", "token": "verification-token-unused", "trigger_id": f"{time.time()}.x",
            "view": {**view, "team_id": TEAM, "state": {"values": {"value": {"value": {"type": "plain_text_input", "value": value}}}},
                     "root_view_id": view["id"], "app_id": "A0CRISIS", "bot_id": "B0BOT"},
            "response_urls": [], "is_enterprise_install": False, "enterprise": None,
        }
        return self.interaction(payload)

    def latest_modal(self, name: str) -> dict[str, Any]:
        opened = self.fake.called("views.open")
        assert opened, "no modal was opened"
        view: dict[str, Any] = self.fake.views[-1]["view"]
        return view

    def command_form(self, name: str, text: str, channel: str = CHANNEL) -> dict[str, str]:
        user = self.user(name)
        return {"token": "verification-token-unused", "team_id": TEAM, "team_domain": "fullpyme", "channel_id": channel,
                "channel_name": "crisis", "user_id": user, "user_name": user.lower(), "command": "/crisis", "text": text,
                "api_app_id": "A0CRISIS", "is_enterprise_install": "false",
                "response_url": f"{self.fake.api_url}commands/{secrets.token_hex(4)}",
                "trigger_id": f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(8)}"}

    def command(self, name: str, text: str, channel: str = CHANNEL) -> httpx.Response:
        body = urlencode(self.command_form(name, text, channel)).encode()
        return self.post(body, "application/x-www-form-urlencoded")

    def open_home(self, name: str) -> httpx.Response:
        user = self.user(name)
        event = {"type": "app_home_opened", "user": user, "channel": FakeSlack.im_of(user), "tab": "home",
                 "event_ts": f"{time.time():.6f}"}
        return self.post(self.event_body(event), "application/json")

    # what people see -------------------------------------------------------------------

    def dms(self, name: str) -> list[Message]:
        return self.fake.dms(self.user(name))

    def got(self, name: str, fragment: str) -> list[Message]:
        return [m for m in self.dms(name) if fragment in m.shown]

    def channel(self) -> list[Message]:
        return self.fake.in_channel(CHANNEL)

    def announcement(self) -> Message:
        top = [m for m in self.channel() if m.thread_ts is None and m.blocks and m.blocks[0].get("type") == "header"]
        assert len(top) == 1, [m.shown[:60] for m in top]
        return top[0]

    def ephemeral_to(self, name: str) -> list[str]:
        user = self.user(name)
        return [str(e.get("text")) for e in self.fake.ephemeral if e.get("user") == user]

    # time ------------------------------------------------------------------------------

    def settle(self) -> None:
        """Wait until the follow-ups are done and nothing due is left in the outbox."""
        assert self.client.portal is not None
        self.client.portal.call(self._settle)

    async def _settle(self) -> None:
        while True:
            await self.feature.ctx.idle()
            delivered = await self.rt.outbox.drain()
            if not delivered and not self.feature.ctx.busy():
                return

    def advance(self, duration: str) -> None:
        assert self.client.portal is not None
        self.clock.advance(parse_duration(duration))
        self.client.portal.call(self.rt.timers.sweep)
        self.settle()


def open_workspace(settings: Settings, fake: FakeSlack, sleep: Sleep | None = None) -> tuple[TestClient, Workspace]:
    clock = ManualClock(START)
    feature = SlackFeature(settings, sleep=sleep)
    client = TestClient(create_app(settings, features=[feature], clock=clock))
    client.__enter__()
    return client, Workspace(client, fake, clock, feature)


def everyone(directory_people: list[Any], but: tuple[str, ...] = ()) -> dict[str, str]:
    """The fake's users: e-mail -> Slack id, for everyone of the directory except `but`."""
    return {p.email.lower(): user_id(p.id) for p in directory_people if p.email and p.id not in but}


__all__ = ["APP_TOKEN", "CHANNEL", "Workspace", "open_workspace", "slack_settings", "everyone"]
