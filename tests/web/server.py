"""The real web app (Starlette + uvicorn) on a free port of 127.0.0.1, with a manual
clock and a recording chat transport, and headless Chromium through Playwright."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from bot.app import Server, create_app
from bot.outbox import Transport
from bot.runtime import Runtime
from bot.settings import Settings
from flows.clock import ManualClock
from flows.commands import Press, Say
from flows.messages import OutMessage
from handlers.web.feature import WebFeature
from persistence import repository as repo
from tests.support import START, RecordingTransport, settings_for

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SECRET = "a-test-secret-that-is-long-enough-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Server(Server):
    """The server `crisisbot serve` runs (bot.app.Server), with its shutdown observable."""

    stopped: asyncio.Event

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:  # leave pytest's signals alone
        yield


@contextlib.asynccontextmanager
async def serving(app: Starlette, port: int, graceful: float | None = 1) -> AsyncIterator[_Server]:
    """`graceful`: uvicorn's timeout_graceful_shutdown (None: wait for every response, as `serve` does)."""
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                                    timeout_graceful_shutdown=graceful))
    server.stopped = asyncio.Event()
    task = asyncio.create_task(server.serve())
    task.add_done_callback(lambda _: server.stopped.set())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield server
    finally:
        server.should_exit = True
        await task


@dataclass
class ChatRecorder:
    """Lets the test read what the bot says in chat."""

    transport: RecordingTransport = field(default_factory=RecordingTransport)
    name: str = "test"

    def transports(self) -> dict[str, Transport]:
        return {self.transport.name: self.transport}

    def routes(self) -> list[BaseRoute]:
        return []

    async def start(self, runtime: Runtime) -> None:
        return None

    async def stop(self) -> None:
        return None


@dataclass
class Site:
    """A running crisisbot web process and a way to talk to it in chat."""

    url: str
    app: Starlette
    settings: Settings
    web: WebFeature
    transport: RecordingTransport
    clock: ManualClock
    server: _Server

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    def pid(self, name: str) -> str:
        people = self.runtime.directory.find(name)
        assert len(people) == 1, name
        return people[0].id

    async def say(self, name: str, text: str) -> list[OutMessage]:
        outcome = await self.runtime.service.handle(Say(self.pid(name), text, "test"))
        await self.runtime.outbox.drain()
        assert outcome is not None
        return outcome.messages

    async def press(self, name: str, label: str, containing: str) -> None:
        pid = self.pid(name)
        for recipient, message in reversed(self.transport.sent):
            if recipient == pid and containing in message.text:
                for button in message.buttons:
                    if button.label == label:
                        await self.runtime.service.handle(Press(pid, button.action, "test"))
                        await self.runtime.outbox.drain()
                        return
        raise AssertionError(f"{name} has no {label!r} on a message with {containing!r}")

    async def crisis_id(self) -> str:
        """The newest crisis."""
        async with self.runtime.db.connect() as conn:
            return (await repo.list_crises(conn))[0].id

    async def panel_link(self, name: str) -> str:
        """What the bot answers to «panel»: the personal link."""
        messages = await self.say(name, "panel")
        links = [line for m in messages for line in m.text.splitlines() if line.startswith(self.url)]
        assert len(links) == 1, [m.text for m in messages]
        return links[0]


@contextlib.asynccontextmanager
async def site(tmp_path: Path, **web_options: Any) -> AsyncIterator[Site]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = settings_for(tmp_path, secret_key=SECRET, public_base_url=url, **web_options.pop("settings", {}))
    clock = ManualClock(START)
    chat = ChatRecorder()
    graceful = web_options.pop("graceful", 1)
    web = WebFeature(settings, **web_options)
    app = create_app(settings, features=[chat, web], clock=clock)
    async with serving(app, port, graceful) as server:
        yield Site(url, app, settings, web, chat.transport, clock, server)
