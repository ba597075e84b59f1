"""Writing the outcomes of commands: state, bitácora, timers and outbox rows.

`PendingWrites` gathers the outcomes of the commands handled in one transaction (a group
commit: a burst of presses) and writes them together, with a constant number of
statements whatever the number of commands: each changed task row once in its final
state, one insert each for the log, the timers and the outbox. A single command is the
same thing with one outcome (`apply`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from flows import drill_injects
from flows.crisis import Crisis, CrisisState, Proposal
from flows.drill_start import ScheduledDrill
from flows.messages import GROUP, CancelTimers, LogEntry, SetTimer
from flows.playbook import Playbook
from flows.world import Outcome, World
from persistence import drill_schedule, frozen
from persistence import tables as T
from persistence.repository import TASK_FIELDS, Deliverable, Plan, append_log, outbox_row, task_row


@dataclass
class _Queued:
    crisis_id: str | None
    deliverable: Deliverable
    at: datetime


Compact = Callable[[Sequence[Deliverable]], list[Deliverable | None]]
"""Rows in, the rows to write out, in the same places (None: left out)."""


def _compacted(queued: list[_Queued], compact: Compact) -> list[_Queued]:
    """`compact` applied to each crisis's rows apart (a digest never mixes two crises)."""
    out: list[_Queued | None] = list(queued)
    by_crisis: dict[str | None, list[int]] = {}
    for index, q in enumerate(queued):
        by_crisis.setdefault(q.crisis_id, []).append(index)
    for indexes in by_crisis.values():
        for index, deliverable in zip(indexes, compact([queued[i].deliverable for i in indexes]), strict=True):
            out[index] = None if deliverable is None else _Queued(queued[index].crisis_id, deliverable, queued[index].at)
    return [q for q in out if q is not None]


@dataclass
class Stored:
    """A crisis's row and its task rows as the database holds them."""

    crisis: dict[str, Any]
    tasks: dict[str, dict[str, Any]]


@dataclass
class PendingWrites:
    plan: Plan
    stored: dict[str, Stored] = field(default_factory=dict)
    """Per crisis id, what the database holds (loaded, or last flushed): only what differs
    is written. A crisis missing here is new: its row and its tasks are inserted."""
    revisions: dict[str, int] = field(default_factory=dict)
    """Per playbook, the revision this transaction bumped it to (once per transaction)."""
    crises: dict[str, Crisis] = field(default_factory=dict)  # touched, in the order first touched
    proposals: dict[str, Proposal] = field(default_factory=dict)
    log: list[LogEntry] = field(default_factory=list)
    cancels: list[CancelTimers] = field(default_factory=list)
    timers: list[SetTimer] = field(default_factory=list)
    outbox: list[_Queued | None] = field(default_factory=list)  # None: a summary a newer one replaced
    drill_schedule: list[ScheduledDrill] = field(default_factory=list)  # drills scheduled ahead (issue 14)
    _summaries: dict[tuple[str, str | None], list[int]] = field(default_factory=dict)
    compact: Compact | None = None
    """Applied to the rows of each crisis at flush (bot/compact.py: fewer messages on
    channels that cannot edit what they sent)."""

    async def take_revision(self, conn: AsyncConnection, playbook_id: str) -> int:
        """Bump the playbook's revision at the start (this transaction may write its state)
        and return the new number: the one before it says whether anyone wrote since."""
        self.revisions[playbook_id] = await bump_revision(conn, playbook_id)
        return self.revisions[playbook_id]

    def loaded(self, world: World) -> None:
        """The world was just read from the database: its crisis's rows are the stored ones."""
        if world.crisis is not None:
            row = crisis_row(world.crisis)
            if world.crisis.is_case:
                row["playbook_json"] = frozen.ref_of(world.crisis.playbook_json)
            self.stored[world.crisis.id] = Stored(row, dict(world.baseline))

    def add(self, world: World, outcome: Outcome) -> None:
        """Take one command's outcome (in the order the commands ran)."""
        if outcome.crisis is not None:
            self.crises[outcome.crisis.id] = outcome.crisis  # a dict keeps the order of the first touch
        for proposal in outcome.proposals:
            self.proposals[proposal.id] = proposal
        self.log.extend(outcome.log)
        self.drill_schedule.extend(outcome.drill_schedule)
        for op in outcome.timer_ops:
            if isinstance(op, CancelTimers):
                # Timers set earlier in this batch for that task are dropped rather than
                # written and cancelled; the ones already stored are cancelled at flush,
                # before this batch's new timers are inserted.
                self.timers = [t for t in self.timers if (t.crisis_id, t.step_id) != (op.crisis_id, op.step_id)]
                if op not in self.cancels:
                    self.cancels.append(op)
            else:
                self.timers.append(op)
        crisis_id = outcome.crisis.id if outcome.crisis else None
        not_to = drill_injects.not_to(outcome.messages, outcome.crisis, world.directory, world.now)
        for message, away in zip(outcome.messages, not_to, strict=True):
            planned = self.plan(message)
            dropped = [d for d in planned if d.recipient in away]
            if dropped:
                # A drill's inject made them unavailable (issue 14 point 3): not sent, and a
                # failure in the bitácora, so «sin contacto» and the escalations work as for real.
                self.log.extend(drill_injects.not_delivered(world.now, crisis_id, d.recipient) for d in dropped)
                planned = [d for d in planned if d.recipient not in away]
            if not planned and not dropped and message.to != GROUP:
                # Nobody can carry it to this person: a failure in the bitácora, which makes
                # them «sin contacto» (bot/contact.py tells the coordinators). A group message
                # with no row is deliberate (the live summary is not relayed to phones) and
                # each person's own reachability is judged by their own messages.
                self.log.append(LogEntry(at=world.now, kind="delivery_failed", channel=None, crisis_id=crisis_id,
                                         data={"to": message.to, "via": "-", "error": "no channel reaches them"}))
            if message.kind == "summary":  # the live summary: only the newest of a batch is worth sending
                for index in self._summaries.pop((message.to, message.ref), []):
                    self.outbox[index] = None
                self._summaries[(message.to, message.ref)] = list(range(len(self.outbox), len(self.outbox) + len(planned)))
            self.outbox.extend(_Queued(crisis_id, d, world.now) for d in planned)

    async def flush(self, conn: AsyncConnection) -> None:
        """Write everything gathered so far, inside the caller's transaction."""
        # The revision guards a process's cached crisis world (bot/service.py); cases are never cached.
        case_playbooks = {c.playbook_id for c in self.crises.values() if c.is_case}
        playbooks = ({c.playbook_id for c in self.crises.values() if not c.is_case}
                     | {p.playbook_id for p in self.proposals.values() if p.playbook_id not in case_playbooks})
        for crisis in self.crises.values():
            await self._save_crisis(conn, crisis)
        await _save_proposals(conn, list(self.proposals.values()))
        for playbook_id in sorted(playbooks - self.revisions.keys()):
            self.revisions[playbook_id] = await bump_revision(conn, playbook_id)
        await append_log(conn, self.log)
        if self.drill_schedule:
            await drill_schedule.save(conn, self.drill_schedule)
            self.drill_schedule = []
        if self.cancels:
            await conn.execute(update(T.timers).where(and_(
                T.timers.c.status == "pending",
                # crisis_id IN (...) lets SQLite use ix_timers_task: with the pairs alone, two or
                # more of them, it scans every pending timer (50,000: 30 ms; bench/cases_scale.py)
                T.timers.c.crisis_id.in_(sorted({op.crisis_id for op in self.cancels})),
                tuple_(T.timers.c.crisis_id, T.timers.c.step_id).in_([(op.crisis_id, op.step_id) for op in self.cancels]),
            )).values(status="cancelled"))
        if self.timers:
            await conn.execute(insert(T.timers), [
                {"crisis_id": op.crisis_id, "step_id": op.step_id, "kind": op.kind.value, "seq": op.seq,
                 "due_at": op.due_at, "status": "pending"} for op in self.timers])
        queued = [q for q in self.outbox if q is not None]
        if self.compact is not None:
            queued = _compacted(queued, self.compact)
        rows = [outbox_row(q.crisis_id, q.deliverable, q.at) for q in queued]
        if rows:
            await conn.execute(insert(T.outbox), rows)
        self.crises, self.proposals, self.log, self.cancels, self.timers, self.outbox = {}, {}, [], [], [], []
        self._summaries = {}

    async def _save_crisis(self, conn: AsyncConnection, crisis: Crisis) -> None:
        """The crisis row and the task rows, where they differ from the stored ones."""
        values = crisis_row(crisis)
        if crisis.is_case:  # one stored copy per playbook version (persistence/frozen.py)
            values["playbook_json"] = await frozen.store(conn, crisis.playbook_json)
        stored = self.stored.get(crisis.id)
        if stored is None:
            await conn.execute(insert(T.crises).values(id=crisis.id, **values))
            stored = Stored(values, {})
        elif values != stored.crisis:
            changed = {name: value for name, value in values.items() if stored.crisis.get(name) != value}
            await conn.execute(update(T.crises).where(T.crises.c.id == crisis.id).values(**changed))
        rows = {step_id: task_row(task) for step_id, task in crisis.tasks.items()}
        changed_rows = [{"b_crisis": crisis.id, "b_step": step_id, **row} for step_id, row in rows.items()
                        if step_id in stored.tasks and stored.tasks[step_id] != row]
        if changed_rows:
            await conn.execute(update(T.tasks).where(and_(
                T.tasks.c.crisis_id == bindparam("b_crisis"), T.tasks.c.step_id == bindparam("b_step"),
            )).values({name: bindparam(name) for name in TASK_FIELDS}), changed_rows)
        new = [step_id for step_id in rows if step_id not in stored.tasks]
        if new:
            positions = {s.id: i for i, s in enumerate(Playbook.from_frozen(crisis.playbook_json).steps)}
            await conn.execute(insert(T.tasks), [
                {"crisis_id": crisis.id, "step_id": step_id, "position": positions.get(step_id.partition("@")[0], 0), **rows[step_id]}
                for step_id in new])
        self.stored[crisis.id] = Stored(values, rows)


def crisis_row(crisis: Crisis) -> dict[str, Any]:
    return {
        "playbook_id": crisis.playbook_id, "state": crisis.state.value,
        "declared_at": crisis.declared_at, "declared_by": crisis.declared_by, "reported_by": crisis.reported_by,
        "description": crisis.description, "closing_at": crisis.closing_at, "closing_by": crisis.closing_by,
        "closed_at": crisis.closed_at, "playbook_json": crisis.playbook_json,
        "clock_offset": crisis.clock_offset, "drill": crisis.drill,
        "open_key": None if crisis.state == CrisisState.CLOSED or crisis.is_case else crisis.playbook_id,
        "kind": crisis.kind, "short_id": crisis.short_id, "fields": dict(crisis.fields) or None,
        "case_key": crisis.case_key, "outcome": crisis.outcome, "due_at": crisis.due_at, "warn_at": crisis.warn_at,
    }


async def _save_proposals(conn: AsyncConnection, proposals: list[Proposal]) -> None:
    for p in proposals:
        values = {"kind": p.kind.value, "playbook_id": p.playbook_id, "proposed_by": p.proposed_by, "text": p.text,
                  "created_at": p.created_at, "state": p.state.value, "crisis_id": p.crisis_id,
                  "resolved_by": p.resolved_by}
        result = await conn.execute(update(T.proposals).where(T.proposals.c.id == p.id).values(**values))
        if result.rowcount == 0:
            await conn.execute(insert(T.proposals).values(id=p.id, **values))


async def bump_revision(conn: AsyncConnection, playbook_id: str) -> int:
    """Count one more write of the playbook's crisis state; returns the new number."""
    result = await conn.execute(update(T.revisions).where(T.revisions.c.playbook_id == playbook_id)
                                .values(n=T.revisions.c.n + 1).returning(T.revisions.c.n))
    n = result.scalar_one_or_none()
    if n is None:
        await conn.execute(insert(T.revisions).values(playbook_id=playbook_id, n=1))
        n = 1
    return int(n)


async def apply(conn: AsyncConnection, world: World, outcome: Outcome, plan: Plan) -> None:
    """Write the whole outcome of one command: state, log, timers and outbox together."""
    writes = PendingWrites(plan)
    writes.loaded(world)
    writes.add(world, outcome)
    await writes.flush(conn)
