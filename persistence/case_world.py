"""The world of one command on a case (issue 12): that case and its pending questions, or,
to open one, the short id it gets and the earlier cases with its key. Reads only that case's
rows, so a press costs the same with 10 or 10,000 cases open."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Protocol

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from flows import engine as crisis_engine
from flows.commands import Command, OpenCase
from flows.crisis import Crisis, Proposal, ProposalState
from flows.directory import Directory
from flows.playbook import Playbook
from flows.world import World
from persistence import cases as case_queries
from persistence import frozen
from persistence import tables as T
from persistence.repository import crisis_from, crisis_log, load_crises, proposal_from, task_row


@dataclass(frozen=True)
class Preloaded:
    """A case as `preload_cases` read it: its row and tasks, and its pending proposals."""

    case: Crisis
    proposals: list[Proposal]


async def preload_cases(conn: AsyncConnection, case_ids: Collection[str]) -> dict[str, Preloaded]:
    """Many cases in three statements (a burst of timers falling due on many cases at once:
    bot/service.py), instead of three per case; ids with no row are left out. Valid for a
    case until a command of the same transaction writes to it."""
    cases = await load_crises(conn, case_ids)
    if not cases:
        return {}
    proposals: dict[str, list[Proposal]] = {}
    for r in (await conn.execute(select(T.proposals).where(and_(
            T.proposals.c.crisis_id.in_(sorted(cases)), T.proposals.c.state == ProposalState.PENDING.value)))).all():
        proposals.setdefault(r.crisis_id, []).append(proposal_from(r))
    return {case_id: Preloaded(case, proposals.get(case_id, [])) for case_id, case in cases.items()}


_TASK_COLUMNS = [column.label(f"task_{column.name}") for column in T.tasks.c]
_PENDING = (select(func.count()).where(and_(T.proposals.c.crisis_id == T.crises.c.id,
                                            T.proposals.c.state == ProposalState.PENDING.value))
            .scalar_subquery().label("pending_proposals"))


async def _load_case(conn: AsyncConnection, case_id: str) -> tuple[Crisis | None, int]:
    """One case, its tasks and how many proposals wait on it, in one statement (a press is
    a handful of statements, each a round trip: issue 12 point 8). None when there is no row."""
    rows = (await conn.execute(select(T.crises, _PENDING, *_TASK_COLUMNS).outerjoin(
        T.tasks, T.tasks.c.crisis_id == T.crises.c.id).where(T.crises.c.id == case_id).order_by(T.tasks.c.position))).all()
    if not rows:
        return None, 0
    tasks = [SimpleNamespace(**{column.name: getattr(r, f"task_{column.name}") for column in T.tasks.c})
             for r in rows if r.task_step_id is not None]
    case = crisis_from(rows[0], tasks)
    case.playbook_json = await frozen.resolve(conn, case.playbook_json)
    return case, int(rows[0].pending_proposals)


class _Route(Protocol):  # the shape of bot.case_routes.Route, without importing bot/ from persistence/
    @property
    def playbook_id(self) -> str: ...

    @property
    def case_id(self) -> str | None: ...


async def load_case_world(
    conn: AsyncConnection, playbook: Playbook, directory: Directory, now: datetime, new_id: Callable[[], str],
    group_lang: str, route: _Route, command: Command, preloaded: Preloaded | None = None,
) -> World:
    """`playbook`: the file's version of the case's playbook (the case runs its frozen copy).
    For OpenCase (`route.case_id` None): `short_id` allocated now and `prior` loaded by the key
    the opening line gives (flows/cases/opening.py). The bitácora is read only when the
    command may need it (`engine.needs_log`). `preloaded`: the case as `preload_cases` read
    it in this transaction, used instead of reading it again."""
    world = World(playbook=playbook, directory=directory.scoped_to(playbook.roles), now=now, crisis=None, proposals=[],
                  new_id=new_id, group_lang=group_lang)  # «todos» on a case: its playbook's staff
    if route.case_id is None:
        if isinstance(command, OpenCase) and playbook.case is not None:
            from flows.cases.opening import parse_opening

            world.short_id = f"{playbook.case.prefix}-{await case_queries.next_short_number(conn, playbook.case.prefix)}"
            key = playbook.case.key
            opening = parse_opening(playbook, command.text)
            value = opening.fields.get(key.field) if key is not None else None
            if key is not None and value not in (None, ""):
                world.prior = await case_queries.cases_of_key(conn, playbook.id, str(value), now - key.history)
        return world
    case: Crisis | None
    if preloaded is not None and preloaded.case.id == route.case_id:
        case, proposals = preloaded.case, list(preloaded.proposals)
    else:
        case, pending = await _load_case(conn, route.case_id)
        proposals = [] if not pending else [proposal_from(r) for r in (await conn.execute(select(T.proposals).where(and_(
            T.proposals.c.crisis_id == route.case_id, T.proposals.c.state == ProposalState.PENDING.value)))).all()]
    world.crisis = case
    if case is None:
        return world
    world.proposals = proposals
    world.baseline = {step_id: task_row(task) for step_id, task in case.tasks.items()}
    if crisis_engine.needs_log(world, command):
        world.log = await crisis_log(conn, case.id, with_deliveries=False)
    return world


def responsible_steps(cases: dict[str, Playbook], directory: Directory, person_id: str) -> dict[str, set[str]]:
    """Per case playbook, the steps whose roles `person_id` holds («mis casos» lists the cases
    waiting at one of them)."""
    person = directory.get(person_id)
    if person is None:
        return {}
    roles = set(person.roles)
    return {pid: {s.id for s in pb.steps if roles & set(s.responsibles) or "todos" in s.responsibles}
            for pid, pb in cases.items()}


async def release_short_number(conn: AsyncConnection, short_id: str) -> None:
    """Give back the number of a short id allocated for an opening that opened nothing (a
    missing field, a case already open for the key): the next case takes it, so ids have no
    gaps. Safe inside the write transaction that allocated it (commands run one at a time)."""
    prefix, _, number = short_id.rpartition("-")
    await conn.execute(update(T.revisions).where(and_(T.revisions.c.playbook_id == f"#{prefix}",
                                                      T.revisions.c.n == int(number))).values(n=int(number) - 1))
