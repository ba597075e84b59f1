"""The WhatsApp feature of the web process: its transport and its two webhook routes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute

from bot.outbox import Transport
from bot.settings import Settings
from handlers.whatsapp.api import TwilioApi
from handlers.whatsapp.transport import WhatsAppTransport
from handlers.whatsapp.webhooks import Webhooks

if TYPE_CHECKING:
    from bot.runtime import Runtime


class WhatsAppFeature:
    name = "whatsapp"

    def __init__(self, settings: Settings, api: TwilioApi | None = None) -> None:
        self.transport = WhatsAppTransport(settings, api)
        self.webhooks = Webhooks(settings, self.transport.renderer)

    def transports(self) -> dict[str, Transport]:
        return {self.transport.name: self.transport}

    def routes(self) -> list[BaseRoute]:
        return self.webhooks.routes()

    async def start(self, runtime: Runtime) -> None:
        self.transport.bind(runtime)

    async def stop(self) -> None:
        await self.transport.api.aclose()
