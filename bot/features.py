"""Optional parts of the web process (Slack, WhatsApp, the dashboard), each one a Feature
registered explicitly here: nothing registers itself at import."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from starlette.routing import BaseRoute

from bot.outbox import Transport
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.runtime import Runtime


class Feature(Protocol):
    name: str

    def transports(self) -> dict[str, Transport]:
        """Chat transports this feature delivers through, by name (may be empty)."""
        ...

    def routes(self) -> list[BaseRoute]:
        """Starlette routes to mount in the web app."""
        ...

    async def start(self, runtime: Runtime) -> None:
        """Called once the runtime (database, service, outbox) is built, before serving."""
        ...

    async def stop(self) -> None: ...


def enabled_features(settings: Settings) -> list[Feature]:
    """The features the settings turn on, in a fixed order."""
    features: list[Feature] = []
    return features
