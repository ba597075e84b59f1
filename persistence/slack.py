"""Repository functions of the Slack transport (the rest it needs is in repository.py:
message refs, open_crisis_id, load_crisis, enqueue)."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.messages import GROUP, OutMessage
from persistence import tables as T

VIA = "slack"


async def live_refreshes_waiting(conn: AsyncConnection, crisis_id: str) -> int:
    """Undelivered group rows on Slack that redraw the crisis's live announcement (its
    announcement or summary). While one is being delivered and another waits, the one being
    delivered can leave the drawing to the later one, which will show a newer state."""
    refs = {f"announcement:{crisis_id}", f"summary:{crisis_id}"}
    rows = (await conn.execute(select(T.outbox.c.payload).where(and_(
        T.outbox.c.recipient == GROUP, T.outbox.c.via == VIA, T.outbox.c.delivered_at.is_(None),
        T.outbox.c.failed_at.is_(None))))).all()
    return sum(1 for (payload,) in rows if payload.get("ref") in refs)


async def shown_message(conn: AsyncConnection, recipient: str, external_id: str) -> OutMessage | None:
    """The newest message delivered to `recipient` on Slack as the message `external_id`
    (its ts): what an older copy shows, to redraw it without its buttons."""
    row = (await conn.execute(select(T.outbox.c.payload).where(and_(
        T.outbox.c.via == VIA, T.outbox.c.recipient == recipient, T.outbox.c.external_id == external_id,
        T.outbox.c.delivered_at.is_not(None))).order_by(T.outbox.c.id.desc()).limit(1))).first()
    return OutMessage.from_json(row[0]) if row else None
