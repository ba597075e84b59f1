"""The report of a crisis: loaded from the database, its figures computed by
flows/report.py, rendered by bot/reports (Markdown, HTML with a chart, CSV of the
bitácora)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.reports import drill
from bot.reports.bitacora_csv import to_csv
from bot.reports.gantt import gantt_svg
from bot.reports.html import to_html
from bot.reports.markdown import to_markdown
from bot.reports.view import ReportView, build
from flows.clock import crisis_now
from flows.directory import Directory
from flows.playbook import Playbook
from flows.report import Report, compute
from flows.texts import t
from persistence import repository as repo
from persistence.database import reading


async def load_report(db: AsyncEngine, crisis_id: str, directory: Directory, now: datetime) -> Report | None:
    """The figures of a crisis; `now` (the wall clock) measures a crisis that is still open,
    on the crisis's own clock (a drill on simulated time: flows/clock.py `crisis_now`)."""
    async with reading(db) as conn:
        crisis = await repo.load_crisis(conn, crisis_id)
        if crisis is None:
            return None
        entries = await repo.crisis_log(conn, crisis_id)
    now = crisis_now(now, crisis.clock_offset, max((e.at for e in entries), default=None))
    return compute(crisis, Playbook.from_frozen(crisis.playbook_json), directory, entries, now)


def _view(report: Report, directory: Directory, lang: str) -> ReportView:
    view = build(report, directory, lang)
    if report.crisis.drill:
        view.title = t(lang, "drill_score.title", id=report.crisis.id)
    return view


def markdown_report(report: Report, directory: Directory, lang: str) -> str:
    """Message receipts are counted, not listed: they are in the CSV only (issue 11, point 6).
    A drill's report adds its score (issue 14 point 4, bot/reports/drill.py)."""
    extra = drill.to_markdown(drill.score_view(drill.drill_score_of(report, directory), directory, lang)) \
        if report.crisis.drill else ""
    return to_markdown(_view(report, directory, lang), extra)


def html_report(
    report: Report, directory: Directory, lang: str, downloads: Sequence[tuple[str, str]] = (), back: str | None = None,
) -> str:
    extra = drill.to_html(drill.score_view(drill.drill_score_of(report, directory), directory, lang)) \
        if report.crisis.drill else ""
    return to_html(_view(report, directory, lang), gantt_svg(report, directory, lang), downloads, back, extra)


def csv_report(report: Report, directory: Directory, lang: str) -> str:
    """The whole bitácora, deliveries included."""
    return to_csv(report.entries, directory, report.playbook, lang)


DESCRIPTION_WIDTH = 60


async def crisis_listing(db: AsyncEngine, lang: str) -> list[str]:
    """`crisisbot informe` without an id: one line per crisis, newest first, with its id,
    when it was declared (its playbook's time zone), its state and its description
    (first line, cut at DESCRIPTION_WIDTH characters)."""
    async with reading(db) as conn:
        crises = await repo.list_crises(conn, crises_only=True)
    lines = []
    for crisis in crises:
        tz = ZoneInfo(Playbook.from_frozen(crisis.playbook_json).timezone)
        first = (crisis.description or "").strip().splitlines()[0] if (crisis.description or "").strip() else ""
        if len(first) > DESCRIPTION_WIDTH:
            first = first[:DESCRIPTION_WIDTH - 1].rstrip() + "…"
        lines.append(t(lang, "list_line", id=crisis.id, at=crisis.declared_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                       state=t(lang, f"phase_{crisis.state.value}"), description=first or t(lang, "list_no_description")))
    return lines


async def drill_listing(db: AsyncEngine, playbook_id: str, directory: Directory, now: datetime, lang: str) -> list[str]:
    """`crisisbot informe` without an id, after the crises: the playbook's drills apart (issue
    14), newest first, each with its id, when it started and its score (flows/drill_score.py;
    a drill still running is measured at `now`, UTC)."""
    from flows.drill_score import score
    from persistence.drill_runs import list_drills

    async with reading(db) as conn:
        drills = await list_drills(conn, playbook_id)
    lines = []
    for crisis, log in drills:
        playbook = Playbook.from_frozen(crisis.playbook_json)
        result = score(crisis, playbook, log, directory, now=now)
        value = (t(lang, "drill_score.score_value", pct=result.percent, within=result.within, counted=len(result.scored))
                 if result.percent is not None else "—")
        at = crisis.declared_at.astimezone(ZoneInfo(playbook.timezone)).strftime("%Y-%m-%d %H:%M")
        lines.append(t(lang, "drill_score.list_line", id=crisis.id, at=at, score=value))
    return lines
