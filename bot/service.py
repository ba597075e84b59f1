"""Runs engine commands: a group of commands per transaction (a burst of presses), then
the after-commit hooks."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.case_routes import CaseRoutes, Route
from bot.compact import Compactor
from bot.grouping import GroupCommit
from bot.priority import Inbound
from bot.processes import this_process
from bot.routing import Router
from flows import engine as crisis_engine
from flows.clock import Clock
from flows.commands import Command, MyCases, RecurringDue, Say, TimerFired, TimersFired
from flows.directory import Directory
from flows.playbook import Playbook
from flows.world import Links, Outcome, World
from persistence import cases as case_queries
from persistence import repository as repo
from persistence.case_world import Preloaded, load_case_world, preload_cases, release_short_number, responsible_steps
from persistence.database import reading, write_transaction, writing
from persistence.writes import PendingWrites, Stored

log = logging.getLogger(__name__)

AfterCommit = Callable[[Outcome], Awaitable[None]]
MAX_BATCH = 100  # commands in one transaction at most
GROUP_GAP, GROUP_WAIT = 0.004, 0.030  # waiting for presses still being read (bot/priority.py)


@dataclass
class _Cached:
    """The world as the last transaction of this process left it, and the revision it
    wrote: the next transaction reuses it while nobody else has written since."""

    revision: int
    world: World
    stored: dict[str, Stored]


@dataclass
class _Job:
    """One command waiting for its turn, with what must hold for it to run."""

    command: Command
    event_key: str | None = None  # skipped if already processed (a platform's retry)
    # Due timers of one crisis (row id, what fired): the command is run with those this
    # run claims (`fired`), skipped if it claims none.
    timers: tuple[tuple[int, TimerFired], ...] = ()
    fired: tuple[int, ...] = ()


class CrisisService:
    """Runs commands one at a time, in the order they arrive, with a group commit
    (bot/grouping.py): the commands that arrive while a transaction is under way (a burst
    of presses) are handled together in the next one. Each sees the state the previous one
    left; their writes go in together; nobody's answer (the ack) goes out before the
    commit that holds their command; a faulty command fails alone."""

    def __init__(
        self, db: AsyncEngine, playbook: Playbook, directory: Directory, clock: Clock, router: Router,
        group_lang: str = "es", new_id: Callable[[], str] = lambda: secrets.token_hex(4),
        cases: dict[str, Playbook] | None = None, relay: bool = False,
    ) -> None:
        self.db = db
        # `relay`: a process with no chat transport of its own that records commands for the
        # live processes to deliver (`crisisbot simulacro`, bot/drill_cli.py): its router
        # plans through their channels (`Router.peers`).
        self.relay = relay
        self.playbook = playbook
        self.cases = dict(cases or {})  # the case playbooks running beside the crisis one (issue 12)
        self.routes = CaseRoutes(self.cases, playbook)
        self.directory = directory
        self.clock = clock
        self.router = router
        self.group_lang = group_lang
        self.tz = ZoneInfo(playbook.timezone)
        self.new_id = new_id
        self.after_commit: list[AfterCommit] = []
        self.links: Links | None = None  # set where the dashboard is served (handlers/web)
        self.inbound = Inbound()  # deliveries make way while commands wait for their commit
        self.process_id = this_process().id  # named in the log for each timer fired (as the outbox names it)
        # aiogram style: commands on one crisis run one at a time in this process (one
        # group at a time); the write transaction serialises them across processes too.
        self._group = GroupCommit(self._transaction, after=self._committed, max_group=MAX_BATCH,
                                  before=lambda: self.inbound.enough_waiting(lambda: self._group.queued,
                                                                             GROUP_GAP, GROUP_WAIT))
        self._cached: _Cached | None = None
        self.compact = Compactor(router, playbook, group_lang)  # fewer messages where cards cannot be edited

    async def handle(self, command: Command, event_key: str | None = None) -> Outcome | None:
        """Handle a command; None when `event_key` was already processed (a retry)."""
        (outcome,) = await self._run([_Job(command, event_key=event_key)])
        return outcome

    async def fire_due_timers(self, real_time_only: bool = False) -> int:
        """Fire every timer due by now. Each is claimed atomically inside the transaction
        that acts on it, so a restart, a late job or a second replica never fires it twice.
        `real_time_only`: not those of a crisis on simulated time (a drill the terminal runs)."""
        now = self.clock.now()
        async with reading(self.db) as conn:
            due = await repo.due_timers(conn, now, real_time_only)
        by_crisis: dict[str, list[repo.TimerRow]] = {}
        for timer in due:  # one command per crisis: timers due together send the latest state once
            by_crisis.setdefault(timer.crisis_id, []).append(timer)
        jobs = [_Job(TimersFired(()), timers=tuple((t.id, TimerFired(t.crisis_id, t.step_id, t.kind, t.seq, t.due_at))
                                                   for t in group)) for group in by_crisis.values()]
        await self._run(jobs, waited_on=False)
        fired = {timer_id for job in jobs for timer_id in job.fired}
        for timer in due:
            if timer.id in fired:
                log.info("timer %s (%s, step %s of crisis %s, due %s) fired by process %s", timer.id, timer.kind.value,
                         timer.step_id, timer.crisis_id, timer.due_at.isoformat(), self.process_id)
        return len(fired)

    async def _run(self, jobs: list[_Job], waited_on: bool = True) -> list[Outcome | None]:
        """`waited_on=False` (timers): nobody waits for an answer, so deliveries do not make
        way for them (bot/priority.py), and they run in small groups after the commands
        waiting (bot/grouping.py); timers falling due at 50 a second would otherwise hold
        every delivery back half a second, and every press behind them (bench/cases_scale.py)."""
        if not self.router.transports and not self.relay:  # its messages could reach nobody, yet count as sent
            raise RuntimeError("this process has no chat transport: it runs no command")
        if not waited_on:
            return await self._group.submit(jobs, background=True)
        async with self.inbound.command():
            return await self._group.submit(jobs)

    async def _transaction(self, batch: list[_Job]) -> list[Outcome | None]:
        """One transaction for the batch: the events recorded and the timers claimed first,
        then each command on the world the previous one left, then all the writes. The
        crisis world is read from the database unless this process's own last transaction
        is the last write to it (the revision says so), or the command reads the bitácora.
        A case's world is read afresh; the cases of a burst of timers are read together.
        A batch of case commands alone neither reads nor bumps the crisis's revision."""
        cached, self._cached = self._cached, None  # taken: a failed transaction leaves none behind
        revision: int | None = None
        async with write_transaction(self.db, self.playbook.id) as conn:
            now = self.clock.now()
            fresh = await repo.mark_processed_many(conn, [j.event_key for j in batch if j.event_key is not None], now)
            claimed = await repo.claim_timers(conn, [i for j in batch for i, _ in j.timers], now)
            writes = PendingWrites(self.router.plan, compact=self.compact)
            preloaded = await self._preload(conn, batch, claimed)
            world: World | None = None
            outcomes: list[Outcome | None] = []
            for job in batch:
                if job.event_key is not None and job.event_key[:200] not in fresh:
                    log.info("skipping repeated event %s", job.event_key)
                    outcomes.append(None)
                    continue
                if job.event_key is not None:
                    fresh.discard(job.event_key[:200])  # the same key again in this batch is a repeat
                if job.timers:
                    job.fired = tuple(i for i, _ in job.timers if i in claimed)
                    if not job.fired:
                        outcomes.append(None)
                        continue
                    job.command = TimersFired(tuple(fired for i, fired in job.timers if i in claimed))
                now = self.clock.now()
                if isinstance(job.command, Say):
                    await writes.flush(conn)  # its route may read what earlier commands of the batch wrote
                command, route = await self.routes.route(conn, job.command)
                if route is not None:  # a case: its own world, read afresh
                    if route.case_id is None or route.case_id in writes.crises:
                        await writes.flush(conn)  # what this batch wrote to it first (a burst of timers on
                        # different cases is written together, in a few statements, at the end)
                    # read at the batch's start: valid for the first command on that case only
                    ahead = preloaded.pop(route.case_id, None) if route.case_id else None
                    case_world = await load_case_world(conn, self._case_playbook(route), self.directory, now,
                                                       self.new_id, self.group_lang, route, command, ahead)
                    case_world.links = self.links
                    writes.loaded(case_world)
                    outcome = crisis_engine.handle(case_world, command)
                    if case_world.short_id and (outcome.crisis is None or outcome.crisis.short_id != case_world.short_id):
                        await release_short_number(conn, case_world.short_id)  # nothing opened: no gap in the ids
                    writes.add(case_world, outcome)
                    outcomes.append(outcome)
                    continue
                job.command = command
                if revision is None:  # the first command on the crisis's world in this batch
                    revision = await writes.take_revision(conn, self.playbook.id)
                    if cached is not None and cached.revision == revision - 1 and cached.world.directory is self.directory:
                        world = cached.world
                        for crisis_id, stored in cached.stored.items():
                            writes.stored.setdefault(crisis_id, stored)  # (cases read in this batch are newer)
                if world is None or crisis_engine.needs_log(world, job.command):
                    await writes.flush(conn)  # what earlier commands wrote is read back with the bitácora
                    world = await repo.load_world(conn, self.playbook, self.directory, now, self.new_id,
                                                  self.group_lang, with_log=_log_check(job.command),
                                                  with_last_closed=_last_closed_check(job.command))
                    world.links = self.links
                    writes.loaded(world)
                else:
                    world.now = now
                world.case_playbooks = tuple(self.cases.values())
                if isinstance(job.command, MyCases):
                    await writes.flush(conn)
                    world.my_cases = await case_queries.my_open_cases(
                        conn, job.command.person, responsible_steps(self.cases, self.directory, job.command.person))
                outcome = crisis_engine.handle(world, job.command)
                world.my_cases = []
                writes.add(world, outcome)
                world = world.after(outcome, now)
                if outcome.then is not None:  # a drill ended for a real crisis: declared now, in this transaction
                    follow = crisis_engine.handle(world, outcome.then)
                    writes.add(world, follow)
                    world = world.after(follow, now)
                    outcome = Outcome(messages=outcome.messages + follow.messages, log=outcome.log + follow.log,
                                      timer_ops=outcome.timer_ops + follow.timer_ops, crisis=follow.crisis,
                                      proposals=outcome.proposals + follow.proposals,
                                      drill_schedule=outcome.drill_schedule + follow.drill_schedule)
                outcomes.append(outcome)
            await writes.flush(conn)
        if revision is None:
            self._cached = cached  # nothing here touched the crisis's world: still as this process left it
        elif world is not None:
            self._cached = _Cached(revision, world, writes.stored)
        return outcomes

    async def _preload(self, conn: AsyncConnection, batch: list[_Job], claimed: set[int]) -> dict[str, Preloaded]:
        """The cases of the timers this batch claimed, read together (three statements, not
        three per case: timers falling due at 50 a second on as many cases, bench/cases_scale.py)."""
        ids = {job.timers[0][1].crisis_id for job in batch if job.timers and any(i in claimed for i, _ in job.timers)}
        cases = [case_id for case_id in ids if self.routes.is_case_id(case_id)]
        return await preload_cases(conn, cases) if len(cases) > 1 else {}

    def _case_playbook(self, route: Route) -> Playbook:
        """The running case playbook of a route (a case whose playbook is no longer loaded runs
        on its frozen copy: the engine reads that one)."""
        return self.cases.get(route.playbook_id) or self.playbook

    async def recurring_due(self, recurring_id: str, slot: datetime | None = None) -> None:
        """A cron reminder for its slot (default: now), keyed by the slot's minute in UTC so
        that replicas, late runs and a catch-up after a restart send it once; the slot is
        then remembered (`recurring_runs`) so that a restart does not fire it again."""
        slot = (slot or self.clock.now()).astimezone(UTC)
        outcome = await self.handle(RecurringDue(recurring_id), event_key=f"recurring:{recurring_id}:{slot:%Y%m%d%H%M}")
        if outcome is not None:
            log.info("recurring reminder %s (slot %s) fired by process %s", recurring_id, slot.isoformat(),
                     self.process_id)
        async with writing(self.db) as conn:
            await repo.record_recurring_slot(conn, self.playbook.id, recurring_id, slot, self.clock.now())

    async def _committed(self, results: list[Outcome | None]) -> None:
        """The after-commit hooks, once per transaction, with what its commands produced."""
        outcomes = [o for o in results if o is not None]
        if not outcomes:
            return
        merged = Outcome(
            messages=[m for o in outcomes for m in o.messages], log=[e for o in outcomes for e in o.log],
            timer_ops=[op for o in outcomes for op in o.timer_ops], crisis=outcomes[-1].crisis,
            proposals=[p for o in outcomes for p in o.proposals],
            drill_schedule=[d for o in outcomes for d in o.drill_schedule],  # the sweep arms for them
        )
        for hook in self.after_commit:
            await hook(merged)


def _log_check(command: Command) -> Callable[[World], bool]:
    return lambda world: crisis_engine.needs_log(world, command)


def _last_closed_check(command: Command) -> Callable[[World], bool]:
    return lambda world: crisis_engine.needs_last_closed(world, command)
