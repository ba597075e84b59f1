"""Reading the world for a command and writing its outcome, inside one transaction."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import (
    Row,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.contact import EVENT_KINDS as CONTACT_KINDS
from flows.contact import DeliveryBoard, NextTimer, Queued, fold
from flows.contact import Event as ContactEvent
from flows.crisis import (
    Crisis,
    CrisisState,
    Proposal,
    ProposalKind,
    ProposalState,
    Task,
    TaskState,
)
from flows.directory import Directory
from flows.messages import GROUP, LogEntry, OutMessage, TimerKind
from flows.playbook import Playbook
from flows.world import World
from persistence import drill_schedule, frozen
from persistence import tables as T


class Deliverable(Protocol):
    @property
    def recipient(self) -> str: ...

    @property
    def via(self) -> str: ...

    @property
    def message(self) -> OutMessage: ...


Plan = Callable[[OutMessage], Sequence[Deliverable]]
"""Turns a message into outbox rows: whom, through which channel (bot.routing)."""

TASK_FIELDS = ("state", "activated_at", "deadline_at", "owner", "claimed_at", "done_at", "done_by", "value",
                "acks", "declined", "asking", "reminders", "escalations", "checkin_pending",
               "skip_reason", "asked_at", "visit", "kept")


def crisis_from(row: Any, task_rows: Sequence[Any]) -> Crisis:
    """A crisis (or case) from its row and its task rows (anything with those attributes)."""
    crisis = Crisis(
        id=row.id, playbook_id=row.playbook_id, state=CrisisState(row.state), declared_at=row.declared_at,
        declared_by=row.declared_by, playbook_json=row.playbook_json, description=row.description,
        reported_by=row.reported_by, closing_at=row.closing_at, closing_by=row.closing_by, closed_at=row.closed_at,
        clock_offset=row.clock_offset, drill=bool(row.drill), kind=row.kind, short_id=row.short_id, fields=dict(row.fields or {}),
        case_key=row.case_key, outcome=row.outcome, due_at=row.due_at, warn_at=row.warn_at,
    )
    for t in task_rows:
        values = {name: getattr(t, name) for name in TASK_FIELDS}
        values["state"] = TaskState(values["state"])
        values["acks"], values["declined"] = list(values["acks"]), list(values["declined"])
        # An earlier visit of a loop is stored under "<step id>@<visit>" (flows/cases/routing.py);
        # its Task names the step itself, as when it was live.
        crisis.tasks[t.step_id] = Task(step_id=t.step_id.split("@", 1)[0], **values)
    return crisis


def proposal_from(r: Any) -> Proposal:
    """A proposal from its row."""
    return Proposal(id=r.id, kind=ProposalKind(r.kind), playbook_id=r.playbook_id, proposed_by=r.proposed_by,
                    text=r.text, created_at=r.created_at, state=ProposalState(r.state), crisis_id=r.crisis_id,
                    resolved_by=r.resolved_by)


def _log_from(row: Row[Any]) -> LogEntry:
    return LogEntry(at=row.at, kind=row.kind, person=row.person, channel=row.channel, crisis_id=row.crisis_id,
                    data=dict(row.data))


async def mark_processed(conn: AsyncConnection, key: str, now: datetime) -> bool:
    """Record an inbound event id; False if it was already processed."""
    return key[:200] in await mark_processed_many(conn, [key], now)


async def mark_processed_many(conn: AsyncConnection, keys: Sequence[str], now: datetime) -> set[str]:
    """Record inbound event ids in one statement; returns those not processed before
    (cut to the column's 200 characters)."""
    fresh = list(dict.fromkeys(key[:200] for key in keys))
    if not fresh:
        return set()
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    stmt = dialect.insert(T.processed_events).on_conflict_do_nothing().returning(T.processed_events.c.key)
    result = await conn.execute(stmt, [{"key": key, "at": now} for key in fresh])  # one statement, cached
    return set(result.scalars().all())


async def load_crisis(conn: AsyncConnection, crisis_id: str) -> Crisis | None:
    row = (await conn.execute(select(T.crises).where(T.crises.c.id == crisis_id))).first()
    if row is None:
        return None
    task_rows = (await conn.execute(
        select(T.tasks).where(T.tasks.c.crisis_id == crisis_id).order_by(T.tasks.c.position))).all()
    crisis = crisis_from(row, task_rows)
    crisis.playbook_json = await frozen.resolve(conn, crisis.playbook_json)
    return crisis


async def load_crises(conn: AsyncConnection, crisis_ids: Collection[str]) -> dict[str, Crisis]:
    """Several crises (or cases) at once, in two statements however many (a burst of timers
    on many cases: bot/service.py); ids with no row are left out."""
    ids = sorted(set(crisis_ids))
    if not ids:
        return {}
    rows = (await conn.execute(select(T.crises).where(T.crises.c.id.in_(ids)))).all()
    tasks: dict[str, list[Row[Any]]] = {}
    for t in (await conn.execute(select(T.tasks).where(T.tasks.c.crisis_id.in_(ids)).order_by(
            T.tasks.c.crisis_id, T.tasks.c.position))).all():
        tasks.setdefault(t.crisis_id, []).append(t)
    found: dict[str, Crisis] = {}
    for row in rows:
        crisis = crisis_from(row, tasks.get(row.id, []))
        crisis.playbook_json = await frozen.resolve(conn, crisis.playbook_json)
        found[crisis.id] = crisis
    return found


async def open_crisis_id(conn: AsyncConnection, playbook_id: str) -> str | None:
    result = await conn.execute(select(T.crises.c.id).where(T.crises.c.open_key == playbook_id))
    return result.scalar_one_or_none()


async def crisis_log(conn: AsyncConnection, crisis_id: str, with_deliveries: bool = True) -> list[LogEntry]:
    query = select(T.log).where(T.log.c.crisis_id == crisis_id)
    if not with_deliveries:
        query = query.where(T.log.c.kind != "delivered")
    return [_log_from(r) for r in (await conn.execute(query.order_by(T.log.c.id))).all()]


async def list_crises(conn: AsyncConnection, crises_only: bool = False, limit: int | None = None) -> list[Crisis]:
    """Newest first. `crises_only`: real crises only, leaving out the cases of case playbooks
    (kind «case», issue 12), which may be thousands, and drills (issue 14: listed apart,
    persistence/drill_runs.py); `limit`: at most that many, loaded."""
    query = select(T.crises.c.id).order_by(T.crises.c.declared_at.desc())
    if crises_only:
        query = query.where(and_(T.crises.c.kind == "crisis", T.crises.c.drill.is_(False)))
    ids = (await conn.execute(query.limit(limit))).scalars().all()
    return [c for c in [await load_crisis(conn, i) for i in ids] if c is not None]


async def load_world(
    conn: AsyncConnection, playbook: Playbook, directory: Directory, now: datetime, new_id: Callable[[], str],
    group_lang: str = "es", with_log: Callable[[World], bool] | None = None,
    with_last_closed: Callable[[World], bool] | None = None,
) -> World:
    """The world for one command. The bitácora is loaded only when `with_log` says the
    command may need it (most presses do not), which keeps a command cheap; the last
    closed crisis only when `with_last_closed` says so («informe» after the closing)."""
    crisis_id = await open_crisis_id(conn, playbook.id)
    crisis = await load_crisis(conn, crisis_id) if crisis_id else None
    rows = (await conn.execute(select(T.proposals).where(
        and_(T.proposals.c.playbook_id == playbook.id, T.proposals.c.state == ProposalState.PENDING.value)))).all()
    proposals = [proposal_from(r) for r in rows]
    world = World(playbook=playbook, directory=directory, now=now, crisis=crisis, proposals=proposals, new_id=new_id,
                  group_lang=group_lang)
    if crisis is not None and (with_log is None or with_log(world)):
        world.log = await crisis_log(conn, crisis.id, with_deliveries=False)
        world.delivery = await delivery_board(conn, crisis, now)  # «estado» shows who can be reached
    if crisis is not None:
        world.baseline = {step_id: task_row(task) for step_id, task in crisis.tasks.items()}
    world.drill_schedule = await drill_schedule.pending(conn, playbook.id)  # drills scheduled ahead (issue 14)
    if crisis is None and with_last_closed is not None and with_last_closed(world):
        last = await last_closed_crisis(conn, playbook.id)
        world.last_closed = (last, await crisis_log(conn, last.id, with_deliveries=False)) if last else None
        drill = await last_closed_crisis(conn, playbook.id, drill=True)  # «informe» after a drill: its score
        if drill is not None and drill.closed_at and (last is None or last.closed_at is None or drill.closed_at > last.closed_at):
            world.last_drill = (drill, await crisis_log(conn, drill.id))
    return world


async def last_closed_crisis(conn: AsyncConnection, playbook_id: str, drill: bool = False) -> Crisis | None:
    """The crisis of this playbook closed last, if any: a real one, or (`drill`) a drill
    (issue 14: drills are kept apart from real crises)."""
    crisis_id = (await conn.execute(select(T.crises.c.id).where(and_(
        T.crises.c.playbook_id == playbook_id, T.crises.c.closed_at.is_not(None),
        T.crises.c.drill.is_(drill))).order_by(
        T.crises.c.closed_at.desc()).limit(1))).scalar_one_or_none()
    return await load_crisis(conn, crisis_id) if crisis_id else None


def task_row(task: Task) -> dict[str, Any]:
    row = {name: getattr(task, name) for name in TASK_FIELDS}
    row["state"] = task.state.value
    row["acks"], row["declined"] = list(task.acks), list(task.declined)
    return row


async def append_log(conn: AsyncConnection, entries: Sequence[LogEntry]) -> None:
    if entries:
        await conn.execute(insert(T.log), [
            {"crisis_id": e.crisis_id, "at": e.at, "kind": e.kind, "person": e.person, "channel": e.channel,
             "data": e.data} for e in entries
        ])


def outbox_row(crisis_id: str | None, delivery: Deliverable, now: datetime) -> dict[str, Any]:
    return {"crisis_id": crisis_id, "recipient": delivery.recipient, "via": delivery.via,
            "payload": delivery.message.to_json(), "created_at": now, "attempts": 0, "next_attempt_at": now}


async def enqueue(conn: AsyncConnection, crisis_id: str | None, deliveries: Sequence[Deliverable], now: datetime) -> None:
    if deliveries:
        await conn.execute(insert(T.outbox), [outbox_row(crisis_id, d, now) for d in deliveries])


# timers -------------------------------------------------------------------


@dataclass(frozen=True)
class TimerRow:
    id: int
    crisis_id: str
    step_id: str
    kind: TimerKind
    seq: int
    due_at: datetime


def _on_real_time() -> Any:
    """Timers of crises on real time: a crisis with a `clock_offset` is a drill whose
    timers are due on the terminal's simulated clock (persistence/drill.py)."""
    return T.timers.c.crisis_id.not_in(select(T.crises.c.id).where(T.crises.c.clock_offset.is_not(None)))


async def due_timers(conn: AsyncConnection, now: datetime, real_time_only: bool = False) -> list[TimerRow]:
    """Pending timers due by `now`; `real_time_only`: leaving out crises on simulated time."""
    condition = and_(T.timers.c.status == "pending", T.timers.c.due_at <= now)
    if real_time_only:
        condition = and_(condition, _on_real_time())
    rows = (await conn.execute(select(T.timers).where(condition).order_by(T.timers.c.due_at, T.timers.c.id))).all()
    return [TimerRow(r.id, r.crisis_id, r.step_id, TimerKind(r.kind), r.seq, r.due_at) for r in rows]


async def next_due(conn: AsyncConnection, real_time_only: bool = False) -> datetime | None:
    condition = T.timers.c.status == "pending"
    if real_time_only:
        condition = and_(condition, _on_real_time())
    # the first by ix_timers_pending, not min(): with the drill filter SQLite's min() read
    # every pending timer (50,000: 5 ms a sweep; bench/cases_scale.py)
    result = await conn.execute(select(T.timers.c.due_at).where(condition).order_by(T.timers.c.due_at).limit(1))
    due: datetime | None = result.scalar_one_or_none()
    return due


async def claim_timer(conn: AsyncConnection, timer_id: int, now: datetime) -> bool:
    """Atomically take a pending timer; False if another run already fired or cancelled it."""
    return timer_id in await claim_timers(conn, [timer_id], now)


async def claim_timers(conn: AsyncConnection, timer_ids: Sequence[int], now: datetime) -> set[int]:
    """Atomically take pending timers; returns the ids taken here (not those another run
    already fired or cancelled)."""
    if not timer_ids:
        return set()
    result = await conn.execute(update(T.timers).where(
        and_(T.timers.c.id.in_(timer_ids), T.timers.c.status == "pending")).values(status="fired", fired_at=now)
        .returning(T.timers.c.id))
    return set(result.scalars().all())


async def pending_timers(conn: AsyncConnection, crisis_id: str) -> list[TimerRow]:
    rows = (await conn.execute(select(T.timers).where(
        and_(T.timers.c.crisis_id == crisis_id, T.timers.c.status == "pending")).order_by(T.timers.c.due_at))).all()
    return [TimerRow(r.id, r.crisis_id, r.step_id, TimerKind(r.kind), r.seq, r.due_at) for r in rows]


async def recurring_slot(conn: AsyncConnection, playbook_id: str, recurring_id: str) -> datetime | None:
    """The last slot (UTC) a recurring reminder fired for, or was baselined at; None if never."""
    result = await conn.execute(select(T.recurring_runs.c.slot).where(and_(
        T.recurring_runs.c.playbook_id == playbook_id, T.recurring_runs.c.recurring_id == recurring_id)))
    slot: datetime | None = result.scalar_one_or_none()
    return slot


async def record_recurring_slot(
    conn: AsyncConnection, playbook_id: str, recurring_id: str, slot: datetime, now: datetime,
) -> None:
    """Remember a slot as fired; the stored slot only moves forward (replicas, late retries)."""
    where = and_(T.recurring_runs.c.playbook_id == playbook_id, T.recurring_runs.c.recurring_id == recurring_id)
    result = await conn.execute(update(T.recurring_runs).where(and_(where, T.recurring_runs.c.slot < slot))
                                .values(slot=slot, updated_at=now))
    if result.rowcount == 0:
        dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
        await conn.execute(dialect.insert(T.recurring_runs).values(
            playbook_id=playbook_id, recurring_id=recurring_id, slot=slot, updated_at=now).on_conflict_do_nothing())


# outbox -------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxRow:
    id: int
    crisis_id: str | None
    recipient: str
    via: str
    message: OutMessage
    attempts: int
    # When the row was committed (the bot's clock, UTC), and the process that last leased
    # it while no outcome of that attempt is recorded: a holder that died, or an attempt
    # that got no answer (`mark_retry(..., keep_holder=True)`). Then the message may have
    # reached the platform already (bot/outbox.py `Attempt.maybe_landed`).
    created_at: datetime | None = None
    leased_by: str | None = None


@dataclass(frozen=True)
class Liveness:
    """Whose leases stand, for the outbox queries. `me`: the asking process (processes.id),
    whose own leases always stand; `alive_since` (wall clock, aware UTC): another process's
    leases stand only if it was seen since then (bot/processes.py). With `alive_since` None
    every lease stands until its `leased_until`, whoever holds it."""

    me: str | None = None
    alive_since: datetime | None = None


ANYONE = Liveness()


def _held(now: datetime, live: Liveness, table: Any = T.outbox) -> Any:
    """The row's lease is in force: not run out, and its holder alive (this process, a
    process seen lately, or a lease taken before processes were recorded)."""
    in_time = and_(table.c.leased_until.is_not(None), table.c.leased_until >= now)
    if live.alive_since is None:
        return in_time
    holders = [table.c.leased_by.is_(None), exists().where(and_(
        T.processes.c.id == table.c.leased_by, T.processes.c.seen_at >= live.alive_since))]
    if live.me is not None:
        holders.append(table.c.leased_by == live.me)
    return and_(in_time, or_(*holders))


def _undone(table: Any = T.outbox) -> Any:
    return and_(table.c.delivered_at.is_(None), table.c.failed_at.is_(None))


def _behind(now: datetime, live: Liveness) -> Any:
    """An earlier row to the same recipient on the same channel waits for its retry, or is
    being sent by a live process: this one waits too, so each person reads their messages
    in order. A lease of a dead process holds nothing back (its row is due again itself)."""
    earlier = T.outbox.alias("earlier")
    return exists().where(and_(
        earlier.c.recipient == T.outbox.c.recipient, earlier.c.via == T.outbox.c.via, earlier.c.id < T.outbox.c.id,
        _undone(earlier), or_(earlier.c.next_attempt_at > now, _held(now, live, earlier)),
    ))


def _through(vias: Collection[str] | None) -> Any:
    return true() if vias is None else T.outbox.c.via.in_(list(vias))


def _outbox_row(r: Row[Any]) -> OutboxRow:
    return OutboxRow(r.id, r.crisis_id, r.recipient, r.via, OutMessage.from_json(r.payload), r.attempts, r.created_at,
                     r.leased_by)


async def pending_outbox(
    conn: AsyncConnection, now: datetime, limit: int = 100, *, vias: Collection[str] | None = None,
    live: Liveness = ANYONE,
) -> list[OutboxRow]:
    """Rows due at `now` (the bot's clock) that nobody alive is sending, in commit order,
    skipping those behind an earlier row of the same person (`_behind`); only rows through
    `vias` (the transports of the asking process) when given."""
    if vias is not None and not vias:
        return []
    rows = (await conn.execute(select(T.outbox).where(and_(
        _undone(), T.outbox.c.next_attempt_at <= now, _through(vias), ~_held(now, live), ~_behind(now, live),
    )).order_by(T.outbox.c.id).limit(limit))).all()
    return [_outbox_row(r) for r in rows]


async def lease_outbox(
    conn: AsyncConnection, rows: Sequence[OutboxRow], now: datetime, until: datetime, *, by: str | None = None,
    live: Liveness = ANYONE,
) -> set[int]:
    """Take rows for delivery until `until`, for the process `by`; returns the ids this
    sender got. Another sender gets none of them while the lease stands (see `_held`), so
    a message is not sent twice; if the holder dies, the lease is free at once for those
    who know it (`live`), or when it runs out."""
    if not rows:
        return set()
    result = await conn.execute(update(T.outbox).where(and_(
        T.outbox.c.id.in_([row.id for row in rows]), _undone(), ~_held(now, live),
    )).values(leased_until=until, leased_by=by).returning(T.outbox.c.id))
    return set(result.scalars().all())


async def release_outbox(conn: AsyncConnection, ids: Sequence[int], keep_holder: bool = False) -> None:
    """Give back leased rows this sender will not attempt now (`keep_holder`: rows whose
    earlier attempt may have landed keep a holder, see `OutboxRow.leased_by`)."""
    if ids:
        holder = {} if keep_holder else {"leased_by": None}
        await conn.execute(update(T.outbox).where(and_(
            T.outbox.c.id.in_(ids), T.outbox.c.delivered_at.is_(None))).values(leased_until=None, **holder))


async def release_leases_of(conn: AsyncConnection, process_id: str) -> None:
    """Give back every undelivered row the process holds (it stops)."""
    await conn.execute(update(T.outbox).where(and_(T.outbox.c.leased_by == process_id, _undone()))
                       .values(leased_until=None, leased_by=None))


@dataclass(frozen=True)
class OutboxWake:
    """When undelivered rows may need this sender again. `at` (the bot's clock): the
    earliest retry due or lease running out after now; `holder_seen` (wall clock): the
    oldest heartbeat among the live processes holding leases (the lease is free once that
    process has been silent for the timeout)."""

    at: datetime | None
    holder_seen: datetime | None


async def next_outbox_wake(
    conn: AsyncConnection, now: datetime, *, vias: Collection[str] | None = None, live: Liveness = ANYONE,
) -> OutboxWake:
    if vias is not None and not vias:
        return OutboxWake(None, None)
    pending = and_(_undone(), _through(vias))
    retry, lease = (await conn.execute(select(
        func.min(case((T.outbox.c.next_attempt_at > now, T.outbox.c.next_attempt_at))),
        func.min(case((_held(now, live), T.outbox.c.leased_until))),
    ).where(pending))).one()
    holder_seen = None
    if live.alive_since is not None:
        others = T.outbox.c.leased_by != live.me if live.me is not None else true()
        holder_seen = (await conn.execute(select(func.min(T.processes.c.seen_at)).select_from(
            T.outbox.join(T.processes, T.processes.c.id == T.outbox.c.leased_by)).where(and_(
                pending, others, T.outbox.c.leased_until >= now, T.processes.c.seen_at >= live.alive_since,
            )))).scalar_one_or_none()
    candidates = [at for at in (retry, lease) if at is not None]
    return OutboxWake(min(candidates) if candidates else None, holder_seen)


async def mark_delivered(
    conn: AsyncConnection, row: OutboxRow, via: str, now: datetime, external_id: str | None = None
) -> bool:
    return row.id in await mark_delivered_many(conn, [(row, via, external_id)], now)


async def mark_delivered_many(
    conn: AsyncConnection, sent: Sequence[tuple[OutboxRow, str, str | None]], now: datetime, by: str | None = None,
) -> set[int]:
    """Mark rows delivered (row, via, the platform's id), each with its «delivered» entry
    in the bitácora (naming the process `by` that handed it over, when given), in three
    statements however many; returns the ids marked now (a row already marked is not
    marked, nor logged, twice)."""
    ids = [row.id for row, _, _ in sent]
    if not ids:
        return set()
    pending = set((await conn.execute(select(T.outbox.c.id).where(and_(
        T.outbox.c.id.in_(ids), T.outbox.c.delivered_at.is_(None))))).scalars().all())
    todo = [(row, via, external_id) for row, via, external_id in sent if row.id in pending]
    if not todo:
        return set()
    await conn.execute(update(T.outbox).where(T.outbox.c.id == bindparam("b_id")).values(
        delivered_at=bindparam("b_at"), attempts=bindparam("b_attempts"), external_id=bindparam("b_external"),
        leased_by=bindparam("b_by")), [
        {"b_id": row.id, "b_at": now, "b_attempts": row.attempts + 1, "b_external": external_id, "b_by": by}
        for row, _, external_id in todo])
    by_data = {"by": by} if by else {}
    await append_log(conn, [LogEntry(at=now, kind="delivered", channel=via, crisis_id=row.crisis_id,
                                     data={"to": row.recipient, "via": via, "outbox": row.id, **by_data})
                            for row, via, _ in todo])
    return {row.id for row, _, _ in todo}


async def mark_retry(
    conn: AsyncConnection, row: OutboxRow, error: str, next_at: datetime, keep_holder: bool = False,
) -> None:
    """Retry the row at `next_at`. `keep_holder`: the attempt's outcome is unknown (no
    answer): `leased_by` stays, lease ended, so the next attempt knows it may have landed."""
    holder = {} if keep_holder else {"leased_by": None}
    await conn.execute(update(T.outbox).where(T.outbox.c.id == row.id).values(
        attempts=row.attempts + 1, last_error=error[:500], next_attempt_at=next_at, leased_until=None, **holder))


async def mark_failed(conn: AsyncConnection, row: OutboxRow, via: str, error: str, now: datetime) -> None:
    await conn.execute(update(T.outbox).where(T.outbox.c.id == row.id).values(
        attempts=row.attempts + 1, last_error=error[:500], failed_at=now))
    await append_log(conn, [LogEntry(at=now, kind="delivery_failed", channel=via, crisis_id=row.crisis_id,
                                     data={"to": row.recipient, "via": via, "error": error[:200]})])


@dataclass(frozen=True)
class ProcessRow:
    """A process that delivers the outbox (table `processes`): `host` is the hostname and
    pid namespace, `vias` the transports it has, times in UTC (`seen_at` by the wall clock)."""

    id: str
    host: str
    pid: int
    vias: str
    started_at: datetime
    seen_at: datetime


async def heartbeat_process(conn: AsyncConnection, process: ProcessRow, now: datetime) -> None:
    """Record that the process is alive at `now` (wall clock); registers it the first time,
    and again if another process forgot it."""
    result = await conn.execute(update(T.processes).where(T.processes.c.id == process.id).values(
        seen_at=now, vias=process.vias[:200]))  # the transports of its runtimes started so far
    if result.rowcount == 0:
        await conn.execute(insert(T.processes).values(
            id=process.id, host=process.host, pid=process.pid, vias=process.vias[:200], started_at=process.started_at,
            seen_at=now))


async def processes_on(conn: AsyncConnection, host: str) -> list[ProcessRow]:
    rows = (await conn.execute(select(T.processes).where(T.processes.c.host == host))).all()
    return [ProcessRow(r.id, r.host, r.pid, r.vias, r.started_at, r.seen_at) for r in rows]


async def live_vias(conn: AsyncConnection, alive_since: datetime) -> frozenset[str]:
    """The transports of every process seen since `alive_since` (wall clock, aware UTC);
    "*" (a test double taking any row) is left out: it names no transport."""
    rows = (await conn.execute(select(T.processes.c.vias).where(T.processes.c.seen_at >= alive_since))).scalars()
    return frozenset(via for vias in rows for via in vias.split(",") if via and via != "*")


async def forget_processes(conn: AsyncConnection, ids: Collection[str] = (), unseen_since: datetime | None = None) -> None:
    """Drop processes known to be gone (`ids`) and those not seen since `unseen_since`:
    their leases are free at once."""
    if ids:
        await conn.execute(delete(T.processes).where(T.processes.c.id.in_(list(ids))))
    if unseen_since is not None:
        await conn.execute(delete(T.processes).where(T.processes.c.seen_at < unseen_since))

async def outbox_by_external_id(conn: AsyncConnection, via: str, external_id: str) -> OutboxRow | None:
    """The row a platform's delivery callback talks about (Twilio's MessageSid)."""
    r = (await conn.execute(select(T.outbox).where(
        and_(T.outbox.c.via == via, T.outbox.c.external_id == external_id)))).first()
    return OutboxRow(r.id, r.crisis_id, r.recipient, r.via, OutMessage.from_json(r.payload), r.attempts) if r else None


# platform message ids and contact windows ----------------------------------


@dataclass(frozen=True)
class MessageRef:
    external_id: str
    channel: str | None


async def get_message_ref(conn: AsyncConnection, via: str, recipient: str, ref: str) -> MessageRef | None:
    r = (await conn.execute(select(T.message_refs).where(and_(
        T.message_refs.c.via == via, T.message_refs.c.recipient == recipient, T.message_refs.c.ref == ref)))).first()
    return MessageRef(r.external_id, r.channel) if r else None


async def put_message_ref(
    conn: AsyncConnection, via: str, recipient: str, ref: str, external_id: str, channel: str | None, now: datetime
) -> None:
    result = await conn.execute(update(T.message_refs).where(and_(
        T.message_refs.c.via == via, T.message_refs.c.recipient == recipient, T.message_refs.c.ref == ref,
    )).values(external_id=external_id, channel=channel, updated_at=now))
    if result.rowcount == 0:
        await conn.execute(insert(T.message_refs).values(
            via=via, recipient=recipient, ref=ref, external_id=external_id, channel=channel, updated_at=now))


async def touch_contact(conn: AsyncConnection, person_id: str, via: str, now: datetime) -> None:
    """Remember that the person just wrote on this channel."""
    result = await conn.execute(update(T.contacts).where(and_(
        T.contacts.c.person_id == person_id, T.contacts.c.via == via)).values(last_inbound_at=now))
    if result.rowcount == 0:
        await conn.execute(insert(T.contacts).values(person_id=person_id, via=via, last_inbound_at=now))


async def last_inbound(conn: AsyncConnection, person_id: str, via: str) -> datetime | None:
    result = await conn.execute(select(T.contacts.c.last_inbound_at).where(and_(
        T.contacts.c.person_id == person_id, T.contacts.c.via == via)))
    at: datetime | None = result.scalar_one_or_none()
    return at


# contact -------------------------------------------------------------------


async def contact_events(conn: AsyncConnection, crisis_id: str) -> list[ContactEvent]:
    """What the bitácora says about reaching each person, in the order written: failures,
    receipts and «sin contacto» marks one by one; deliveries, and what each person did in
    chat, only the latest per person and channel (a crisis has thousands of them)."""
    log = T.log.c
    rows = (await conn.execute(select(log.id, log.kind, log.at, log.channel, log.data).where(and_(
        log.crisis_id == crisis_id, log.kind.in_(sorted(CONTACT_KINDS - {"delivered"})))))).all()
    events = []
    for r in rows:
        data = dict(r.data)
        to = data.get("who") if r.kind in ("contact_lost", "contact_restored") else data.get("to")
        if isinstance(to, str):
            events.append(ContactEvent(r.id, r.kind, r.at, to, data.get("via") or r.channel, data.get("error")))
    to = log.data["to"].as_string()
    delivered = (await conn.execute(select(to, log.channel, func.max(log.id), func.max(log.at)).where(and_(
        log.crisis_id == crisis_id, log.kind == "delivered")).group_by(to, log.channel))).all()
    events += [ContactEvent(last, "delivered", at, person, via) for person, via, last, at in delivered
               if person and person != GROUP]
    wrote = (await conn.execute(select(log.person, log.channel, func.max(log.id), func.max(log.at)).where(and_(
        log.crisis_id == crisis_id, log.person.is_not(None), log.channel.is_not(None), log.channel != "sistema",
    )).group_by(log.person, log.channel))).all()
    events += [ContactEvent(last, "wrote", at, person, via) for person, via, last, at in wrote]
    return sorted(events, key=lambda e: e.id)


async def undelivered(conn: AsyncConnection, crisis_id: str) -> list[Queued]:
    """The crisis's outbox rows to people, neither delivered nor failed."""
    rows = (await conn.execute(select(T.outbox.c.recipient, T.outbox.c.via, T.outbox.c.created_at).where(and_(
        T.outbox.c.crisis_id == crisis_id, T.outbox.c.delivered_at.is_(None), T.outbox.c.failed_at.is_(None),
        T.outbox.c.recipient != GROUP,
    )).order_by(T.outbox.c.id))).all()
    return [Queued(r.recipient, r.via, r.created_at) for r in rows]


async def delivery_board(conn: AsyncConnection, crisis: Crisis, now: datetime) -> DeliveryBoard:
    """Each person's delivery state in the crisis and the next timer of each task; the
    threshold is the crisis's frozen `policy.contact_after`."""
    after = Playbook.from_frozen(crisis.playbook_json).policy.contact_after
    board = fold(await contact_events(conn, crisis.id), await undelivered(conn, crisis.id), now, after)
    for timer in await pending_timers(conn, crisis.id):  # ordered by due_at: the first one wins
        board.next_timers.setdefault(timer.step_id, NextTimer(timer.kind, timer.due_at))
    return board
