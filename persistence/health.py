"""What `/healthz` reads of the database: the next pending timer and the oldest message
still waiting in the outbox (bot/health.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence import tables as T


async def oldest_undelivered(conn: AsyncConnection) -> datetime | None:
    """When the oldest outbox row neither delivered nor given up on was written (UTC)."""
    result = await conn.execute(select(func.min(T.outbox.c.created_at)).where(
        and_(T.outbox.c.delivered_at.is_(None), T.outbox.c.failed_at.is_(None))))
    at: datetime | None = result.scalar_one_or_none()
    return at
