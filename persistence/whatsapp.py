"""Repository functions of the WhatsApp transport (the rest it needs is in repository.py:
touch_contact/last_inbound, outbox_by_external_id, message refs, enqueue, append_log; what a
numbered reply presses is read from persistence/choices.py)."""

from __future__ import annotations

from sqlalchemy import and_, delete
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence import tables as T

VIA = "whatsapp"


async def close_window(conn: AsyncConnection, person_id: str) -> None:
    """Twilio said the person is outside the 24-hour window (error 63016) although we
    thought otherwise: forget their last message, so what follows goes as templates
    until they write again."""
    await conn.execute(delete(T.contacts).where(and_(T.contacts.c.person_id == person_id, T.contacts.c.via == VIA)))


async def forget_shown(conn: AsyncConnection, person_id: str, ref: str, external_id: str) -> None:
    """The message under `ref` never reached the person: the next one shows it whole."""
    await conn.execute(delete(T.message_refs).where(and_(
        T.message_refs.c.via == VIA, T.message_refs.c.recipient == person_id, T.message_refs.c.ref == ref,
        T.message_refs.c.external_id == external_id)))
