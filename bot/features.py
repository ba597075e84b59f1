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
    if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_whatsapp_from:
        from handlers.whatsapp.feature import WhatsAppFeature

        features.append(WhatsAppFeature(settings))
    if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_sms_from:
        from handlers.sms.feature import (
            SmsFeature,  # the last channel: routing puts it after every other
        )

        features.append(SmsFeature(settings))
    if settings.slack_bot_token and (settings.slack_signing_secret or settings.slack_app_token):
        from handlers.slack.feature import SlackFeature

        features.append(SlackFeature(settings))
    from handlers.web.feature import (
        WebFeature,  # the dashboard, reports and banner: always on
    )

    features.append(WebFeature(settings))
    return features
