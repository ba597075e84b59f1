"""The WhatsApp transport as the outbox sees it: one person, one message, one MessageSid.

Inside the 24-hour window (the person wrote to the bot less than 24 h ago) anything may be
sent; outside it only approved templates arrive. Twilio's error 63016 ("outside the
window") is answered by sending the message again as a template."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncConnection
from twilio.base.exceptions import TwilioException

from bot.outbox import PermanentError, Sent, Shown
from bot.settings import Settings
from flows.directory import Person
from flows.messages import LogEntry, OutMessage
from flows.texts import t
from handlers.whatsapp.api import TwilioApi
from handlers.whatsapp.config import PREFIX, Templates, address, digits, template_lang
from handlers.whatsapp.fallback import crisis_from_ref, fall_back
from handlers.whatsapp.owed import owe, pay
from handlers.whatsapp.render import Outgoing, Renderer
from persistence import repository as repo
from persistence.database import reading, writing
from persistence.whatsapp import VIA, close_window

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
OUTSIDE_WINDOW = 63016  # Twilio: "Failed to send freeform message because you are outside the allowed window"


class WhatsAppTransport:
    name = VIA
    group_mode = "relay"  # Twilio cannot post in WhatsApp groups: one message per person instead
    edits_in_place = False  # a redraw is a new message: bot/compact.py leaves it out or folds it in a digest

    def __init__(self, settings: Settings, api: TwilioApi | None = None) -> None:
        self.settings = settings
        self.api = api or TwilioApi(settings)
        lang = template_lang(settings.lang)
        labels = tuple(t(lang, key) for key in ("btn_claim", "btn_done", "btn_give_up"))
        self.renderer = Renderer(Templates.from_settings(settings), labels)
        self._runtime: Runtime | None = None
        self._warned = False  # about the missing template, once

    def bind(self, runtime: Runtime) -> None:
        self._runtime = runtime

    @property
    def rt(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("the WhatsApp transport is used before the runtime started")
        return self._runtime

    def reaches(self, person: Person) -> bool:
        return bool(person.whatsapp and digits(person.whatsapp))

    async def deliver(self, recipient: str, message: OutMessage) -> Sent | str:
        rt = self.rt
        if recipient.startswith(PREFIX):  # somebody not in the directory, who has just written
            try:
                return await self._send(recipient, self.renderer.session(message, self.settings.lang))
            except TwilioException as exc:
                raise PermanentError(f"Twilio refused the message (error {getattr(exc, 'code', None)})") from exc
        person = rt.directory.get(recipient)
        if person is None or not self.reaches(person):
            raise PermanentError(f"{recipient} has no WhatsApp number")
        now = rt.clock.now()
        async with reading(rt.db) as conn:
            last = await repo.last_inbound(conn, person.id, VIA)
            seen = await self._seen(conn, person.id, message)
        in_window = last is not None and now - last < WINDOW
        sends = self.renderer.session(message, person.lang, seen) if in_window else None
        if sends is None:
            sends = self.renderer.approved(message, person.lang, seen)
        if sends is None:
            if not self._warned:
                log.warning("no approved template (TWILIO_CONTENT_NOTICE): people outside WhatsApp's 24-hour window "
                            "get session messages, which Twilio refuses with error 63016")
                self._warned = True
            sends = self.renderer.session(message, person.lang, seen)
        try:
            sid = await self._send(address(person.whatsapp or ""), sends)
        except TwilioException as exc:
            sid, sends = await self._rescue(person, message, seen, sends, exc)
        if any(out.partial for out in sends):  # a short template: the whole message is owed
            await self._owe(person, message, now)
            return sid  # not shown whole: the next message under its ref is shown whole again
        if message.kind == "card" and message.ref:  # recorded with the delivery
            return Sent(sid, (Shown(person.id, message.ref, sid),))
        return sid

    async def _owe(self, person: Person, message: OutMessage, since: datetime) -> None:
        """Remember the whole message for the person's next answer; if they wrote while it
        was being sent (their window is open now), queue it at once instead."""
        rt = self.rt
        async with writing(rt.db) as conn:
            await owe(conn, person.id, await self._crisis_id(conn, message), message, rt.clock.now())
            last = await repo.last_inbound(conn, person.id, VIA)
            paid = last is not None and last >= since and await pay(conn, person.id, rt.clock.now()) > 0
        if paid:
            rt.outbox.kick()

    async def _send(self, to: str, sends: list[Outgoing]) -> str:
        """Long texts go in several messages; the last one (with the buttons) names the row."""
        sid = ""
        for out in sends:
            sid = await self.api.send(to, out)
        return sid

    async def _seen(self, conn: AsyncConnection, person_id: str, message: OutMessage) -> bool:
        if message.kind != "card" or not message.ref:
            return False
        return await repo.get_message_ref(conn, VIA, person_id, message.ref) is not None

    async def _crisis_id(self, conn: AsyncConnection, message: OutMessage) -> str | None:
        return crisis_from_ref(message.ref) or await repo.open_crisis_id(conn, self.rt.playbook.id)

    async def _rescue(
        self, person: Person, message: OutMessage, seen: bool, sends: list[Outgoing], exc: TwilioException
    ) -> tuple[str, list[Outgoing]]:
        """Twilio refused the message: 63016 -> again as a template (returns its sid and
        what was sent); else another channel (raises PermanentError)."""
        rt = self.rt
        code = getattr(exc, "code", None)
        template = self.renderer.approved(message, person.lang, seen)
        now = rt.clock.now()
        if str(code) == str(OUTSIDE_WINDOW) and template is not None and not all(s.approved for s in sends):
            async with writing(rt.db) as conn:
                await close_window(conn, person.id)
                await repo.append_log(conn, [LogEntry(at=now, kind="whatsapp_template", channel=VIA,
                                                      crisis_id=await self._crisis_id(conn, message),
                                                      data={"to": person.id})])
            try:
                return await self._send(address(person.whatsapp or ""), template), template
            except TwilioException as again:
                exc, code = again, getattr(again, "code", None)
        async with writing(rt.db) as conn:
            await fall_back(conn, rt.service.router, person, message, await self._crisis_id(conn, message), now)
        raise PermanentError(f"Twilio refused the message ({getattr(exc, 'status', '?')}, error {code})") from exc
