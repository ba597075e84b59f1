"""What the dashboard shows of cases (issue 12, point 5): the queue of open cases per case
playbook, and one case's page. Read through persistence/cases.py, put into words here for
the templates cases.html and case.html; times in the viewer's own time zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.reports import fmt
from bot.runtime import Runtime
from flows.cases import values
from flows.cases.status import ENGINE_FIELDS
from flows.crisis import Crisis, TaskState
from flows.directory import Person
from flows.messages import LogEntry
from flows.playbook import FieldDef, Playbook
from flows.render import RECEIPTS, age, log_entry_text
from flows.texts import t, tn
from persistence import cases as queries
from persistence import repository as repo
from persistence.database import reading

PAGE = 50  # cases per page of a queue
CASES_PATH = "/panel/casos"


def case_playbooks(runtime: Runtime) -> list[Playbook]:
    """Every loaded playbook of kind «case» (`runtime.playbooks` once the lead adds it)."""
    loaded: dict[str, Playbook] = getattr(runtime, "playbooks", None) or {runtime.playbook.id: runtime.playbook}
    return [p for p in loaded.values() if p.is_case]


def _when(at: datetime, tz: ZoneInfo, now: datetime) -> str:
    """«14:30» today (in the viewer's zone), «01/12 14:30» another day."""
    local = at.astimezone(tz)
    return local.strftime("%H:%M") if local.date() == now.astimezone(tz).date() else local.strftime("%d/%m %H:%M")


@dataclass(frozen=True)
class QueueItem:
    short_id: str
    href: str
    step: str  # «2 Revisar orden», several joined with « · »
    owner: str  # a name, or «sin tomar»
    unclaimed: bool
    age: str  # «hace 2 h 10 min»
    due: str  # «14:30», «Vencido hace 40 min», or «—»
    overdue: bool


@dataclass
class QueueSection:
    playbook_id: str
    name: str
    total: str  # «12 casos abiertos»
    items: list[QueueItem] = field(default_factory=list)
    page_label: str = ""
    prev_href: str | None = None
    next_href: str | None = None


def _page_href(playbook_id: str, page: int) -> str:
    return f"{CASES_PATH}?{urlencode({'playbook': playbook_id, 'pagina': page})}"


async def queue_sections(runtime: Runtime, viewer: Person, only: str | None, page: int) -> list[QueueSection]:
    """One section per case playbook (only `only` when given), `page` (from 1) of each."""
    lang, tz, now = viewer.lang, ZoneInfo(viewer.timezone), runtime.clock.now()
    directory = runtime.directory
    sections = []
    async with reading(runtime.db) as conn:
        for playbook in case_playbooks(runtime):
            if only is not None and playbook.id != only:
                continue
            total = await queries.count_open(conn, [playbook.id])
            pages = max(1, -(-total // PAGE))
            current = min(max(1, page), pages)
            rows = await queries.queue(conn, [playbook.id], now, limit=PAGE, offset=(current - 1) * PAGE)
            section = QueueSection(playbook.id, playbook.name, tn(lang, "web_cases.open", total),
                                   page_label=t(lang, "web_cases.page", page=current, pages=pages) if pages > 1 else "",
                                   prev_href=_page_href(playbook.id, current - 1) if current > 1 else None,
                                   next_href=_page_href(playbook.id, current + 1) if current < pages else None)
            for r in rows:
                owner = r.owner
                if r.overdue and r.due_at is not None:
                    due = t(lang, "web_cases.overdue", age=age(now - r.due_at, lang))
                else:
                    due = _when(r.due_at, tz, now) if r.due_at is not None else t(lang, "web_cases.no_due")
                section.items.append(QueueItem(
                    short_id=r.short_id, href=f"{CASES_PATH}/{r.short_id}",
                    step=" · ".join(f"{s.number} {s.title.in_lang(lang)}" for s in r.steps) or t(lang, "web_cases.no_step"),
                    owner=fmt.person(directory, owner, lang) if owner else t(lang, "web_cases.unclaimed"),
                    unclaimed=owner is None, age=t(lang, "web_cases.ago", age=age(r.age, lang)), due=due,
                    overdue=r.overdue,
                ))
            sections.append(section)
    return sections


@dataclass(frozen=True)
class DoneStep:
    number: str
    title: str
    who: str  # «Luis, 30/11 10:05»
    detail: str | None  # what it recorded, or why it was not needed


@dataclass
class CaseView:
    short_id: str
    playbook_name: str
    is_open: bool
    state_label: str
    opened: str
    closed: str | None
    due: str | None
    due_overdue: bool
    warn: str | None
    fields: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    live: list[str] = field(default_factory=list)  # «2 Revisar orden · a cargo: Luis»
    done: list[DoneStep] = field(default_factory=list)
    log: list[tuple[str, str, str]] = field(default_factory=list)  # (time, who, text)


def _shown(field: FieldDef | None, value: object, lang: str, tz: ZoneInfo) -> str:
    """A field's value as chat shows it (flows/cases/values.py), a yes/no capitalised for a table cell."""
    if isinstance(value, bool):
        return t(lang, "web_cases.yes" if value else "web_cases.no")
    return values.show_value(field, value, lang, tz)


def _recorded(playbook: Playbook, step_id: str, value: str, case: Crisis, lang: str, tz: ZoneInfo) -> str:
    """What a step recorded as people read it: an option's label («Call Center», not «call_center»)."""
    step = playbook.steps_by_id.get(step_id.partition("@")[0])
    if step is None:
        return value
    option = next((o for o in step.options if o.value == value), None)
    if option is not None:
        return option.label.in_lang(lang)
    field = playbook.fields_by_id.get(step.answer_field) if step.answer_field else None
    return values.show_value(field, value, lang, tz) if field is not None else value


def _log_text(entry: LogEntry, runtime: Runtime, playbook: Playbook, lang: str) -> str:
    """The bitácora line, or the entry's kind and data when no text is known for it yet."""
    try:
        return log_entry_text(entry, runtime.directory, playbook, lang)
    except (KeyError, IndexError, ValueError):
        details = ", ".join(f"{k}: {v}" for k, v in entry.data.items())
        return f"{entry.kind} ({details})" if details else entry.kind


def case_view(case: Crisis, entries: list[LogEntry], runtime: Runtime, viewer: Person) -> CaseView:
    lang, tz, now = viewer.lang, ZoneInfo(viewer.timezone), runtime.clock.now()
    directory = runtime.directory
    playbook = Playbook.from_frozen(case.playbook_json)

    def title(step_id: str) -> tuple[str, str]:
        step = playbook.steps_by_id.get(step_id.partition("@")[0])
        return (step.number, step.title.in_lang(lang)) if step else (step_id, step_id)

    outcome = case.outcome
    if outcome and outcome in playbook.steps_by_id and playbook.steps_by_id[outcome].outcome is not None:
        outcome = playbook.steps_by_id[outcome].outcome.in_lang(lang)  # type: ignore[union-attr]
    overdue = case.is_open and case.due_at is not None and case.due_at < now
    view = CaseView(
        short_id=case.label, playbook_name=playbook.name, is_open=case.is_open,
        state_label=t(lang, "web_cases.state_open" if case.is_open else "web_cases.state_closed"),
        opened=t(lang, "web_cases.opened", by=fmt.person(directory, case.declared_by, lang),
                 at=fmt.when(case.declared_at, tz, lang), age=age(now - case.declared_at, lang)),
        closed=t(lang, "web_cases.closed", at=fmt.when(case.closed_at, tz, lang), outcome=outcome or "—")
        if case.closed_at else None,
        due=(t(lang, "web_cases.overdue", age=age(now - case.due_at, lang)) if overdue
             else t(lang, "web_cases.due", at=fmt.when(case.due_at, tz, lang))) if case.due_at and case.is_open else None,
        due_overdue=overdue,
        warn=t(lang, "web_cases.warn", at=fmt.when(case.warn_at, tz, lang)) if case.warn_at and case.is_open and not overdue
        else None,
    )
    # As in chat (flows/cases/status.py): the playbook's order, an option's label, the engine's fields named
    view.fields = [(f.label.in_lang(lang), _shown(f, case.fields[f.id], lang, tz)) for f in playbook.fields if f.id in case.fields]
    view.fields += [(t(lang, f"cases.field_{name}"), _shown(None, case.fields[name], lang, tz))
                    for name in ENGINE_FIELDS if name in case.fields and name not in playbook.fields_by_id]
    finished = sorted((task for task in case.tasks.values() if task.state in (TaskState.DONE, TaskState.SKIPPED)),
                      key=lambda task: task.done_at or case.declared_at)
    for task in finished:
        number, name = title(task.step_id)
        who = t(lang, "web_cases.done_by", who=fmt.person(directory, task.done_by or task.owner, lang),
                at=fmt.when(task.done_at, tz, lang))
        detail = (t(lang, "web_cases.skipped", reason=task.skip_reason) if task.state == TaskState.SKIPPED
                  else t(lang, "web_cases.value", value=_recorded(playbook, task.step_id, task.value, case, lang, tz)) if task.value
                  else None)
        view.done.append(DoneStep(number, name, who, detail))
    for task in case.tasks.values():
        if task.state in (TaskState.OPEN, TaskState.CLAIMED):
            number, name = title(task.step_id)
            owner = fmt.person(directory, task.owner, lang) if task.owner else t(lang, "web_cases.unclaimed")
            view.live.append(t(lang, "web_cases.live_owner", step=f"{number} {name}", owner=owner))
    view.log = [(e.at.astimezone(tz).strftime("%d/%m %H:%M"), fmt.person(directory, e.person, lang) if e.person else "crisisbot",
                 _log_text(e, runtime, playbook, lang)) for e in entries if e.kind not in RECEIPTS]
    return view


async def load_case(runtime: Runtime, short_id: str) -> tuple[Crisis, list[LogEntry]] | None:
    """The case people call `short_id` (any case of letters), with its bitácora; None if none."""
    async with reading(runtime.db) as conn:
        found = await queries.find_by_short_id(conn, short_id)
        if found is None:
            return None
        case = await repo.load_crisis(conn, found[0])
        if case is None or not case.is_case:
            return None
        return case, await repo.crisis_log(conn, case.id, with_deliveries=False)
