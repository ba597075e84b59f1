"""The SMS transport: the essentials of a message (handlers/sms/render.py) to the person's
phone number, from TWILIO_SMS_FROM through the same Twilio account as WhatsApp. Always the
last channel (`last_resort`, bot/routing.py): it carries what no chat channel can."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from bot.outbox import PermanentError, Sent, Shown
from bot.settings import Settings
from flows.directory import Person
from flows.messages import OutMessage
from handlers.sms.render import sms_text
from handlers.whatsapp.api import Pacer, TwilioHttpClient
from handlers.whatsapp.config import digits
from handlers.whatsapp.render import choosable
from persistence import repository as repo
from persistence.database import reading

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

VIA = "sms"


def e164(number: str) -> str:
    """A directory number as an SMS address: '+56 9 1111-0001' -> '+56911110001'."""
    return f"+{digits(number)}"


class SmsApi:
    """One Messages API call per SMS, paced like the WhatsApp sender."""

    def __init__(self, settings: Settings) -> None:
        assert settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_sms_from
        self.http = TwilioHttpClient(settings.twilio_api_url)
        self.client = Client(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(),
                             http_client=self.http)
        self.sender = settings.twilio_sms_from
        self.pacer = Pacer(settings.twilio_messages_per_second)

    async def send(self, to: str, body: str) -> str:
        """Returns the MessageSid. Raises TransientError (429, 5xx, no connection) or the
        library's TwilioRestException (a refusal: 21211 bad number, 21606 bad sender...)."""
        await self.pacer.wait()
        message = await self.client.messages.create_async(to=to, from_=self.sender, body=body)
        return str(message.sid)

    async def aclose(self) -> None:
        await self.http.aclose()


class SmsTransport:
    name = VIA
    group_mode = "relay"  # the group's messages, one SMS per person whose channel this is
    edits_in_place = False  # a redraw would be a new message: bot/compact.py leaves it out or folds it in a digest
    last_resort = True  # after every chat channel, whatever a person's `prefer` says

    def __init__(self, settings: Settings, api: SmsApi | None = None) -> None:
        self.settings = settings
        self.api = api or SmsApi(settings)
        self._runtime: Runtime | None = None

    def bind(self, runtime: Runtime) -> None:
        self._runtime = runtime

    @property
    def rt(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("the SMS transport is used before the runtime started")
        return self._runtime

    def reaches(self, person: Person) -> bool:
        return bool(person.whatsapp and digits(person.whatsapp))

    def number_of(self, step_id: str) -> str | None:
        try:
            return self.rt.playbook.step(step_id).number
        except KeyError:
            return None

    async def deliver(self, recipient: str, message: OutMessage) -> Sent | str | None:
        rt = self.rt
        person = rt.directory.get(recipient)
        if person is None or not self.reaches(person):
            raise PermanentError(f"{recipient} has no phone number")
        if message.kind == "card" and message.ref and not choosable(message.buttons):
            async with reading(rt.db) as conn:
                shown = await repo.get_message_ref(conn, VIA, person.id, message.ref)
            if shown is not None:
                return None  # a card redrawn with nothing to answer: not worth an SMS
        try:
            sid = await self.api.send(e164(person.whatsapp or ""), sms_text(message, person.lang, self.number_of))
        except TwilioException as exc:
            raise PermanentError(f"Twilio refused the SMS ({getattr(exc, 'status', '?')}, "
                                 f"error {getattr(exc, 'code', None)})") from exc
        if message.kind == "card" and message.ref:
            return Sent(sid, (Shown(person.id, message.ref, sid),))
        return sid
