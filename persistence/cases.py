"""Read queries over cases (issue 12): the dashboard's queue, short ids, earlier cases of a
key, the case a person is answering, a person's open cases, and the short-id counter.

Each query is one or two indexed statements (tables.py: crises(playbook_id, state,
declared_at), crises(playbook_id, case_key), unique crises(short_id), tasks(owner, state),
tasks(asking), the tasks primary key (crisis_id, step_id)), so they stay fast with 10,000
open cases. All times are aware UTC."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select, union
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.contact import FAILURE_KINDS
from flows.crisis import Crisis, CrisisState, TaskState
from flows.localtext import LocalText
from flows.messages import GROUP
from flows.playbook import Playbook
from persistence import frozen
from persistence import tables as T
from persistence.repository import crisis_from, load_crisis
from persistence.writes import bump_revision

CASE = "case"
LIVE = (TaskState.OPEN.value, TaskState.CLAIMED.value)  # a task of the step the case is at


@dataclass(frozen=True)
class LiveStep:
    """A step a case is at: `number` and `title` from the case's frozen playbook; `owner`
    the person id who took it (None: nobody has, «sin tomar»)."""

    step_id: str
    number: str
    title: LocalText
    owner: str | None


@dataclass(frozen=True)
class QueueRow:
    """One open case in the queue. `age`: now − opened_at; `overdue`: due_at < now."""

    case_id: str
    short_id: str
    playbook_id: str
    opened_at: datetime
    opened_by: str
    steps: tuple[LiveStep, ...]
    due_at: datetime | None
    age: timedelta
    overdue: bool

    @property
    def owner(self) -> str | None:
        """Who holds the case now: the first live step's owner (None: «sin tomar»)."""
        return next((s.owner for s in self.steps if s.owner), None)


def _open_cases(playbook_ids: Collection[str]) -> ColumnElement[bool]:
    c = T.crises.c
    return and_(c.playbook_id.in_(sorted(playbook_ids)), c.kind == CASE, c.state != CrisisState.CLOSED.value)


async def _playbook(conn: AsyncConnection, stored: str) -> Playbook | None:
    """The frozen playbook a case row names (both steps cached: frozen refs, from_frozen)."""
    try:
        return Playbook.from_frozen(await frozen.resolve(conn, stored))
    except (LookupError, ValueError):
        return None


async def queue(
    conn: AsyncConnection, playbook_ids: Collection[str], now: datetime, limit: int = 50, offset: int = 0,
) -> list[QueueRow]:
    """The open cases of these playbooks, one page: overdue first (the most overdue first),
    then by due time, then those with no due time; oldest first among equals. Two
    statements: the page of case rows (index ix_crises_queue), then their live tasks (the
    tasks primary key). Overdue cases have due_at < now, so «overdue first, then by due_at»
    is one ascending order on due_at."""
    if not playbook_ids:
        return []
    c = T.crises.c
    rows = (await conn.execute(
        select(c.id, c.short_id, c.playbook_id, c.declared_at, c.declared_by, c.due_at, c.playbook_json)
        .where(_open_cases(playbook_ids))
        .order_by(c.due_at.is_(None), c.due_at, c.declared_at, c.id)
        .limit(limit).offset(offset))).all()
    if not rows:
        return []
    tk = T.tasks.c
    live = (await conn.execute(
        select(tk.crisis_id, tk.step_id, tk.owner, tk.state)
        .where(and_(tk.crisis_id.in_([r.id for r in rows]), tk.state.in_(LIVE)))
        .order_by(tk.crisis_id, tk.position))).all()
    by_case: dict[str, list[tuple[str, str | None]]] = {}
    for task in live:
        by_case.setdefault(task.crisis_id, []).append((task.step_id, task.owner if task.state == TaskState.CLAIMED.value else None))
    out = []
    for r in rows:
        playbook = await _playbook(conn, r.playbook_json)
        steps = []
        for step_id, owner in by_case.get(r.id, []):
            step = playbook.steps_by_id.get(step_id) if playbook is not None else None
            steps.append(LiveStep(step_id, step.number if step else step_id, step.title if step else LocalText(step_id), owner))
        out.append(QueueRow(
            case_id=r.id, short_id=r.short_id or r.id, playbook_id=r.playbook_id, opened_at=r.declared_at,
            opened_by=r.declared_by, steps=tuple(steps), due_at=r.due_at, age=now - r.declared_at,
            overdue=r.due_at is not None and r.due_at < now,
        ))
    return out


async def count_open(conn: AsyncConnection, playbook_ids: Collection[str]) -> int:
    """How many cases of these playbooks are open (for the queue's paging)."""
    if not playbook_ids:
        return 0
    return int((await conn.execute(select(func.count()).select_from(T.crises).where(_open_cases(playbook_ids)))).scalar_one())


async def cases_with_delivery_trouble(conn: AsyncConnection, queued_before: datetime) -> list[str]:
    """Ids of the open cases (any playbook) where somebody may be, or may have been, out of
    reach: a message to a person queued before `queued_before` (now − the playbook's
    `contact_after`) and still undelivered, a failure (a person no channel reaches has no
    outbox row, only its `delivery_failed`), or a «sin contacto» already reported (to say
    when they are reached again). The contact watcher (bot/contact.py) folds only these: a
    message younger than `contact_after` makes nobody «sin contacto», and with 10,000 cases
    and a busy outbox, folding every case with a message on its way after each drain kept
    SQLite from keeping up (bench/cases_scale.py)."""
    o, c, g = T.outbox.c, T.crises.c, T.log.c
    is_open = and_(c.kind == CASE, c.state != CrisisState.CLOSED.value)
    waiting = select(o.crisis_id.label("id")).join_from(T.outbox, T.crises, c.id == o.crisis_id).where(
        and_(is_open, o.delivered_at.is_(None), o.failed_at.is_(None), o.recipient != GROUP,
             o.created_at < queued_before))
    failed = select(g.crisis_id.label("id")).join_from(T.log, T.crises, c.id == g.crisis_id).where(
        and_(is_open, g.kind.in_(sorted(FAILURE_KINDS | {"contact_lost"}))))
    rows = await conn.execute(union(waiting, failed))
    return sorted(str(r.id) for r in rows)


async def find_by_short_id(conn: AsyncConnection, short_id: str) -> tuple[str, str] | None:
    """(case id, playbook id) of the case people call `short_id` («r-12», «R-12 »: any case,
    spaces around ignored), open or closed; None if there is none."""
    wanted = short_id.strip().upper()
    if not wanted:
        return None
    row = (await conn.execute(select(T.crises.c.id, T.crises.c.playbook_id).where(T.crises.c.short_id == wanted))).first()
    return (row.id, row.playbook_id) if row else None


async def cases_of_key(conn: AsyncConnection, playbook_id: str, key: str, since: datetime) -> list[Crisis]:
    """The cases of the playbook with this key (a contract number) opened at `since` or
    later, open and closed, oldest first, without tasks (for «reiterado» and «ya hay un caso
    abierto»: an open one has state != closed)."""
    c = T.crises.c
    rows = (await conn.execute(select(T.crises).where(and_(
        c.playbook_id == playbook_id, c.case_key == key, c.kind == CASE, c.declared_at >= since,
    )).order_by(c.declared_at, c.id))).all()
    cases = [crisis_from(r, []) for r in rows]
    for case in cases:
        case.playbook_json = await frozen.resolve(conn, case.playbook_json)
    return cases


async def asking_case(conn: AsyncConnection, person_id: str) -> str | None:
    """The open case whose task waits for this person's answer (tasks.asking), the one asked
    last when several; None if none."""
    c, tk = T.crises.c, T.tasks.c
    found = (await conn.execute(
        select(tk.crisis_id).select_from(T.tasks.join(T.crises, c.id == tk.crisis_id))
        .where(and_(tk.asking == person_id, c.kind == CASE, c.state != CrisisState.CLOSED.value))
        .order_by(tk.asked_at.desc().nulls_last(), c.declared_at.desc()).limit(1))).scalar_one_or_none()
    return str(found) if found is not None else None


async def my_open_cases(
    conn: AsyncConnection, person_id: str, responsible_for: Mapping[str, Collection[str]] | None = None, limit: int = 20,
) -> list[Crisis]:
    """«mis casos»: the open cases where this person holds (has taken) a live task, and,
    with `responsible_for` (playbook id → ids of the steps whose roles the person has), those
    whose live task of such a step nobody has taken yet; oldest first, at most `limit`,
    loaded with their tasks. Not covered: steps the person may act on as a coordinator only."""
    c, tk = T.crises.c, T.tasks.c
    both = T.tasks.join(T.crises, c.id == tk.crisis_id)
    open_case = and_(c.kind == CASE, c.state != CrisisState.CLOSED.value)
    # One branch per index: tasks(owner, state) for those held, crises(playbook_id, state)
    # then the tasks key for those offered; the union drops a case found by both.
    branches = [select(c.id, c.declared_at).select_from(both).where(and_(
        open_case, tk.owner == person_id, tk.state == TaskState.CLAIMED.value))]
    branches += [select(c.id, c.declared_at).select_from(both).where(and_(
        open_case, c.playbook_id == playbook_id, tk.step_id.in_(sorted(steps)), tk.state == TaskState.OPEN.value))
        for playbook_id, steps in (responsible_for or {}).items() if steps]
    found = union(*branches).subquery()
    ids = (await conn.execute(select(found.c.id).order_by(found.c.declared_at, found.c.id).limit(limit))).scalars().all()
    return [case for case in [await load_crisis(conn, i) for i in ids] if case is not None]


async def next_short_number(conn: AsyncConnection, prefix: str) -> int:
    """The next number for a short id «<prefix>-<n>» (1, 2, ...). Atomic inside the write
    transaction: the counter is the revisions row «#<prefix>» (persistence/writes.py), so two
    replicas opening cases at once never get the same number."""
    return await bump_revision(conn, f"#{prefix}")
