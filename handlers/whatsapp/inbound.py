"""An incoming WhatsApp message (Twilio's webhook form) turned into an engine command:
a quick reply's ButtonPayload is a Press; a reply quoting a card (Twilio's
OriginalRepliedMessageSid) with "2" presses that card's «Hecho»; a bare "2" presses «Hecho»
on the one card that offers it, or asks which (bot/choices.py), unless the bot is waiting
for an answer from them; anything else is a Say."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.choices import read_choice
from bot.routing import Delivery
from flows.commands import Press, Say
from flows.directory import Person
from flows.matching import Intent, read
from flows.messages import Action, OutMessage
from flows.texts import t
from handlers.whatsapp import fields
from handlers.whatsapp.config import PREFIX, address, person_by_number
from handlers.whatsapp.owed import pay
from persistence import repository as repo
from persistence.database import writing
from persistence.whatsapp import VIA

if TYPE_CHECKING:
    from bot.runtime import Runtime


@dataclass(frozen=True)
class Incoming:
    sid: str
    sender: str  # "whatsapp:+56911110001"
    body: str
    payload: str | None = None  # ButtonPayload of a quick reply, or ListId of a list picker's item (the CHOOSE action)
    replied_to: str | None = None  # OriginalRepliedMessageSid: the message this one replies to (quotes)
    button_text: str | None = None
    profile_name: str | None = None
    media: int = 0

    @classmethod
    def from_form(cls, form: Mapping[str, object]) -> Incoming:
        """Twilio's message webhook form, every field read checked for type and size
        (handlers/whatsapp/fields.py). Raises MalformedWebhook (answered 400)."""
        return cls(sid=fields.sid(form, "MessageSid", "SmsMessageSid"), sender=fields.sender(form),
                   body=fields.text(form, "Body", fields.MAX_BODY),
                   payload=fields.text(form, "ButtonPayload") or fields.text(form, "ListId") or None,
                   replied_to=fields.matching(form, "OriginalRepliedMessageSid", fields.SID) or None,
                   button_text=fields.text(form, "ButtonText") or fields.text(form, "ListTitle") or None,
                   profile_name=fields.text(form, "ProfileName") or None,
                   media=fields.media_count(form))


@dataclass(frozen=True)
class Reply:
    """An answer of the transport itself (no engine command): a bad number, media only."""

    text: str


async def command_for(rt: Runtime, person: Person, msg: Incoming) -> Press | Say | Reply:
    if msg.payload:
        try:
            return Press(person.id, Action.decode(msg.payload), VIA)
        except ValueError:
            pass  # not one of our payloads: read what the button said
    text = msg.body.strip() or (msg.button_text or "").strip()
    if not text:
        return Reply(t(person.lang, "whatsapp.media_only"))
    choice = await read_choice(rt, person, VIA, text, msg.replied_to)
    if isinstance(choice, Press):
        return choice
    if isinstance(choice, str):  # on several cards, or on none
        return Reply(choice)
    return Say(person.id, text, VIA, direct=True)


async def _reply(rt: Runtime, key: str, recipient: str, text: str) -> None:
    """Queue the transport's own answer, once per MessageSid."""
    now = rt.clock.now()
    async with writing(rt.db) as conn:
        if not await repo.mark_processed(conn, key, now):
            return
        await repo.enqueue(conn, None, [Delivery(recipient, VIA, OutMessage(to=recipient, text=text))], now)
    rt.outbox.kick()


async def _summary_asked(rt: Runtime, conn: AsyncConnection, text: str) -> str | None:
    """The closed crisis whose summary the engine answers `text` with («informe» or
    «bitácora» when none is open: flows/engine.needs_last_closed), else None."""
    playbook = rt.playbook
    if read(text, playbook.declare_phrase, playbook.close_phrase).intent != Intent.LOG:
        return None
    if await repo.open_crisis_id(conn, playbook.id) is not None:
        return None
    last = await repo.last_closed_crisis(conn, playbook.id)
    return last.id if last else None


async def _open_window(rt: Runtime, person: Person, text: str) -> None:
    async with writing(rt.db) as conn:  # the 24-hour window opens now: what is owed goes first
        await repo.touch_contact(conn, person.id, VIA, rt.clock.now())
        answered = await _summary_asked(rt, conn, text)
        paid = await pay(conn, person.id, rt.clock.now(), answered)
    if paid:
        rt.outbox.kick()


async def handle_incoming(rt: Runtime, msg: Incoming) -> str | None:
    """Returns a text to answer in the webhook's own reply (TwiML), when the database
    could not take the message within the budget (bot/inbox.py): «received» for a
    command kept in the inbox, or the transport's own answer."""
    key = f"twilio:{msg.sid}"
    budget = rt.settings.inbox_twilio_budget_seconds
    person = person_by_number(rt.directory, msg.sender)
    if person is None:
        sender = address(msg.sender)
        name = msg.profile_name or sender.removeprefix(PREFIX)
        text = t(rt.settings.lang, "unknown_person", name=name)
        return None if await rt.inbox.within(_reply(rt, key, sender, text), budget) else text
    deadline = asyncio.get_running_loop().time() + budget
    opened = await rt.inbox.within(_open_window(rt, person, msg.body or msg.button_text or ""), budget)
    command = await command_for(rt, person, msg)
    left = max(deadline - asyncio.get_running_loop().time(), 0.0)
    if isinstance(command, Reply):
        return None if opened and await rt.inbox.within(_reply(rt, key, person.id, command.text), left) else command.text
    taken = await rt.inbox.take(command, key, left, what=msg.button_text or msg.body)
    return t(person.lang, "inbox.received") if taken.spooled else None
