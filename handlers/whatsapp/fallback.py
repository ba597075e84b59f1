"""When WhatsApp does not deliver: the same message through the person's other channel,
or, if they have none, a line in the bitácora saying it counts as unanswered (the
escalation timers of the task keep running, so the coordinators hear of it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.routing import Delivery, Router
from flows.directory import Person
from flows.messages import LogEntry, OutMessage
from handlers.whatsapp.render import choosable
from persistence import repository as repo

VIA = "whatsapp"
_CRISIS_REFS = ("card", "announcement", "summary", "report", "closing")


def other_channel(router: Router, person: Person) -> str | None:
    """The person's next preferred channel that is not WhatsApp and reaches them (SMS, the
    last resort, only when no chat channel does), in this process or another live one."""
    for name in router.order(person):
        if name not in (VIA, "none") and router.reaches(name, person):
            return name
    return None


def crisis_from_ref(ref: str | None) -> str | None:
    """'card:20261123-ab12/entel' -> '20261123-ab12' (proposal refs name no crisis)."""
    if not ref:
        return None
    kind, _, rest = ref.partition(":")
    return (rest.partition("/")[0] or None) if kind in _CRISIS_REFS else None


async def fall_back(
    conn: AsyncConnection, router: Router, person: Person, message: OutMessage, crisis_id: str | None, now: datetime
) -> str | None:
    """Queue the message on another channel (in the caller's transaction); returns it."""
    via = other_channel(router, person)
    if via is not None:
        await repo.enqueue(conn, crisis_id, [Delivery(person.id, via, message)], now)
        await repo.append_log(conn, [LogEntry(at=now, kind="whatsapp_fallback", channel=VIA, crisis_id=crisis_id,
                                              data={"to": person.id, "via": via})])
    elif choosable(message.buttons):
        await repo.append_log(conn, [LogEntry(at=now, kind="whatsapp_unanswered", channel=VIA, crisis_id=crisis_id,
                                              data={"to": person.id})])
    return via
