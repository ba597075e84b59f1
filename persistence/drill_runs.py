"""Drills listed apart from real crises (issue 14 point 4): the dashboard's page of drills
per playbook reads them here; every list of crises leaves them out
(repository.list_crises(crises_only=True), repository.last_closed_crisis)."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.crisis import Crisis
from flows.messages import LogEntry
from persistence import tables as T
from persistence.repository import crisis_log, load_crisis


async def list_drills(conn: AsyncConnection, playbook_id: str, limit: int = 50) -> list[tuple[Crisis, list[LogEntry]]]:
    """The playbook's drills, newest first (at most `limit`), each with its whole bitácora
    (deliveries included: the score counts unread messages)."""
    c = T.crises.c
    ids = (await conn.execute(select(c.id).where(and_(c.playbook_id == playbook_id, c.kind == "crisis", c.drill.is_(True)))
                              .order_by(c.declared_at.desc()).limit(limit))).scalars().all()
    found = []
    for crisis_id in ids:
        crisis = await load_crisis(conn, crisis_id)
        if crisis is not None:
            found.append((crisis, await crisis_log(conn, crisis_id)))
    return found
