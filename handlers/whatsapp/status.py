"""Twilio's status callbacks: delivered and read receipts go into the bitácora; a message
that ends undelivered or failed is sent again as a template (error 63016, outside the
24-hour window) or through the person's other channel, or counts as unanswered."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.routing import Delivery
from flows.messages import LogEntry
from handlers.whatsapp import fields
from handlers.whatsapp.fallback import fall_back
from handlers.whatsapp.render import Renderer
from persistence import repository as repo
from persistence.database import reading, writing
from persistence.whatsapp import VIA, close_window, forget_shown

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

RECEIPTS = {"delivered": "whatsapp_delivered", "read": "whatsapp_read"}
FAILURES = frozenset({"undelivered", "failed"})
OUTSIDE_WINDOW = "63016"
LOOKUPS, LOOKUP_PAUSE = 5, 0.2  # seconds: well within Twilio's 15-second webhook timeout


@dataclass(frozen=True)
class StatusUpdate:
    sid: str
    status: str
    error: str | None = None

    @classmethod
    def from_form(cls, form: Mapping[str, object]) -> StatusUpdate:
        """Twilio's status callback form, checked like a message's (handlers/whatsapp/fields.py).
        Raises MalformedWebhook (answered 400)."""
        sid = fields.sid(form, "MessageSid", "SmsSid")
        status = fields.matching(form, "MessageStatus", fields.STATUS, "SmsStatus")
        if not status:
            raise fields.MalformedWebhook("MessageStatus is required")
        return cls(sid, status.lower(), fields.matching(form, "ErrorCode", fields.ERROR_CODE) or None)


async def _sent_row(rt: Runtime, update: StatusUpdate) -> repo.OutboxRow | None:
    """The outbox row with that MessageSid. A failure can be reported before the sender
    has recorded the MessageSid Twilio just gave it: look again, briefly."""
    for attempt in range(LOOKUPS):
        async with reading(rt.db) as conn:
            row = await repo.outbox_by_external_id(conn, VIA, update.sid)
        if row is not None or update.status not in FAILURES or attempt == LOOKUPS - 1:
            return row
        await asyncio.sleep(LOOKUP_PAUSE)
    return None


async def handle_status(rt: Runtime, renderer: Renderer, update: StatusUpdate) -> None:
    if update.status not in RECEIPTS and update.status not in FAILURES:
        return  # queued, sending, sent, accepted...: nothing to record
    row = await _sent_row(rt, update)
    if row is None:  # an earlier piece of a long message, or not ours
        log.info("status %s for unknown message %s", update.status, update.sid)
        return
    now = rt.clock.now()
    requeued = False
    async with writing(rt.db) as conn:
        if not await repo.mark_processed(conn, f"twilio-status:{update.sid}:{update.status}", now):
            return
        data = {"to": row.recipient, "sid": update.sid}
        if update.status in RECEIPTS:
            await repo.append_log(conn, [LogEntry(at=now, kind=RECEIPTS[update.status], channel=VIA,
                                                  crisis_id=row.crisis_id, data=data)])
            return
        await repo.append_log(conn, [LogEntry(at=now, kind="whatsapp_failed", channel=VIA, crisis_id=row.crisis_id,
                                              data={**data, "status": update.status, "error": update.error or "-"})])
        person = rt.directory.get(row.recipient)
        if person is None:  # the answer to an unknown number: nothing else to try
            return
        if row.message.ref is not None:
            await forget_shown(conn, person.id, row.message.ref, update.sid)
        window_open = await repo.last_inbound(conn, person.id, VIA) is not None
        if update.error == OUTSIDE_WINDOW and window_open and renderer.approved(row.message, person.lang) is not None:
            # We thought the window was open; Twilio says it is not. Again, as a template.
            await close_window(conn, person.id)
            await repo.enqueue(conn, row.crisis_id, [Delivery(person.id, VIA, row.message)], now)
            await repo.append_log(conn, [LogEntry(at=now, kind="whatsapp_template", channel=VIA,
                                                  crisis_id=row.crisis_id, data={"to": person.id})])
            requeued = True
        else:
            requeued = await fall_back(conn, rt.service.router, person, row.message, row.crisis_id, now) is not None
    if requeued:
        rt.outbox.kick()
