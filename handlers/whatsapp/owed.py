"""Full messages owed to a WhatsApp user who got only the short approved template (outside
the 24-hour window only templates arrive, and a template parameter holds one short line).
Their next message opens the window: what is owed is then queued as session messages, in
the order it was owed, before the answer to what they wrote."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.routing import Delivery
from flows.messages import OutMessage
from persistence import repository as repo
from persistence import tables as T

VIA = "whatsapp"
MAX_AGE = timedelta(days=3)  # older debts are dropped: news of days ago, not worth a burst


async def owe(conn: AsyncConnection, person_id: str, crisis_id: str | None, message: OutMessage, now: datetime) -> None:
    await conn.execute(insert(T.whatsapp_owed).values(
        person_id=person_id, crisis_id=crisis_id, payload=message.to_json(), owed_at=now))


async def owed(conn: AsyncConnection, person_id: str, now: datetime) -> list[tuple[str | None, OutMessage]]:
    """What is owed to the person, oldest first, as (crisis id, message): of several
    messages under one ref (a card redrawn while they were away) only the newest, in the
    place of the first (a digest, flows/digest.py, is always kept); nothing owed for longer than MAX_AGE."""
    rows = (await conn.execute(select(T.whatsapp_owed.c.crisis_id, T.whatsapp_owed.c.payload)
                               .where(and_(T.whatsapp_owed.c.person_id == person_id,
                                           T.whatsapp_owed.c.owed_at >= now - MAX_AGE))
                               .order_by(T.whatsapp_owed.c.id))).all()
    messages = [(crisis_id, OutMessage.from_json(payload)) for crisis_id, payload in rows]
    newest = {m.ref: i for i, (_, m) in enumerate(messages) if m.ref and m.kind != "digest"}
    result: list[tuple[str | None, OutMessage]] = []
    placed: set[str] = set()
    for crisis_id, message in messages:
        if message.ref is None or message.kind == "digest":  # a digest carries other tasks too: kept whole
            result.append((crisis_id, message))
        elif message.ref not in placed:
            placed.add(message.ref)
            result.append(messages[newest[message.ref]])
    return result


async def pay(conn: AsyncConnection, person_id: str, now: datetime) -> int:
    """Queue everything owed to the person on WhatsApp (in the caller's transaction, which
    also records their message) and forget it; returns how many messages were queued."""
    due = await owed(conn, person_id, now)
    for crisis_id, message in due:  # one insert each: the outbox keeps them in this order
        await repo.enqueue(conn, crisis_id, [Delivery(person_id, VIA, message)], now)
    await conn.execute(delete(T.whatsapp_owed).where(T.whatsapp_owed.c.person_id == person_id))
    return len(due)
