"""The report as strings in the reader's language, shared by the Markdown and HTML forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.reports import fmt
from flows.directory import Directory
from flows.render import RECEIPTS, log_entry_text, status_icon_detail
from flows.report import Report
from flows.texts import t, tn


@dataclass(frozen=True)
class Row:
    number: str
    title: str
    responsibles: str
    taken_by: str
    to_take: str
    to_finish: str
    reminders: int
    escalations: int
    result: str
    outcome: str  # the Outcome value, for styling
    late: bool


@dataclass(frozen=True)
class Check:
    icon: str
    number: str
    title: str
    detail: str


@dataclass(frozen=True)
class SignOffView:
    heading: str
    signed: bool
    line: str
    checks: list[Check]


@dataclass(frozen=True)
class LogLine:
    at: str
    who: str
    channel: str
    text: str


@dataclass
class ReportView:
    lang: str
    crisis_id: str
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    sign_offs: list[SignOffView] = field(default_factory=list)
    log: list[LogLine] = field(default_factory=list)
    deliveries_note: str = ""
    definitions: str = ""
    generated: str = ""


def sign_off_views(report: Report, directory: Directory, lang: str) -> list[SignOffView]:
    """The checks of step 7: what was recorded for each checked step, and the signature."""
    tz = ZoneInfo(report.playbook.timezone)
    views = []
    for sign_off in report.sign_offs:
        checks = []
        for f in sign_off.checked:
            icon, detail = status_icon_detail(report.playbook, directory, f.step, f.task, lang, tz, report.now,
                                              len(f.responsibles))
            checks.append(Check(icon, f.step.number, f.step.title.in_lang(lang), detail))
        signed = sign_off.signed_at is not None
        line = (t(lang, "rep.signed", by=fmt.person(directory, sign_off.signed_by, lang),
                  at=fmt.when(sign_off.signed_at, tz, lang)) if signed else t(lang, "rep.unsigned"))
        views.append(SignOffView(
            heading=t(lang, "rep.sign_off", number=sign_off.step.number, title=sign_off.step.title),
            signed=signed, line=line, checks=checks))
    return views


def build(report: Report, directory: Directory, lang: str, with_deliveries: bool = False) -> ReportView:
    """`with_deliveries`: list every message delivery in the bitácora (else count them)."""
    tz = ZoneInfo(report.playbook.timezone)
    crisis = report.crisis
    view = ReportView(lang=lang, crisis_id=crisis.id, title=t(lang, "rep.title", id=crisis.id))
    state = t(lang, f"web.phase_{crisis.state.value}")
    if report.is_open:
        state += " · " + t(lang, "rep.ongoing", at=fmt.when(report.now, tz, lang))
    view.facts = [
        (t(lang, "rep.procedure"), report.playbook.name),
        (t(lang, "rep.state"), state),
        (t(lang, "rep.start"), fmt.when(report.start, tz, lang)),
        (t(lang, "rep.end"), fmt.when(report.end, tz, lang)),
        (t(lang, "rep.duration"), fmt.duration(report.duration, lang)),
        (t(lang, "rep.declared_by"), fmt.person(directory, crisis.declared_by, lang)),
    ]
    if crisis.reported_by:
        view.facts.append((t(lang, "rep.reported_by"), fmt.person(directory, crisis.reported_by, lang)))
    if crisis.closing_by:
        view.facts.append((t(lang, "rep.closing_by"),
                           f"{fmt.person(directory, crisis.closing_by, lang)} ({fmt.when(crisis.closing_at, tz, lang)})"))
    if crisis.description:
        view.facts.append((t(lang, "rep.situation"), crisis.description))
    view.figures = [
        (t(lang, "rep.first_response"), fmt.duration(report.time_to_first_response, lang)),
        (t(lang, "rep.all_done"), fmt.all_done(report, lang)),
        (t(lang, "rep.on_time"), fmt.on_time_share(report, lang)),
        (t(lang, "rep.closing_time"), fmt.duration(report.closing_duration, lang)),
        (t(lang, "rep.reminders"), str(report.reminders)),
        (t(lang, "rep.escalations"), str(report.escalations)),
    ]
    view.columns = [t(lang, f"rep.col_{c}") for c in (
        "step", "task", "responsibles", "credit", "to_take", "to_finish", "reminders", "escalations", "result")]
    for f in report.tasks:
        view.rows.append(Row(
            number=f.step.number, title=f.step.title.in_lang(lang), responsibles=fmt.people(directory, f.responsibles, lang),
            taken_by=fmt.taken_by(f, directory, lang), to_take=fmt.duration(f.time_to_take, lang),
            to_finish=fmt.duration(f.time_to_finish, lang), reminders=f.reminders, escalations=f.escalations,
            result=fmt.outcome(f, lang), outcome=f.outcome.value, late=f.late,
        ))
    view.sign_offs = sign_off_views(report, directory, lang)
    deliveries = 0
    for entry in report.entries:
        if entry.kind in RECEIPTS and not with_deliveries:
            deliveries += 1
            continue
        view.log.append(LogLine(
            at=entry.at.astimezone(tz).strftime("%d/%m %H:%M"), who=fmt.person(directory, entry.person, lang),
            channel=entry.channel or "-", text=log_entry_text(entry, directory, report.playbook, lang)))
    view.deliveries_note = tn(lang, "rep.log_deliveries", deliveries) if deliveries else ""
    view.definitions = t(lang, "rep.definitions")
    view.generated = t(lang, "rep.generated", at=fmt.when(report.now, tz, lang))
    return view
