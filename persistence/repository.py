"""Reading the world for a command and writing its outcome, inside one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Row, and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

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
from flows.messages import LogEntry, OutMessage, TimerKind
from flows.playbook import Playbook
from flows.world import World
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
                "acks", "declined", "asking", "reminders", "escalations", "checkin_pending")


def _crisis_from(row: Row[Any], task_rows: Sequence[Row[Any]]) -> Crisis:
    crisis = Crisis(
        id=row.id, playbook_id=row.playbook_id, state=CrisisState(row.state), declared_at=row.declared_at,
        declared_by=row.declared_by, playbook_json=row.playbook_json, description=row.description,
        reported_by=row.reported_by, closing_at=row.closing_at, closing_by=row.closing_by, closed_at=row.closed_at,
    )
    for t in task_rows:
        values = {name: getattr(t, name) for name in TASK_FIELDS}
        values["state"] = TaskState(values["state"])
        values["acks"], values["declined"] = list(values["acks"]), list(values["declined"])
        crisis.tasks[t.step_id] = Task(step_id=t.step_id, **values)
    return crisis


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
        world.baseline = {step_id: task_row(task) for step_id, task in crisis.tasks.items()}
    return world


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
    if not rows:
        return set()
    result = await conn.execute(update(T.outbox).where(and_(
        T.outbox.c.id.in_([row.id for row in rows]), T.outbox.c.delivered_at.is_(None), T.outbox.c.failed_at.is_(None),
        _unleased(now),
    )).values(leased_until=until).returning(T.outbox.c.id))
    return set(result.scalars().all())


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
    return row.id in await mark_delivered_many(conn, [(row, via, external_id)], now)


async def mark_delivered_many(
    conn: AsyncConnection, sent: Sequence[tuple[OutboxRow, str, str | None]], now: datetime
) -> set[int]:
    """Mark rows delivered (row, via, the platform's id), each with its «delivered» entry
    in the bitácora, in three statements however many; returns the ids marked now (a row
    already marked is not marked, nor logged, twice)."""
    ids = [row.id for row, _, _ in sent]
    if not ids:
        return set()
    pending = set((await conn.execute(select(T.outbox.c.id).where(and_(
        T.outbox.c.id.in_(ids), T.outbox.c.delivered_at.is_(None))))).scalars().all())
    todo = [(row, via, external_id) for row, via, external_id in sent if row.id in pending]
    if not todo:
        return set()
    await conn.execute(update(T.outbox).where(T.outbox.c.id == bindparam("b_id")).values(
        delivered_at=bindparam("b_at"), attempts=bindparam("b_attempts"), external_id=bindparam("b_external")), [
        {"b_id": row.id, "b_at": now, "b_attempts": row.attempts + 1, "b_external": external_id}
        for row, _, external_id in todo])
    await append_log(conn, [LogEntry(at=now, kind="delivered", channel=via, crisis_id=row.crisis_id,
                                     data={"to": row.recipient, "via": via, "outbox": row.id}) for row, via, _ in todo])
    return {row.id for row, _, _ in todo}


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
