"""The SMS feature of the web process: its transport and its inbound webhook,
POST /twilio/sms (Twilio posts an SMS answer there, From=+E164, signed like WhatsApp's)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.outbox import Transport
from bot.settings import Settings
from flows.commands import Say
from handlers.sms.transport import VIA, SmsApi, SmsTransport
from handlers.whatsapp import fields
from handlers.whatsapp.config import person_by_number
from handlers.whatsapp.webhooks import EMPTY_TWIML, TwilioGuard

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

INBOUND_PATH = "/twilio/sms"
MAX_SMS = 1600  # characters: Twilio's limit on an SMS body (https://www.twilio.com/docs/sms/api/message-resource)


def sms_configured(settings: Settings) -> bool:
    return bool(settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_sms_from)


async def handle_sms(rt: Runtime, form: FormData) -> None:
    """An SMS answer as a Say on the SMS channel («tomo 2», «estado»...), once per
    MessageSid; numbers the directory does not know are ignored (an SMS costs money)."""
    sid = fields.sid(form, "MessageSid", "SmsMessageSid")  # each field checked: MalformedWebhook, 400
    person = person_by_number(rt.directory, fields.sender(form))
    text = fields.text(form, "Body", MAX_SMS).strip()
    if person is None or not text:
        log.info("SMS %s ignored: %s", sid, "unknown number" if person is None else "no text")
        return
    # kept in the inbox when the database cannot take it within Twilio's time (bot/inbox.py)
    await rt.inbox.take(Say(person.id, text, VIA, direct=True), f"twilio:{sid}", rt.settings.inbox_twilio_budget_seconds)


class SmsFeature:
    name = "sms"

    def __init__(self, settings: Settings, api: SmsApi | None = None) -> None:
        self.transport = SmsTransport(settings, api)
        self.guard = TwilioGuard(settings)

    def transports(self) -> dict[str, Transport]:
        return {self.transport.name: self.transport}

    def routes(self) -> list[BaseRoute]:
        return [Route(INBOUND_PATH, self.guard.guarded(self.inbound), methods=["POST"], name="twilio_sms")]

    async def inbound(self, request: Request, form: FormData) -> Response:
        await handle_sms(request.app.state.runtime, form)
        return Response(EMPTY_TWIML, media_type="text/xml")

    async def start(self, runtime: Runtime) -> None:
        self.transport.bind(runtime)

    async def stop(self) -> None:
        await self.transport.api.aclose()
