"""The Slack feature of the web process: the transport, POST /slack/events (events,
interactivity and /crisis on one URL), or Socket Mode when SLACK_APP_TOKEN is set."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.outbox import Transport
from bot.settings import Settings
from handlers.slack.app import build_app
from handlers.slack.channel import CrisisChannel
from handlers.slack.config import make_client, secret
from handlers.slack.context import SlackContext
from handlers.slack.gate import SlackGate
from handlers.slack.inbox import follow_up as inbox_follow_up
from handlers.slack.people import SlackPeople, Sleep
from handlers.slack.transport import SlackTransport

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from flows.directory import Directory

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


class SlackFeature:
    name = "slack"

    def __init__(self, settings: Settings, client: AsyncWebClient | None = None, sleep: Sleep | None = None) -> None:
        """`sleep`: how the background lookups wait (tests pass one that does not)."""
        self.settings = settings
        self.client = client or make_client(settings)
        self.people = SlackPeople(sleep or asyncio.sleep)
        self.channel = CrisisChannel(self.client, settings.slack_crisis_channel)
        self.transport = SlackTransport(settings, self.client, self.people, self.channel)
        self.ctx = SlackContext(settings, self.client, self.people, self.channel)
        self.lookups: asyncio.Task[None] | None = None
        self.bolt = build_app(self.ctx)
        self.http = AsyncSlackRequestHandler(self.bolt)
        self.gate = SlackGate(secret(settings.slack_signing_secret) or "socket-mode-only")
        self.socket: AsyncSocketModeHandler | None = None

    def transports(self) -> dict[str, Transport]:
        return {self.transport.name: self.transport}

    def routes(self) -> list[BaseRoute]:
        if not self.settings.slack_signing_secret:
            return []  # Socket Mode only: no unsigned door
        return [Route(EVENTS_PATH, self.events, methods=["POST"])]

    async def events(self, request: Request) -> Response:
        """The gate (handlers/slack/gate.py) checks the signature over the raw body, then the
        payload's shape, before Bolt reads anything: 401 unsigned, bad or older than 5
        minutes; 413 too large; 400 malformed; 200 a payload type the bot does not take."""
        verdict = await self.gate.check(request)
        if not verdict.passes:
            return JSONResponse({"error": verdict.reason} if verdict.status != 200 else {}, status_code=verdict.status)
        async with self.ctx.rt.service.inbound.request():  # answered before deliveries go on
            return await self.http.handle(request)

    async def start(self, runtime: Runtime) -> None:
        """Resolve the directory to Slack users (and open their direct channels) and check
        the bot is in the crisis channel before anything is delivered; people Slack did not
        answer for are looked up again in the background. Then connect Socket Mode if
        configured."""
        if self.client.session is None or self.client.session.closed:
            self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self.ctx.bind(runtime)
        self.transport.bind(runtime)
        runtime.inbox.follow_ups[self.transport.name] = inbox_follow_up(self.ctx)  # kept presses, once committed
        await self.ctx.learn_identity()
        await self.people.resolve(self.client, runtime.directory)
        runtime.directory_listeners.append(self._directory_changed)
        await self.people.open_all(self.client)
        if self.people.retrying:
            self.lookups = asyncio.create_task(self.people.retry_loop(self.client, runtime.directory))
        await self.channel.check()
        if self.settings.slack_app_token:
            self.socket = AsyncSocketModeHandler(self.bolt, app_token=secret(self.settings.slack_app_token),
                                                 web_client=self.client)
            await self.socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack: Socket Mode connected")

    async def _directory_changed(self, old: Directory, new: Directory) -> None:
        """A reloaded directory (bot/reload.py): new and changed people looked up; those Slack
        did not answer for are retried in the background as at start-up."""
        await self.people.refresh(self.client, old, new)
        if self.people.retrying and (self.lookups is None or self.lookups.done()):
            self.lookups = asyncio.create_task(self.people.retry_loop(self.client, new))

    async def stop(self) -> None:
        if self.lookups is not None:
            self.lookups.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.lookups
            self.lookups = None
        if self.socket is not None:
            await self.socket.close_async()  # type: ignore[no-untyped-call]
            self.socket = None
        await self.ctx.idle()
        if self.client.session is not None and not self.client.session.closed:
            await self.client.session.close()
