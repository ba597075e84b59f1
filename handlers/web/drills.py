"""The dashboard's page of drills (issue 14 point 4): per playbook, newest first, each with
its date, who started it, how it ended and its score, and a chart of the scores over drills.
`/panel/simulacros` shows the running crisis playbook's; `/panel/simulacros/<playbook id>`
another's. Drills never appear in the list of crises (persistence/repository.list_crises)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.reports import fmt
from bot.reports.drill_chart import ChartPoint, score_chart_svg
from flows.crisis import Crisis, CrisisState
from flows.directory import Directory
from flows.drill_score import score
from flows.messages import LogEntry
from flows.panel import PANEL_PATH, report_path
from flows.playbook import Playbook
from flows.texts import t
from persistence.database import reading
from persistence.drill_runs import list_drills

DRILLS_PATH = f"{PANEL_PATH}/simulacros"


@dataclass(frozen=True)
class DrillRow:
    id: str
    date: str
    started_by: str
    state: str
    score: str
    percent: int | None  # None: still running, or nothing scored
    report: str  # the report's path


@dataclass
class DrillsPage:
    playbook_id: str
    title: str
    rows: list[DrillRow] = field(default_factory=list)  # newest first
    svg: str = ""


def _state(crisis: Crisis, entries: list[LogEntry], lang: str) -> str:
    if crisis.state != CrisisState.CLOSED:
        return t(lang, "drill_score.web_running")
    if any(e.kind == "drill_ended" for e in entries):
        return t(lang, "drill_score.web_ended_real")
    return t(lang, "drill_score.web_ended")


def drills_page(
    playbook: Playbook, drills: list[tuple[Crisis, list[LogEntry]]], directory: Directory, lang: str, now: datetime,
) -> DrillsPage:
    """`drills`: newest first (persistence/drill_runs.py). Each drill is scored with its own
    frozen playbook; a running one is listed without a score and left out of the chart."""
    tz = ZoneInfo(playbook.timezone)
    page = DrillsPage(playbook_id=playbook.id, title=t(lang, "drill_score.web_title", playbook=playbook.name))
    points = []
    for crisis, entries in drills:
        ended = crisis.state == CrisisState.CLOSED
        result = score(crisis, Playbook.from_frozen(crisis.playbook_json), entries, directory, now) if ended else None
        percent = result.percent if result is not None else None
        text = (t(lang, "drill_score.score_value", pct=percent, within=result.within, counted=len(result.scored))
                if result is not None and percent is not None else t(lang, "drill_score.none"))
        date = fmt.when(crisis.declared_at, tz, lang)
        page.rows.append(DrillRow(id=crisis.id, date=date, started_by=fmt.person(directory, crisis.declared_by, lang),
                                  state=_state(crisis, entries, lang), score=text, percent=percent,
                                  report=report_path(crisis.id)))
        if percent is not None:
            points.append(ChartPoint(crisis.id, crisis.declared_at.astimezone(tz).strftime("%d/%m"), percent,
                                     f"{date} · {text}"))
    page.svg = score_chart_svg(list(reversed(points)), t(lang, "drill_score.web_chart"))
    return page


async def load_drills_page(
    db: AsyncEngine, playbook: Playbook, directory: Directory, lang: str, now: datetime,
) -> DrillsPage:
    async with reading(db) as conn:
        drills = await list_drills(conn, playbook.id)
    return drills_page(playbook, drills, directory, lang, now)
