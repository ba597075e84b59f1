"""Reading the world for a command and writing its outcome, inside one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Row, and_, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.crisis import Crisis, CrisisState, Proposal, ProposalKind, ProposalState, Task, TaskState
from flows.directory import Directory
from flows.messages import CancelTimers, LogEntry, OutMessage, TimerKind
from flows.playbook import Playbook
from flows.world import Outcome, World
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

_TASK_FIELDS = ("state", "activated_at", "deadline_at", "owner", "claimed_at", "done_at", "done_by", "value",
                "acks", "declined", "asking", "reminders", "escalations", "checkin_pending")


def _crisis_from(row: Row[Any], task_rows: Sequence[Row[Any]]) -> Crisis:
    crisis = Crisis(
        id=row.id, playbook_id=row.playbook_id, state=CrisisState(row.state), declared_at=row.declared_at,
        declared_by=row.declared_by, playbook_json=row.playbook_json, description=row.description,
        reported_by=row.reported_by, closing_at=row.closing_at, closing_by=row.closing_by, closed_at=row.closed_at,
    )
    for t in task_rows:
        values = {name: getattr(t, name) for name in _TASK_FIELDS}
        values["state"] = TaskState(values["state"])
        values["acks"], values["declined"] = list(values["acks"]), list(values["declined"])
        crisis.tasks[t.step_id] = Task(step_id=t.step_id, **values)
    return crisis


def _log_from(row: Row[Any]) -> LogEntry:
    return LogEntry(at=row.at, kind=row.kind, person=row.person, channel=row.channel, crisis_id=row.crisis_id,
                    data=dict(row.data))


async def mark_processed(conn: AsyncConnection, key: str, now: datetime) -> bool:
    """Record an inbound event id; False if it was already processed."""
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    stmt = dialect.insert(T.processed_events).values(key=key[:200], at=now).on_conflict_do_nothing()
    result = await conn.execute(stmt)
    return bool(result.rowcount == 1)


async def load_crisis(conn: AsyncConnection, crisis_id: str) -> Crisis | None:
    row = (await conn.execute(select(T.crises).where(T.crises.c.id == crisis_id))).first()
    if row is None:
        return None
    task_rows = (await conn.execute(
        select(T.tasks).where(T.tasks.c.crisis_id == crisis_id).order_by(T.tasks.c.position))).all()
    return _crisis_from(row, task_rows)


async def open_crisis_id(conn: AsyncConnection, playbook_id: str) -> str | None:
    result = await conn.execute(select(T.crises.c.id).where(T.crises.c.open_key == playbook_id))
    return result.scalar_one_or_none()


async def crisis_log(conn: AsyncConnection, crisis_id: str, with_deliveries: bool = True) -> list[LogEntry]:
    query = select(T.log).where(T.log.c.crisis_id == crisis_id)
    if not with_deliveries:
        query = query.where(T.log.c.kind != "delivered")
    return [_log_from(r) for r in (await conn.execute(query.order_by(T.log.c.id))).all()]


async def list_crises(conn: AsyncConnection) -> list[Crisis]:
    ids = (await conn.execute(select(T.crises.c.id).order_by(T.crises.c.declared_at.desc()))).scalars().all()
    return [c for c in [await load_crisis(conn, i) for i in ids] if c is not None]


async def load_world(
    conn: AsyncConnection, playbook: Playbook, directory: Directory, now: datetime, new_id: Callable[[], str],
    group_lang: str = "es", with_log: Callable[[World], bool] | None = None,
) -> World:
    """The world for one command. The bitácora is loaded only when `with_log` says the
    command may need it (most presses do not), which keeps a command cheap."""
    crisis_id = await open_crisis_id(conn, playbook.id)
    crisis = await load_crisis(conn, crisis_id) if crisis_id else None
    rows = (await conn.execute(select(T.proposals).where(
        and_(T.proposals.c.playbook_id == playbook.id, T.proposals.c.state == ProposalState.PENDING.value)))).all()
    proposals = [
        Proposal(id=r.id, kind=ProposalKind(r.kind), playbook_id=r.playbook_id, proposed_by=r.proposed_by, text=r.text,
                 created_at=r.created_at, state=ProposalState(r.state), crisis_id=r.crisis_id, resolved_by=r.resolved_by)
        for r in rows
    ]
    world = World(playbook=playbook, directory=directory, now=now, crisis=crisis, proposals=proposals, new_id=new_id,
                  group_lang=group_lang)
    if crisis is not None and (with_log is None or with_log(world)):
        world.log = await crisis_log(conn, crisis.id, with_deliveries=False)
        world.deliveries = (await conn.execute(select(func.count()).select_from(T.log).where(
            and_(T.log.c.crisis_id == crisis.id, T.log.c.kind == "delivered")))).scalar_one()
    if crisis is not None:
        world.baseline = {step_id: _task_row(task) for step_id, task in crisis.tasks.items()}
    return world


def _task_row(task: Task) -> dict[str, Any]:
    row = {name: getattr(task, name) for name in _TASK_FIELDS}
    row["state"] = task.state.value
    row["acks"], row["declined"] = list(task.acks), list(task.declined)
    return row


async def _save_crisis(
    conn: AsyncConnection, crisis: Crisis, is_new: bool, positions: dict[str, int], baseline: dict[str, dict[str, Any]]
) -> None:
    """Write the crisis row and the task rows that changed since the world was loaded."""
    values = {
        "playbook_id": crisis.playbook_id, "state": crisis.state.value,
        "open_key": None if crisis.state == CrisisState.CLOSED else crisis.playbook_id,
        "declared_at": crisis.declared_at, "declared_by": crisis.declared_by, "reported_by": crisis.reported_by,
        "description": crisis.description, "closing_at": crisis.closing_at, "closing_by": crisis.closing_by,
        "closed_at": crisis.closed_at, "playbook_json": crisis.playbook_json,
    }
    if is_new:
        await conn.execute(insert(T.crises).values(id=crisis.id, **values))
    else:
        await conn.execute(update(T.crises).where(T.crises.c.id == crisis.id).values(**values))
    new_rows = []
    for step_id, task in crisis.tasks.items():
        row = _task_row(task)
        before = None if is_new else baseline.get(step_id)
        if before is None:
            new_rows.append({"crisis_id": crisis.id, "step_id": step_id, "position": positions.get(step_id, 0), **row})
        elif row != before:
            await conn.execute(update(T.tasks).where(and_(
                T.tasks.c.crisis_id == crisis.id, T.tasks.c.step_id == step_id)).values(**row))
    if new_rows:
        await conn.execute(insert(T.tasks), new_rows)


async def _save_proposals(conn: AsyncConnection, proposals: list[Proposal]) -> None:
    for p in {p.id: p for p in proposals}.values():
        values = {"kind": p.kind.value, "playbook_id": p.playbook_id, "proposed_by": p.proposed_by, "text": p.text,
                  "created_at": p.created_at, "state": p.state.value, "crisis_id": p.crisis_id,
                  "resolved_by": p.resolved_by}
        result = await conn.execute(update(T.proposals).where(T.proposals.c.id == p.id).values(**values))
        if result.rowcount == 0:
            await conn.execute(insert(T.proposals).values(id=p.id, **values))


async def append_log(conn: AsyncConnection, entries: Sequence[LogEntry]) -> None:
    if entries:
        await conn.execute(insert(T.log), [
            {"crisis_id": e.crisis_id, "at": e.at, "kind": e.kind, "person": e.person, "channel": e.channel,
             "data": e.data} for e in entries
        ])


async def apply(conn: AsyncConnection, world: World, outcome: Outcome, plan: Plan) -> None:
    """Write the whole outcome of one command: state, log, timers and outbox together."""
    crisis = outcome.crisis
    if crisis is not None:
        playbook = Playbook.from_frozen(crisis.playbook_json)
        positions = {s.id: i for i, s in enumerate(playbook.steps)}
        is_new = world.crisis is None or world.crisis.id != crisis.id
        await _save_crisis(conn, crisis, is_new, positions, world.baseline)
    await _save_proposals(conn, outcome.proposals)
    await append_log(conn, outcome.log)
    for op in outcome.timer_ops:
        if isinstance(op, CancelTimers):
            await conn.execute(update(T.timers).where(and_(
                T.timers.c.crisis_id == op.crisis_id, T.timers.c.step_id == op.step_id,
                T.timers.c.status == "pending")).values(status="cancelled"))
        else:
            await conn.execute(insert(T.timers).values(
                crisis_id=op.crisis_id, step_id=op.step_id, kind=op.kind.value, seq=op.seq, due_at=op.due_at,
                status="pending"))
    crisis_id = crisis.id if crisis else None
    deliveries: list[Deliverable] = []
    for message in outcome.messages:
        planned = plan(message)
        if not planned:  # nobody can carry it: say so in the bitácora rather than lose it silently
            await append_log(conn, [LogEntry(at=world.now, kind="delivery_failed", channel=None, crisis_id=crisis_id,
                                             data={"to": message.to, "via": "-", "error": "no channel reaches them"})])
        deliveries.extend(planned)
    await enqueue(conn, crisis_id, deliveries, world.now)


async def enqueue(conn: AsyncConnection, crisis_id: str | None, deliveries: Sequence[Deliverable], now: datetime) -> None:
    if deliveries:
        await conn.execute(insert(T.outbox), [
            {"crisis_id": crisis_id, "recipient": d.recipient, "via": d.via, "payload": d.message.to_json(),
             "created_at": now, "attempts": 0, "next_attempt_at": now} for d in deliveries
        ])


# timers -------------------------------------------------------------------


@dataclass(frozen=True)
class TimerRow:
    id: int
    crisis_id: str
    step_id: str
    kind: TimerKind
    seq: int
    due_at: datetime


async def due_timers(conn: AsyncConnection, now: datetime) -> list[TimerRow]:
    rows = (await conn.execute(select(T.timers).where(
        and_(T.timers.c.status == "pending", T.timers.c.due_at <= now)).order_by(T.timers.c.due_at, T.timers.c.id))).all()
    return [TimerRow(r.id, r.crisis_id, r.step_id, TimerKind(r.kind), r.seq, r.due_at) for r in rows]


async def next_due(conn: AsyncConnection) -> datetime | None:
    result = await conn.execute(select(func.min(T.timers.c.due_at)).where(T.timers.c.status == "pending"))
    due: datetime | None = result.scalar_one_or_none()
    return due


async def claim_timer(conn: AsyncConnection, timer_id: int, now: datetime) -> bool:
    """Atomically take a pending timer; False if another run already fired or cancelled it."""
    result = await conn.execute(update(T.timers).where(
        and_(T.timers.c.id == timer_id, T.timers.c.status == "pending")).values(status="fired", fired_at=now))
    return bool(result.rowcount == 1)


async def pending_timers(conn: AsyncConnection, crisis_id: str) -> list[TimerRow]:
    rows = (await conn.execute(select(T.timers).where(
        and_(T.timers.c.crisis_id == crisis_id, T.timers.c.status == "pending")).order_by(T.timers.c.due_at))).all()
    return [TimerRow(r.id, r.crisis_id, r.step_id, TimerKind(r.kind), r.seq, r.due_at) for r in rows]


# outbox -------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxRow:
    id: int
    crisis_id: str | None
    recipient: str
    via: str
    message: OutMessage
    attempts: int


def _unleased(now: datetime) -> Any:
    return or_(T.outbox.c.leased_until.is_(None), T.outbox.c.leased_until < now)


def _behind_a_retry(now: datetime) -> Any:
    """An earlier row to the same recipient on the same channel waits for its retry (or is
    being sent): this one waits too, so each person reads their messages in order."""
    earlier = T.outbox.alias("earlier")
    return exists().where(and_(
        earlier.c.recipient == T.outbox.c.recipient, earlier.c.via == T.outbox.c.via, earlier.c.id < T.outbox.c.id,
        earlier.c.delivered_at.is_(None), earlier.c.failed_at.is_(None),
        or_(earlier.c.next_attempt_at > now, earlier.c.leased_until >= now),
    ))


async def pending_outbox(conn: AsyncConnection, now: datetime, limit: int = 100) -> list[OutboxRow]:
    rows = (await conn.execute(select(T.outbox).where(and_(
        T.outbox.c.delivered_at.is_(None), T.outbox.c.failed_at.is_(None), T.outbox.c.next_attempt_at <= now,
        _unleased(now), ~_behind_a_retry(now),
    )).order_by(T.outbox.c.id).limit(limit))).all()
    return [OutboxRow(r.id, r.crisis_id, r.recipient, r.via, OutMessage.from_json(r.payload), r.attempts) for r in rows]


async def lease_outbox(conn: AsyncConnection, rows: Sequence[OutboxRow], now: datetime, until: datetime) -> set[int]:
    """Take rows for delivery; returns the ids this sender got. Another sender (a second
    replica) gets none of them, so a message is not sent twice; if this sender dies, the
    lease runs out and the row is sent again."""
    leased: set[int] = set()
    for row in rows:
        result = await conn.execute(update(T.outbox).where(and_(
            T.outbox.c.id == row.id, T.outbox.c.delivered_at.is_(None), T.outbox.c.failed_at.is_(None), _unleased(now),
        )).values(leased_until=until))
        if result.rowcount == 1:
            leased.add(row.id)
    return leased


async def release_outbox(conn: AsyncConnection, ids: Sequence[int]) -> None:
    """Give back leased rows this sender will not attempt now."""
    if ids:
        await conn.execute(update(T.outbox).where(and_(
            T.outbox.c.id.in_(ids), T.outbox.c.delivered_at.is_(None))).values(leased_until=None))


async def next_outbox_attempt(conn: AsyncConnection) -> datetime | None:
    result = await conn.execute(select(func.min(T.outbox.c.next_attempt_at)).where(
        and_(T.outbox.c.delivered_at.is_(None), T.outbox.c.failed_at.is_(None))))
    at: datetime | None = result.scalar_one_or_none()
    return at


async def mark_delivered(
    conn: AsyncConnection, row: OutboxRow, via: str, now: datetime, external_id: str | None = None
) -> bool:
    result = await conn.execute(update(T.outbox).where(
        and_(T.outbox.c.id == row.id, T.outbox.c.delivered_at.is_(None))).values(
        delivered_at=now, attempts=row.attempts + 1, external_id=external_id))
    if result.rowcount != 1:
        return False
    await append_log(conn, [LogEntry(at=now, kind="delivered", channel=via, crisis_id=row.crisis_id,
                                     data={"to": row.recipient, "via": via, "outbox": row.id})])
    return True


async def mark_retry(conn: AsyncConnection, row: OutboxRow, error: str, next_at: datetime) -> None:
    await conn.execute(update(T.outbox).where(T.outbox.c.id == row.id).values(
        attempts=row.attempts + 1, last_error=error[:500], next_attempt_at=next_at, leased_until=None))


async def mark_failed(conn: AsyncConnection, row: OutboxRow, via: str, error: str, now: datetime) -> None:
    await conn.execute(update(T.outbox).where(T.outbox.c.id == row.id).values(
        attempts=row.attempts + 1, last_error=error[:500], failed_at=now))
    await append_log(conn, [LogEntry(at=now, kind="delivery_failed", channel=via, crisis_id=row.crisis_id,
                                     data={"to": row.recipient, "via": via, "error": error[:200]})])


async def latest_buttons_for(conn: AsyncConnection, person: str, via: str) -> OutMessage | None:
    """The newest delivered message with buttons addressed to the person on a channel,
    skipping those a newer message about the same thing has replaced (a card updated in
    place after the task was taken or done, or a reminder about it)."""
    rows = (await conn.execute(select(T.outbox.c.payload).where(and_(
        T.outbox.c.recipient == person, T.outbox.c.via == via, T.outbox.c.delivered_at.is_not(None),
    )).order_by(T.outbox.c.id.desc()).limit(200))).all()
    replaced: set[str] = set()
    for (payload,) in rows:
        message = OutMessage.from_json(payload)
        subject = message.ref.split(":", 1)[1] if message.ref and message.ref.startswith(("card:", "nudge:")) else message.ref
        if message.buttons and (subject is None or subject not in replaced):
            return message
        if subject is not None:
            replaced.add(subject)
    return None


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
