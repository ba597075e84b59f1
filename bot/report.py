"""The report of a crisis: loaded from the database, its figures computed by
flows/report.py, rendered by bot/reports (Markdown, HTML with a chart, CSV of the
bitácora). `text_report` is the plain status and bitácora, as the chat shows them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.reports.bitacora_csv import to_csv
from bot.reports.gantt import gantt_svg
from bot.reports.html import to_html
from bot.reports.markdown import to_markdown
from bot.reports.view import build
from flows.directory import Directory
from flows.playbook import Playbook
from flows.render import log_lines, status_text
from flows.report import Report, compute
from flows.texts import t
from persistence import repository as repo
from persistence.database import reading


async def load_report(db: AsyncEngine, crisis_id: str, directory: Directory, now: datetime) -> Report | None:
    """The figures of a crisis; `now` measures a crisis that is still open."""
    async with reading(db) as conn:
        crisis = await repo.load_crisis(conn, crisis_id)
        if crisis is None:
            return None
        entries = await repo.crisis_log(conn, crisis_id)
    return compute(crisis, Playbook.from_frozen(crisis.playbook_json), directory, entries, now)


def markdown_report(report: Report, directory: Directory, lang: str, with_deliveries: bool = False) -> str:
    return to_markdown(build(report, directory, lang, with_deliveries))


def html_report(
    report: Report, directory: Directory, lang: str, downloads: Sequence[tuple[str, str]] = (), back: str | None = None,
) -> str:
    return to_html(build(report, directory, lang), gantt_svg(report, directory, lang), downloads, back)


def csv_report(report: Report, directory: Directory, lang: str) -> str:
    """The whole bitácora, deliveries included."""
    return to_csv(report.entries, directory, report.playbook, lang)


async def text_report(db: AsyncEngine, crisis_id: str, directory: Directory, lang: str, now_fallback: bool = True) -> str | None:
    async with reading(db) as conn:
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
    async with reading(db) as conn:
        return [c.id for c in await repo.list_crises(conn)]
