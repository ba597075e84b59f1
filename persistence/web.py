"""Reads for the web dashboard (handlers/web)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence import tables as T


async def last_log_id(conn: AsyncConnection) -> int:
    """The newest bitácora entry's id: it grows whenever any process changes anything."""
    result = await conn.execute(select(func.max(T.log.c.id)))
    last: int | None = result.scalar_one_or_none()
    return last or 0
