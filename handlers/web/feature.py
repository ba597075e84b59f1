"""The web feature of `crisisbot serve`: dashboard, reports and public banner. Always on."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.routing import BaseRoute

from bot.outbox import Transport
from bot.runtime import Runtime
from bot.settings import Settings
from handlers.web.banner import Banner
from handlers.web.links import RedactLinks, SignedLinks
from handlers.web.live import LiveUpdates, watch_database
from handlers.web.pages import Dashboard


class WebFeature:
    name = "web"

    def __init__(self, settings: Settings, links: SignedLinks | None = None, tick: float = 30.0,
                 stream_lifetime: float = 55.0, watch_every: float = 2.0) -> None:
        self.watch_every = watch_every
        self._watch: asyncio.Task[None] | None = None
        self._redact = RedactLinks()
        self.links = links or SignedLinks.from_settings(settings)
        self.updates = LiveUpdates()
        self.dashboard = Dashboard(self.links, self.updates, tick, stream_lifetime)
        self.banner = Banner(self.updates)

    def transports(self) -> dict[str, Transport]:
        return {}

    def routes(self) -> list[BaseRoute]:
        return [*self.dashboard.routes(), *self.banner.routes()]

    async def start(self, runtime: Runtime) -> None:
        """Live updates after every commit, and the engine's links (the word «panel»)."""
        runtime.service.after_commit.append(self.updates.after_commit)
        runtime.service.links = self.links
        logging.getLogger("uvicorn.access").addFilter(self._redact)
        self._watch = asyncio.create_task(watch_database(self.updates, runtime.db, self.watch_every))

    async def closing(self) -> None:
        """The server is stopping: end the live streams now (bot/app.py Server), so that
        it does not wait for them."""
        await self.updates.close()

    async def stop(self) -> None:
        await self.updates.close()
        logging.getLogger("uvicorn.access").removeFilter(self._redact)
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
