"""The text report of a crisis: its status and its whole bitácora."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from flows.directory import Directory
from flows.playbook import Playbook
from flows.render import log_lines, status_text
from flows.texts import t
from persistence import repository as repo


async def text_report(db: AsyncEngine, crisis_id: str, directory: Directory, lang: str, now_fallback: bool = True) -> str | None:
    async with db.connect() as conn:
        crisis = await repo.load_crisis(conn, crisis_id)
        if crisis is None:
            return None
        entries = await repo.crisis_log(conn, crisis_id)
    playbook = Playbook.from_frozen(crisis.playbook_json)
    tz = ZoneInfo(playbook.timezone)
    at = crisis.closed_at or (entries[-1].at if entries else crisis.declared_at)
    status = status_text(crisis, playbook, directory, at, lang, tz)
    lines = "\n".join(log_lines(entries, directory, playbook, lang, tz))
    return f"{status}\n\n{t(lang, 'log_head', id=crisis.id, lines=lines)}"


async def crisis_ids(db: AsyncEngine) -> list[str]:
    async with db.connect() as conn:
        return [c.id for c in await repo.list_crises(conn)]
