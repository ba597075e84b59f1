"""Repository functions of the WhatsApp transport (the rest it needs is in repository.py:
touch_contact/last_inbound, outbox_by_external_id, message refs, enqueue, append_log)."""

from __future__ import annotations

from sqlalchemy import and_, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.messages import OutMessage
from persistence import tables as T

VIA = "whatsapp"


async def close_window(conn: AsyncConnection, person_id: str) -> None:
    """Twilio said the person is outside the 24-hour window (error 63016) although we
    thought otherwise: forget their last message, so what follows goes as templates
    until they write again."""
    await conn.execute(delete(T.contacts).where(and_(T.contacts.c.person_id == person_id, T.contacts.c.via == VIA)))


async def offered_choices(conn: AsyncConnection, person_id: str) -> list[OutMessage]:
    """Messages with buttons delivered to the person on WhatsApp, newest first, leaving
    out those shown again later under the same ref (a card taken by someone else, done):
    their old buttons are no longer on offer. What a numbered reply ("2") may press."""
    rows = (await conn.execute(select(T.outbox.c.payload).where(and_(
        T.outbox.c.recipient == person_id, T.outbox.c.via == VIA, T.outbox.c.delivered_at.is_not(None),
    )).order_by(T.outbox.c.id.desc()).limit(100))).all()
    shown_later: set[str] = set()
    offered: list[OutMessage] = []
    for (payload,) in rows:
        message = OutMessage.from_json(payload)
        if message.ref is not None and message.ref in shown_later:
            continue
        if message.buttons:
            offered.append(message)
        if message.ref is not None:
            shown_later.add(message.ref)
    return offered


async def forget_shown(conn: AsyncConnection, person_id: str, ref: str, external_id: str) -> None:
    """The message under `ref` never reached the person: the next one shows it whole."""
    await conn.execute(delete(T.message_refs).where(and_(
        T.message_refs.c.via == VIA, T.message_refs.c.recipient == person_id, T.message_refs.c.ref == ref,
        T.message_refs.c.external_id == external_id)))
