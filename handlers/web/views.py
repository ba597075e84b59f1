"""What the dashboard shows, read from the database and put into words for templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.report import load_report
from bot.reports import fmt
from bot.reports.gantt import gantt_svg
from bot.reports.view import LogLine, SignOffView, sign_off_views
from flows import contact
from flows.banner import is_up, public_message
from flows.contact import DeliveryBoard
from flows.crisis import Crisis, CrisisState, TaskState
from flows.directory import Directory
from flows.playbook import Playbook, StepMode
from flows.render import RECEIPTS, age, clock_time, is_overdue, log_entry_text, status_icon_detail
from flows.report import ESCALATION_KINDS, Report
from flows.texts import t, tn
from persistence import repository as repo
from persistence.database import reading

RECENT = 12  # entries of the bitácora on the live dashboard


@dataclass(frozen=True)
class TaskCard:
    step_id: str
    number: str
    title: str
    state: str
    state_label: str
    icon: str
    detail: str
    responsibles: str
    owner: str | None
    due: str | None
    overdue: bool
    late: bool  # done after its deadline
    missing: str | None = None  # a round under way: who has not confirmed yet
    escalated: str | None = None  # «Escalada 2 veces a Juan Pablo, Jaime»


@dataclass(frozen=True)
class ContactRow:
    """One person's delivery state on the dashboard («sin contacto» said in words, not
    only by colour)."""

    person_id: str
    name: str
    channel: str
    state: str
    state_label: str
    lost: bool
    detail: str  # what failed, for a person nobody reaches
    delivered: str  # time of the last delivery, or "—"
    read: str  # time read, "—", or that the channel does not report reads
    next: str  # the next reminder or escalation on their tasks, or "—"


@dataclass
class CrisisView:
    id: str
    state: str
    phase_label: str
    declared: str
    reported: str | None
    closing: str | None
    closed: str | None
    description: str | None
    counts: str
    banner: str
    banner_on: bool
    tasks: list[TaskCard] = field(default_factory=list)
    sign_offs: list[SignOffView] = field(default_factory=list)
    timeline: list[LogLine] = field(default_factory=list)
    deliveries: int = 0
    svg: str = ""
    contacts: list[ContactRow] = field(default_factory=list)
    contact_line: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state != CrisisState.CLOSED.value


@dataclass(frozen=True)
class CrisisRow:
    id: str
    state: str
    state_label: str
    start: str
    duration: str
    declared_by: str
    description: str = ""  # the situation, cut to one short line


DESCRIPTION_CHARS = 90  # of the situation in the list of crises


def _short(text: str | None, limit: int = DESCRIPTION_CHARS) -> str:
    one_line = " ".join((text or "").split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


def _escalated(report: Report, step_id: str, count: int, directory: Directory, lang: str) -> str | None:
    """How often the task was escalated and to whom (the names its bitácora entries give)."""
    if not count:
        return None
    names: list[str] = []
    for e in report.entries:
        if e.kind in ESCALATION_KINDS and e.data.get("step") == step_id:
            names.extend(n.strip() for n in str(e.data.get("names", "")).split(",") if n.strip())
    return tn(lang, "web.escalated", count, names=", ".join(dict.fromkeys(names)) or "—")


def _task_cards(report: Report, directory: Directory, lang: str, tz: ZoneInfo) -> list[TaskCard]:
    cards = []
    for f in report.tasks:
        task = f.task
        icon, detail = status_icon_detail(report.playbook, directory, f.step, task, lang, tz, report.now,
                                          len(f.responsibles), report.crisis.tasks)
        owner = task.owner or task.done_by
        running = task.state in (TaskState.OPEN, TaskState.CLAIMED)
        missing = [directory[p].name for p in f.responsibles if p not in task.acks and directory.get(p)]
        cards.append(TaskCard(
            step_id=f.step.id, number=f.step.number, title=f.step.title.in_lang(lang), state=task.state.value,
            state_label=t(lang, "web.state_round" if f.step.mode == StepMode.EACH and running
                          else f"web.state_{task.state.value}"), icon=icon, detail=detail,
            responsibles=fmt.people(directory, f.responsibles, lang),
            owner=fmt.person(directory, owner, lang) if owner and f.step.mode == StepMode.ANY else None,
            due=clock_time(task.deadline_at, tz) if running and task.deadline_at else None,
            overdue=is_overdue(task, report.now), late=f.late and task.state == TaskState.DONE,
            missing=t(lang, "web.missing", names=", ".join(missing)) if f.step.mode == StepMode.EACH and running and missing
            else None,
            escalated=_escalated(report, f.step.id, task.escalations, directory, lang),
        ))
    return cards


def contact_rows(board: DeliveryBoard, report: Report, directory: Directory, lang: str, tz: ZoneInfo) -> list[ContactRow]:
    """A row per person the crisis speaks to, in directory order."""
    rows = []
    dash = "—"
    for person in contact.concerned(board, report.crisis, report.playbook, directory):
        c = board.get(person.id)
        state = c.state(board.now, board.after)
        lost = state == contact.ContactState.LOST
        upcoming = contact.next_for(board, report.crisis, report.playbook, directory, person.id)
        if c.read_at is not None:
            read = clock_time(c.read_at, tz)
        elif c.via is not None and c.via not in contact.READ_RECEIPTS:
            read = t(lang, "contact.web.no_reads")
        else:
            read = dash
        rows.append(ContactRow(
            person_id=person.id, name=person.name, channel=contact.via_name(c.via, lang), state=state.value,
            state_label=t(lang, f"contact.state.{state.value}"), lost=lost,
            detail=contact.why(c.reasons(board.now, board.after), lang) if lost else "",
            delivered=clock_time(c.delivered_at, tz) if c.delivered_at else dash, read=read,
            next=contact.next_text(upcoming, tz, lang) if upcoming else dash,
        ))
    return rows


def crisis_view(
    report: Report, directory: Directory, lang: str, recent: int | None = RECENT, delivery: DeliveryBoard | None = None,
) -> CrisisView:
    """`recent`: only the newest entries of the bitácora, newest first (None: all, in order).
    `delivery`: each person's delivery state (a table), where it was read."""
    crisis, tz = report.crisis, ZoneInfo(report.playbook.timezone)
    tasks = list(crisis.tasks.values())
    view = CrisisView(
        id=crisis.id, state=crisis.state.value, phase_label=t(lang, f"web.phase_{crisis.state.value}"),
        declared=t(lang, "web.declared", by=fmt.person(directory, crisis.declared_by, lang),
                   at=fmt.when(crisis.declared_at, tz, lang), age=age(report.now - crisis.declared_at, lang)),
        reported=t(lang, "web.reported", who=fmt.person(directory, crisis.reported_by, lang)) if crisis.reported_by else None,
        closing=t(lang, "web.closing", by=fmt.person(directory, crisis.closing_by, lang),
                  at=clock_time(crisis.closing_at, tz)) if crisis.closing_at else None,
        closed=t(lang, "web.closed", at=fmt.when(crisis.closed_at, tz, lang),
                 duration=fmt.duration(report.duration, lang)) if crisis.closed_at else None,
        description=crisis.description,
        counts=t(lang, "web.counts", done=tn(lang, "n.done_of", sum(x.state == TaskState.DONE for x in tasks), total=len(tasks)),
                 open=tn(lang, "n.open", sum(x.state in (TaskState.OPEN, TaskState.CLAIMED) for x in tasks)),
                 overdue=tn(lang, "n.overdue", sum(is_overdue(x, report.now) for x in tasks))),
        banner=banner_line(report, lang),
        banner_on=is_up(crisis),
    )
    if crisis.drill:  # issue 14 point 2: the header says it is a drill
        view.phase_label = t(lang, "web.drill_phase", phase=view.phase_label)
    view.tasks = _task_cards(report, directory, lang, tz)
    view.sign_offs = sign_off_views(report, directory, lang)
    shown = [e for e in report.entries if e.kind not in RECEIPTS]
    view.deliveries = len(report.entries) - len(shown)
    if recent is not None:
        shown = list(reversed(shown))[:recent]
    view.timeline = [
        LogLine(at=e.at.astimezone(tz).strftime("%d/%m %H:%M"), who=fmt.person(directory, e.person, lang),
                channel=e.channel or "-", text=log_entry_text(e, directory, report.playbook, lang))
        for e in shown
    ]
    view.svg = gantt_svg(report, directory, lang)
    if delivery is not None:
        view.contacts = contact_rows(delivery, report, directory, lang, tz)
        view.contact_line = contact.status_line(delivery, directory, lang)
    return view


def banner_line(report: Report, lang: str) -> str:
    """The public banner's state on the dashboard: its message while it is up; during an
    active drill (never published, flows/banner.py `is_up`) «El banner público habría
    mostrado: «…»»; else that it is hidden."""
    crisis = report.crisis
    if is_up(crisis):
        return t(lang, "web.banner_on", text=public_message(report.playbook, report.entries))
    if crisis.drill and crisis.state == CrisisState.ACTIVE:
        return t(lang, "web.banner_would", text=public_message(report.playbook, report.entries))
    return t(lang, "web.banner_off")


def crisis_row(crisis: Crisis, directory: Directory, lang: str, now: datetime) -> CrisisRow:
    tz = ZoneInfo(Playbook.from_frozen(crisis.playbook_json).timezone)
    return CrisisRow(
        id=crisis.id, state=crisis.state.value, state_label=t(lang, f"web.phase_{crisis.state.value}"),
        start=fmt.when(crisis.declared_at, tz, lang),
        duration=fmt.duration((crisis.closed_at or now) - crisis.declared_at, lang),
        declared_by=fmt.person(directory, crisis.declared_by, lang),
        description=_short(crisis.description),
    )


async def open_report(db: AsyncEngine, playbook_id: str, directory: Directory, now: datetime) -> Report | None:
    async with reading(db) as conn:
        crisis_id = await repo.open_crisis_id(conn, playbook_id)
    return await load_report(db, crisis_id, directory, now) if crisis_id else None


async def delivery_for(db: AsyncEngine, crisis: Crisis, now: datetime) -> DeliveryBoard:
    async with reading(db) as conn:
        return await repo.delivery_board(conn, crisis, now)


async def crisis_rows(db: AsyncEngine, directory: Directory, lang: str, now: datetime, limit: int = 50) -> list[CrisisRow]:
    async with reading(db) as conn:
        crises = await repo.list_crises(conn, crises_only=True, limit=limit)
    return [crisis_row(c, directory, lang, now) for c in crises]
