"""A Gantt-like SVG of the tasks of a crisis over time: one row per task, from its
activation (waiting to be taken, then in progress) to its completion, the part past its
deadline in red, reminders and escalations as marks, FIN DE LA CRISIS as a line."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.reports import fmt
from flows.directory import Directory
from flows.playbook import Phase
from flows.report import Outcome, Report, TaskFigures
from flows.texts import t

WIDTH = 960
LABEL = 260  # the column of task names
RIGHT = 24
TOP = 34
ROW = 26
BAR = 14
LEGEND = 44
TICK_MINUTES = (1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 360, 720, 1440)

COLORS = {
    "wait": "#f0b429",
    "work": "#2f855a",
    "late": "#d64545",
    "cancelled": "#a0aec0",
    "deadline": "#1a202c",
    "reminder": "#6b46c1",
    "escalation": "#9b2c2c",
    "fin": "#dd6b20",
    "grid": "#e2e8f0",
    "text": "#1a202c",
    "muted": "#4a5568",
}


class _Scale:
    def __init__(self, start: datetime, end: datetime) -> None:
        self.start = start
        self.span = max((end - start).total_seconds(), 600.0)  # at least ten minutes wide
        self.width = WIDTH - LABEL - RIGHT

    def x(self, at: datetime) -> float:
        offset = (at - self.start).total_seconds() / self.span
        return round(LABEL + min(max(offset, 0.0), 1.0) * self.width, 1)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.span)


def _ticks(scale: _Scale, tz: ZoneInfo) -> list[datetime]:
    minutes = next((m for m in TICK_MINUTES if scale.span / 60 / m <= 8), TICK_MINUTES[-1])
    local = scale.start.astimezone(tz)
    first = local.replace(second=0, microsecond=0)
    first -= timedelta(minutes=(first.hour * 60 + first.minute) % minutes)
    ticks = []
    at = first
    while at <= scale.end:
        if at >= scale.start:
            ticks.append(at)
        at += timedelta(minutes=minutes)
    return ticks


def _label(f: TaskFigures) -> str:
    text = f"{f.step.number} · {f.step.title}"
    return text if len(text) <= 36 else text[:35] + "…"


def _tooltip(f: TaskFigures, directory: Directory, lang: str, tz: ZoneInfo) -> str:
    parts = [f"{f.step.number} {f.step.title.in_lang(lang)}", fmt.outcome(f, lang)]
    if f.taken_by:
        parts.append(t(lang, "rep.col_credit") + ": " + fmt.taken_by(f, directory, lang))
    parts.append(t(lang, "rep.col_to_take") + ": " + fmt.duration(f.time_to_take, lang))
    parts.append(t(lang, "rep.col_to_finish") + ": " + fmt.duration(f.time_to_finish, lang))
    if f.deadline_at:
        parts.append(t(lang, "rep.legend_deadline") + ": " + fmt.clock(f.deadline_at, tz))
    return " · ".join(parts)


def _rect(x1: float, x2: float, y: float, color: str, extra: str = "") -> str:
    width = max(x2 - x1, 3.0)  # an instant still shows
    return f'<rect x="{x1}" y="{y}" width="{round(width, 1)}" height="{BAR}" rx="2" fill="{color}"{extra}/>'


def _row(f: TaskFigures, report: Report, scale: _Scale, y: float, directory: Directory, lang: str, tz: ZoneInfo) -> list[str]:
    out = [f'<g class="task" data-step="{escape(f.step.id)}"><title>{escape(_tooltip(f, directory, lang, tz))}</title>']
    out.append(f'<text x="8" y="{y + BAR - 2}" font-size="12" fill="{COLORS["text"]}">{escape(_label(f))}</text>')
    if f.activated_at is None:
        out.append("</g>")
        return out
    crisis = report.crisis
    if f.done_at is not None:
        end = f.done_at
    elif f.outcome == Outcome.NOT_DONE:
        end = (crisis.closing_at if f.step.phase == Phase.CRISIS else None) or crisis.closed_at or report.timeline_end
    else:
        end = report.timeline_end
    x_start, x_end = scale.x(f.activated_at), scale.x(end)
    if f.outcome in (Outcome.NOT_DONE, Outcome.AUTOMATIC):
        color = COLORS["cancelled"] if f.outcome == Outcome.NOT_DONE else COLORS["work"]
        out.append(_rect(x_start, x_end, y, color))
    else:
        taken = f.taken_at if f.taken_at is not None and f.taken_at <= end else None
        if taken is None:
            out.append(_rect(x_start, x_end, y, COLORS["wait"]))
        else:
            x_taken = scale.x(taken)
            if x_taken > x_start:
                out.append(_rect(x_start, x_taken, y, COLORS["wait"]))
            out.append(_rect(x_taken, x_end, y, COLORS["work"]))
        if f.deadline_at is not None and end > f.deadline_at:
            out.append(_rect(scale.x(f.deadline_at), x_end, y, COLORS["late"], ' class="late"'))
    if f.deadline_at is not None and f.deadline_at <= scale.end and f.outcome != Outcome.AUTOMATIC:
        x = scale.x(f.deadline_at)
        out.append(f'<line x1="{x}" x2="{x}" y1="{y - 3}" y2="{y + BAR + 3}" stroke="{COLORS["deadline"]}" stroke-width="2"/>')
    for at in f.reminder_times:
        out.append(f'<circle cx="{scale.x(at)}" cy="{y - 1}" r="3.5" fill="{COLORS["reminder"]}" class="reminder"/>')
    for at in f.escalation_times:
        x = scale.x(at)
        out.append(f'<path d="M{x - 5} {y + BAR + 5} L{x + 5} {y + BAR + 5} L{x} {y + BAR - 4} Z" '
                   f'fill="{COLORS["escalation"]}" class="escalation"/>')
    out.append("</g>")
    return out


def _legend(y: float, lang: str) -> list[str]:
    items = [("wait", "rep.legend_wait"), ("work", "rep.legend_work"), ("late", "rep.legend_late"),
             ("cancelled", "rep.legend_cancelled")]
    out, x = [], 8.0
    for color, key in items:
        label = t(lang, key)
        out.append(f'<rect x="{x}" y="{y}" width="14" height="10" rx="2" fill="{COLORS[color]}"/>')
        out.append(f'<text x="{x + 19}" y="{y + 9}" font-size="11" fill="{COLORS["muted"]}">{escape(label)}</text>')
        x += 30 + 6.5 * len(label)
    marks = [
        (f'<line x1="{{x}}" x2="{{x}}" y1="{y - 2}" y2="{y + 12}" stroke="{COLORS["deadline"]}" stroke-width="2"/>', "rep.legend_deadline"),
        (f'<circle cx="{{x}}" cy="{y + 5}" r="3.5" fill="{COLORS["reminder"]}"/>', "rep.legend_reminder"),
        (f'<path d="M{{x0}} {y + 10} L{{x1}} {y + 10} L{{x}} {y + 1} Z" fill="{COLORS["escalation"]}"/>', "rep.legend_escalation"),
        (f'<line x1="{{x}}" x2="{{x}}" y1="{y - 2}" y2="{y + 12}" stroke="{COLORS["fin"]}" stroke-width="2" stroke-dasharray="4 3"/>', "rep.legend_fin"),
    ]
    for shape, key in marks:
        label = t(lang, key)
        out.append(shape.format(x=x + 5, x0=x, x1=x + 10))
        out.append(f'<text x="{x + 16}" y="{y + 9}" font-size="11" fill="{COLORS["muted"]}">{escape(label)}</text>')
        x += 28 + 6.5 * len(label)
    return out


def gantt_svg(report: Report, directory: Directory, lang: str) -> str:
    tz = ZoneInfo(report.playbook.timezone)
    scale = _Scale(report.start, report.timeline_end)
    rows = list(report.tasks)
    height = TOP + ROW * len(rows) + LEGEND
    title = t(lang, "rep.chart")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" class="gantt" font-family="system-ui, -apple-system, Segoe UI, sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    bottom = TOP + ROW * len(rows)
    for tick in _ticks(scale, tz):
        x = scale.x(tick)
        out.append(f'<line x1="{x}" x2="{x}" y1="{TOP - 6}" y2="{bottom}" stroke="{COLORS["grid"]}"/>')
        out.append(f'<text x="{x}" y="{TOP - 12}" font-size="11" text-anchor="middle" fill="{COLORS["muted"]}">'
                   f'{tick.strftime("%H:%M")}</text>')
    previous_phase = None
    for i, f in enumerate(rows):
        y = TOP + ROW * i + (ROW - BAR) / 2
        if previous_phase is not None and f.step.phase != previous_phase:
            line_y = TOP + ROW * i
            out.append(f'<line x1="0" x2="{WIDTH}" y1="{line_y}" y2="{line_y}" stroke="{COLORS["muted"]}" stroke-dasharray="2 3"/>')
        previous_phase = f.step.phase
        out.extend(_row(f, report, scale, y, directory, lang, tz))
    if report.crisis.closing_at is not None:
        x = scale.x(report.crisis.closing_at)
        out.append(f'<line x1="{x}" x2="{x}" y1="{TOP - 6}" y2="{bottom}" stroke="{COLORS["fin"]}" stroke-width="2" '
                   f'stroke-dasharray="4 3" class="fin"><title>{escape(t(lang, "rep.legend_fin"))}</title></line>')
    out.extend(_legend(bottom + 18, lang))
    out.append("</svg>")
    return "\n".join(out)
