"""A local stand-in for Slack's Web API (and Socket Mode's WebSocket), on a free port.

It speaks the real protocol: POST or GET /api/<method> with a bearer token, arguments as
JSON, form fields or the query string, answers `{"ok": ...}` the way Slack does, keeps
the messages of each channel (chat.postMessage, chat.update) and the views (views.open,
views.publish), and records every call with its arguments. It can be told to answer
429 with Retry-After, 5xx or an API error for the next calls, and to take some latency.

It is as strict as Slack where the bot could go wrong: a post to a channel the bot is
not a member of answers `not_in_channel` (`channel_not_found` for a private one it cannot
see); a message over Slack's limits is refused (see `refusal`); conversations.join needs
the `channels:join` scope.

Messages keep their metadata (chat.postMessage `metadata`; chat.update replaces it only
when given one), and conversations.history / conversations.replies read them back as
Slack does: newest first / the thread oldest first, `oldest` exclusive, `limit` pages with
`has_more` and `response_metadata.next_cursor`, thread replies only in .replies, metadata
only with `include_all_metadata`, the `*:history` scope of the conversation's kind, and
the methods' rate-limit tier (`tiers`: Tier 3, 50 calls a minute, then 429 with
Retry-After; https://api.slack.com/methods/conversations.history,
https://api.slack.com/apis/rate-limits; a non-Marketplace app distributed to other
workspaces gets 1 call a minute and 15 messages a call: `history_limit`)."""

from __future__ import annotations

import asyncio
import base64
import json
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-test-bot-token-0000"
APP_TOKEN = "xapp-test-app-token-0000"
SIGNING_SECRET = "test-signing-secret-0000"
BOT_USER = "U0BOT"
TEAM = "T0FULLPYME"

# Slack's message limits (https://api.slack.com/reference/block-kit/blocks,
# https://api.slack.com/methods/chat.postMessage); the total of the blocks' text is
# undocumented, refused from about 12,000-13,000 characters (slackapi/bolt-js#2509, #2867):
# the fake refuses from the lower end.
MAX_BLOCKS = 50
SECTION_TEXT = 3000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BLOCKS_TEXT = 12000
TEXT = 40000
SELECT_PLACEHOLDER = 150  # a static_select's placeholder
SELECT_OPTIONS = 100  # options of a static_select
OPTION_TEXT = 75  # an option's plain_text
OPTION_VALUE = 150  # an option's value


def _text_length(node: Any) -> int:
    if isinstance(node, dict):
        own = len(node["text"]) if isinstance(node.get("text"), str) else 0
        return own + sum(_text_length(v) for v in node.values() if isinstance(v, (dict, list)))
    if isinstance(node, list):
        return sum(_text_length(v) for v in node)
    return 0


def refusal(args: dict[str, Any]) -> str | None:
    """The error Slack answers a chat.postMessage / chat.update with, if it refuses it."""
    if len(str(args.get("text") or "")) > TEXT:
        return "msg_too_long"
    blocks = args.get("blocks") or []
    if len(blocks) > MAX_BLOCKS or _blocks_refusal(blocks):
        return "invalid_blocks"
    if _text_length(blocks) > BLOCKS_TEXT:
        return "msg_blocks_too_long"
    return None


VIEW_BLOCKS, VIEW_TITLE, VIEW_METADATA = 100, 24, 3000


def view_refusal(view: dict[str, Any]) -> str | None:
    """The error Slack answers views.open / views.publish with when the view breaks its
    limits (https://docs.slack.dev/reference/views/modal-views): at most 100 blocks, each
    valid as in a message; a modal's title, submit and close plain_text of 1-24 characters;
    private_metadata up to 3,000 characters, callback_id up to 255."""
    blocks = view.get("blocks") or []
    if len(blocks) > VIEW_BLOCKS or _blocks_refusal(blocks):
        return "invalid_arguments"
    if view.get("type") == "modal":
        for name in ("title", "submit", "close"):
            text = (view.get(name) or {}).get("text")
            if (name == "title" or text is not None) and not 1 <= len(str(text or "")) <= VIEW_TITLE:
                return "invalid_arguments"
    if len(str(view.get("private_metadata") or "")) > VIEW_METADATA or len(str(view.get("callback_id") or "")) > 255:
        return "invalid_arguments"
    return None


def _blocks_refusal(blocks: list[dict[str, Any]]) -> bool:
    """Whether a block breaks Block Kit's limits (sections, headers, context, actions)."""
    for block in blocks:
        kind = block.get("type")
        text = (block.get("text") or {}).get("text", "")
        if kind == "section" and not 1 <= len(text) <= SECTION_TEXT:
            return True
        if kind == "header" and not 1 <= len(text) <= HEADER_TEXT:
            return True
        if len(str(block.get("block_id") or "")) > 255:
            return True
        if kind == "context" and not 1 <= len(block.get("elements") or []) <= 10:
            return True
        if kind == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 25:
                return True
            for element in elements:
                if len(str(element.get("action_id") or "")) > 255:
                    return True
                if element.get("type") == "static_select":
                    if not _valid_select(element):
                        return True
                    continue
                label = (element.get("text") or {}).get("text", "")
                if (element.get("type") != "button" or not 1 <= len(label) <= BUTTON_TEXT
                        or len(str(element.get("value") or "")) > BUTTON_VALUE or len(str(element.get("url") or "")) > 3000):
                    return True
    return False


def _valid_select(element: dict[str, Any]) -> bool:
    """A static_select as Slack takes it (docs.slack.dev block-elements#static_select,
    composition-objects#option): a plain_text placeholder of at most 150 characters, 1-100
    options, each a plain_text text of 1-75 characters and a value of 1-150."""
    placeholder = element.get("placeholder") or {}
    options = element.get("options") or []
    if placeholder.get("type") != "plain_text" or not 1 <= len(placeholder.get("text") or "") <= SELECT_PLACEHOLDER:
        return False
    if not 1 <= len(options) <= SELECT_OPTIONS:
        return False
    return all((o.get("text") or {}).get("type") == "plain_text" and 1 <= len((o.get("text") or {}).get("text") or "") <= OPTION_TEXT
               and 1 <= len(str(o.get("value") or "")) <= OPTION_VALUE for o in options)


def _valid_metadata(metadata: Any) -> bool:
    """Slack's message metadata: an `event_type` (letters, digits, underscores) and an
    object `event_payload` (https://api.slack.com/reference/metadata)."""
    return (isinstance(metadata, dict) and isinstance(metadata.get("event_type"), str)
            and re.fullmatch(r"[A-Za-z0-9_]{1,255}", metadata["event_type"]) is not None
            and isinstance(metadata.get("event_payload"), dict))


@dataclass
class Channel:
    name: str
    private: bool = False
    member: bool = True  # whether the bot is in it
MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"


def manifest_scopes() -> list[str]:
    """The bot scopes of slack/manifest.yml: what the installed app's token is granted."""
    return list(yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["oauth_config"]["scopes"]["bot"])


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    status: int = 200  # what the fake answered
    token: str = ""
    error: str | None = None  # the API error it answered (`ok: false`), if any
    at: float = field(default_factory=time.monotonic)  # when it was answered


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    updates: int = 0  # how many times chat.update changed it
    metadata: dict[str, Any] | None = None  # {"event_type": ..., "event_payload": {...}}

    def buttons(self) -> dict[str, dict[str, Any]]:
        """label -> {block_id, element} for every button of the message."""
        found: dict[str, dict[str, Any]] = {}
        for block in self.blocks:
            if block.get("type") == "actions":
                for element in block.get("elements", []):
                    if element.get("type") == "button":
                        found[element["text"]["text"]] = {"block_id": block.get("block_id"), "element": element}
        return found

    @property
    def shown(self) -> str:
        """Everything a person reads in the message (section, header and context texts)."""
        parts = []
        for block in self.blocks:
            if block.get("type") in ("section", "header"):
                parts.append(block["text"]["text"])
            elif block.get("type") == "context":
                parts.extend(e.get("text", "") for e in block.get("elements", []))
        return "\n".join(parts) if parts else self.text


@dataclass
class Failure:
    method: str
    status: int = 429
    error: str = "ratelimited"
    retry_after: str | None = "1"


@dataclass
class FakeSlack:
    users: dict[str, str] = field(default_factory=dict)  # e-mail -> user id
    channels: dict[str, Channel] = field(default_factory=dict)  # id -> channel (DMs are always open to the bot)
    # The token's scopes (the manifest's, and channels:join): Slack lists them in every
    # answer's x-oauth-scopes header, and answers missing_scope (with `needed`) to a
    # method that needs another.
    scopes: set[str] = field(default_factory=lambda: {"channels:join", *manifest_scopes()})
    latency: float = 0.0  # seconds every call takes
    calls: list[Call] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)  # views.open / views.update
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)  # user -> published home view
    failures: list[Failure] = field(default_factory=list)
    # refuse(method, args) -> an API error to answer instead (tests that want one refusal)
    refuse: Callable[[str, dict[str, Any]], str | None] | None = None
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    # Calls a minute per method before 429 (Slack's tiers; Tier 3 is "50+"), and the most
    # messages conversations.history / .replies return in one call.
    tiers: dict[str, int] = field(default_factory=lambda: {"conversations.history": 50, "conversations.replies": 50})
    history_limit: int = 999
    tier_window: float = 60.0  # seconds over which `tiers` count calls (a minute, as Slack's)
    drops: list[str] = field(default_factory=list)  # methods whose next call is done, then the connection cut
    _recent: dict[str, list[float]] = field(default_factory=dict)  # method -> monotonic times of its calls
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    _seq: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _thread: threading.Thread | None = None

    # configuration -----------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def drop_next(self, method: str) -> None:
        """The next call of `method` is carried out, then the connection is closed without
        an answer (a network cut after Slack took the request)."""
        with self.lock:
            self.drops.append(method)

    def fail_next(self, method: str, status: int = 429, error: str = "ratelimited", retry_after: str | None = "1",
                  times: int = 1) -> None:
        with self.lock:
            self.failures.extend(Failure(method, status, error, retry_after) for _ in range(times))

    @staticmethod
    def im_of(user: str) -> str:
        return "D" + user[1:]

    def add_channel(self, channel: str, name: str, private: bool = False, member: bool = True) -> None:
        with self.lock:
            self.channels[channel] = Channel(name, private, member)

    def set_member(self, channel: str, member: bool) -> None:
        """Invite the bot to the channel, or remove it."""
        with self.lock:
            self.channels[channel].member = member

    def user_email(self, user: str) -> str | None:
        with self.lock:
            return next((email for email, uid in self.users.items() if uid == user), None)

    # reading what the bot did ------------------------------------------------

    def refused(self) -> list[Call]:
        """Every call Slack would have refused (an HTTP error or `ok: false`)."""
        with self.lock:
            return [c for c in self.calls if c.status != 200 or c.error is not None]

    def called(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method and c.status == 200]

    def in_channel(self, channel: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m.channel == channel]

    def dms(self, user: str) -> list[Message]:
        return self.in_channel(self.im_of(user))

    def home_of(self, user: str) -> dict[str, Any] | None:
        with self.lock:
            return self.homes.get(user)

    # the server ----------------------------------------------------------------

    def start(self) -> FakeSlack:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_route("*", "/api/{method}", self._api)
            app.router.add_get("/socket", self._socket)
            self._runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _arguments(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        for name in ("blocks", "view", "attachments", "metadata"):
            if isinstance(args.get(name), str):
                args[name] = json.loads(args[name])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._arguments(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.latency:
            await asyncio.sleep(self.latency)
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != expected:
            return self._answer(Call(method, args, 200, token), {"ok": False, "error": "invalid_auth"})
        with self.lock:
            failure = next((f for f in self.failures if f.method in (method, "*")), None)
            if failure is not None:
                self.failures.remove(failure)
        if failure is not None:
            headers = {"Retry-After": failure.retry_after} if failure.retry_after is not None else {}
            return self._answer(Call(method, args, failure.status, token), {"ok": False, "error": failure.error},
                                failure.status, headers)
        wait = self._over_tier(method)
        if wait is not None:
            return self._answer(Call(method, args, 429, token), {"ok": False, "error": "ratelimited"}, 429,
                                {"Retry-After": str(wait)})
        refused = self.refuse(method, args) if self.refuse is not None else None
        if refused is not None:
            return self._answer(Call(method, args, 200, token), {"ok": False, "error": refused})
        handler: Callable[[dict[str, Any]], dict[str, Any]] | None = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return self._answer(Call(method, args, 200, token), {"ok": False, "error": "unknown_method"})
        answer = handler(args)
        with self.lock:
            drop = method in self.drops
            if drop:
                self.drops.remove(method)
        if drop and request.transport is not None:
            request.transport.abort()  # done, but nobody hears it
        return self._answer(Call(method, args, 200, token), answer,
                            headers={"x-oauth-scopes": ",".join(sorted(self.scopes))})

    def _answer(self, call: Call, payload: dict[str, Any], status: int = 200,
                headers: dict[str, str] | None = None) -> web.Response:
        call.error = None if payload.get("ok") else str(payload.get("error"))
        with self.lock:
            self.calls.append(call)
        return web.json_response(payload, status=status, headers=headers)

    def _over_tier(self, method: str) -> int | None:
        """Seconds to wait (Retry-After) when the method's calls of the last minute are
        at its tier's limit; None when the call may go (and it is counted)."""
        limit = self.tiers.get(method)
        if limit is None:
            return None
        now = time.monotonic()
        with self.lock:
            recent = [at for at in self._recent.get(method, []) if now - at < self.tier_window]
            if len(recent) >= limit:
                self._recent[method] = recent
                return max(1, math.ceil(self.tier_window - (now - recent[0])))
            self._recent[method] = [*recent, now]
        return None

    def _next_ts(self) -> str:
        with self.lock:
            self._seq += 1
            return f"{int(time.time())}.{self._seq:06d}"

    # methods ---------------------------------------------------------------------

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://fullpyme.slack.com/", "team": "FullPyme", "user": "crisisbot",
                "team_id": TEAM, "user_id": BOT_USER, "bot_id": "B0BOT", "is_enterprise_install": False}

    def _missing_scope(self, needed: str) -> dict[str, Any] | None:
        if needed in self.scopes:
            return None
        return {"ok": False, "error": "missing_scope", "needed": needed, "provided": ",".join(sorted(self.scopes))}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user", ""))
        email = self.user_email(user)
        if email is None and user != "U0STRANGER":
            return {"ok": False, "error": "user_not_found"}
        email = email or "somebody@elsewhere.example"
        return {"ok": True, "user": {"id": user, "team_id": TEAM, "name": user.lower(), "deleted": False,
                                     "is_bot": False, "profile": {"email": email, "real_name": user.lower()}}}

    def _can_post(self, channel: str) -> str | None:
        """not_in_channel / channel_not_found for a channel the bot cannot post to."""
        if channel.startswith("D"):
            return None
        with self.lock:
            known = self.channels.get(channel)
        if known is None or known.private and not known.member:
            return "channel_not_found"
        return None if known.member else "not_in_channel"

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        with self.lock:
            known = self.channels.get(channel)
        if known is None or known.private and not known.member:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": channel, "name": known.name, "is_channel": not known.private,
                                        "is_private": known.private, "is_member": known.member}}

    def _conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        with self.lock:
            known = self.channels.get(channel)
            if known is None or known.private and not known.member:
                return {"ok": False, "error": "channel_not_found"}
            if known.private:
                return {"ok": False, "error": "method_not_supported_for_channel_type"}
            if "channels:join" not in self.scopes:
                return {"ok": False, "error": "missing_scope", "needed": "channels:join"}
            known.member = True
        return {"ok": True, "channel": {"id": channel, "name": known.name, "is_member": True}}

    def _users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        refused = self._missing_scope("users:read.email")
        if refused is not None:
            return refused
        user = self.users.get(str(args.get("email", "")).lower())
        if user is None:
            return {"ok": False, "error": "users_not_found"}
        return {"ok": True, "user": {"id": user, "team_id": TEAM, "name": user.lower(), "deleted": False,
                                     "is_bot": False, "profile": {"email": args["email"]}}}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users", ""))
        if not users.startswith("U") or "," in users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": self.im_of(users)}}

    def _channel(self, raw: str) -> str:
        return self.im_of(raw) if raw.startswith("U") else raw

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        channel = self._channel(str(args.get("channel", "")))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        error = self._can_post(channel) or refusal(args)
        if error is not None:
            return {"ok": False, "error": error}
        metadata = args.get("metadata")
        if metadata is not None and not _valid_metadata(metadata):
            return {"ok": False, "error": "invalid_metadata_format"}
        message = Message(channel, self._next_ts(), str(args.get("text", "")), list(args.get("blocks") or []),
                          args.get("thread_ts"), metadata=metadata)
        with self.lock:
            self.messages.append(message)
        return {"ok": True, "channel": channel, "ts": message.ts,
                "message": {"type": "message", "user": BOT_USER, "text": message.text, "blocks": message.blocks,
                            "ts": message.ts, "bot_id": "B0BOT"}}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        error = self._can_post(channel) or refusal(args)
        if error is not None:
            return {"ok": False, "error": error}
        if args.get("metadata") is not None and not _valid_metadata(args["metadata"]):
            return {"ok": False, "error": "invalid_metadata_format"}
        with self.lock:
            message = next((m for m in self.messages if m.channel == channel and m.ts == ts), None)
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            message.text = str(args.get("text", message.text))
            message.blocks = list(args.get("blocks") or [])
            if args.get("metadata") is not None:  # none given: Slack leaves the message's metadata as it was
                message.metadata = args["metadata"]
            message.updates += 1
        return {"ok": True, "channel": channel, "ts": ts, "text": message.text}

    # reading conversations back ------------------------------------------------------

    def _history_refusal(self, channel: str) -> dict[str, Any] | None:
        """What Slack answers a read of a conversation the bot may not read."""
        if channel.startswith("D"):
            return self._missing_scope("im:history")
        with self.lock:
            known = self.channels.get(channel)
        if known is None or known.private and not known.member:
            return {"ok": False, "error": "channel_not_found"}
        refused = self._missing_scope("groups:history" if known.private else "channels:history")
        if refused is not None:
            return refused
        return None if known.member else {"ok": False, "error": "not_in_channel"}

    def _page(self, args: dict[str, Any], messages: list[Message]) -> dict[str, Any]:
        """One page of `messages` (already in Slack's order) after `oldest`, with a cursor."""
        try:
            oldest = float(args.get("oldest") or 0)
            limit = int(args.get("limit") or 100)
            start = int(base64.b64decode(str(args["cursor"])).decode().removeprefix("next:")) if args.get("cursor") else 0
        except (ValueError, TypeError, UnicodeDecodeError):
            return {"ok": False, "error": "invalid_arguments"}
        if args.get("cursor") and start < 0:
            return {"ok": False, "error": "invalid_cursor"}
        limit = max(1, min(limit, self.history_limit))
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        selected = [m for m in messages if float(m.ts) > oldest]
        page = selected[start:start + limit]
        more = start + limit < len(selected)
        shown = []
        for m in page:
            item: dict[str, Any] = {"type": "message", "user": BOT_USER, "bot_id": "B0BOT", "text": m.text,
                                    "blocks": m.blocks, "ts": m.ts}
            if m.thread_ts:
                item["thread_ts"] = m.thread_ts
            if with_metadata and m.metadata is not None:
                item["metadata"] = m.metadata
            shown.append(item)
        cursor = base64.b64encode(f"next:{start + limit}".encode()).decode() if more else ""
        return {"ok": True, "messages": shown, "has_more": more, "response_metadata": {"next_cursor": cursor}}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        refused = self._history_refusal(channel)
        if refused is not None:
            return refused
        with self.lock:  # thread replies are not in the history, only in .replies
            top = [m for m in self.messages if m.channel == channel and m.thread_ts in (None, m.ts)]
        return self._page(args, sorted(top, key=lambda m: float(m.ts), reverse=True))

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        refused = self._history_refusal(channel)
        if refused is not None:
            return refused
        with self.lock:
            parent = next((m for m in self.messages if m.channel == channel and m.ts == ts), None)
            replies = [m for m in self.messages if m.channel == channel and m.thread_ts == ts and m.ts != ts]
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        return self._page(args, [parent, *sorted(replies, key=lambda m: float(m.ts))])

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        with self.lock:
            self.ephemeral.append(args)
        return {"ok": True, "message_ts": self._next_ts()}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        if (error := view_refusal(args["view"])) is not None:
            return {"ok": False, "error": error}
        view = {**args["view"], "id": f"V{self._next_ts().replace('.', '')}", "hash": "1.abc"}
        with self.lock:
            self.views.append({"trigger_id": args["trigger_id"], "view": view})
        return {"ok": True, "view": view}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if (error := view_refusal(args["view"])) is not None:
            return {"ok": False, "error": error}
        view = {**args["view"], "id": f"VH{args['user_id']}"}
        with self.lock:
            self.homes[str(args["user_id"])] = view
        return {"ok": True, "view": view}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}

    # Socket Mode ------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"},
                                      "connection_info": {"app_id": "A0CRISIS"}}))
        self._sockets.append(ws)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                data = json.loads(msg.data)
                if "envelope_id" in data:
                    with self.lock:
                        self.socket_acks.append(data)
        return ws

    def connected(self) -> bool:
        return any(not ws.closed for ws in self._sockets)

    def push(self, envelope: dict[str, Any]) -> None:
        """Send a Socket Mode envelope to the connected app."""
        assert self._loop is not None
        ws = next(ws for ws in self._sockets if not ws.closed)
        asyncio.run_coroutine_threadsafe(ws.send_str(json.dumps(envelope)), self._loop).result(5)
