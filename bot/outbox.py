"""Delivers committed outbox rows through the transports, with retries, and records
each delivery in the bitácora.

A row is leased by the process that sends it (`leased_by`, bot/processes.py), and only
by a process that has the row's transport: a web-only `crisisbot serve` beside a
terminal `crisisbot run` never takes, retries or fails the terminal's rows. A lease
whose holder is gone is free at once (same machine) or after
`OUTBOX_PROCESS_TIMEOUT_SECONDS` (another machine). The sender wakes by itself when a
retry falls due or a lease runs out, from the rows (`next_attempt_at`, `leased_until`),
so nothing waits for an unrelated commit; and it polls at each heartbeat for rows that
other processes committed. Recipients go independently: one slow or failing person never
holds back the others, and a person's later rows wait only for their earlier ones.

A transport is told which row it is delivering (`current_attempt`): one that can tag a
message with the row id and read the conversation back (Slack) checks, before sending a
row whose earlier attempt may have landed, whether it did (handlers/slack/dedupe.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.grouping import GroupCommit, GroupWriter
from bot.processes import Heartbeat, Identity, advertise, is_gone, this_process, vias_here, wall_now
from flows.clock import Clock
from flows.directory import Person
from flows.messages import OutMessage
from flows.world import Outcome
from persistence import repository as repo
from persistence.database import reading, writing

log = logging.getLogger(__name__)

MAX_SLEEP_SECONDS = 3600.0
"""The longest the sender sleeps without looking at the rows again."""
LONG_RETRY_SECONDS = 30.0
"""A retry at least this far away (seconds) is logged as a warning, not as info."""
FORGET_AFTER = timedelta(days=1)
"""Processes not seen for this long are dropped from `processes`."""


class TransientError(Exception):
    """Worth retrying (429, 5xx, connection). `retry_after` in seconds when the peer said.
    `maybe_sent`: the request may have reached the platform (no answer came: a timeout,
    the connection dropped after sending), so the next attempt checks first where it can."""

    def __init__(self, reason: str, retry_after: float | None = None, maybe_sent: bool = False) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent


@dataclass(frozen=True)
class Attempt:
    """The outbox row a transport is delivering now (`current_attempt`). `row`: outbox.id;
    `created_at`: when it was committed (the bot's clock, aware UTC; what the platform
    shows of it is newer); `maybe_landed`: an earlier attempt may have reached the platform
    (its sender died holding the lease, or the call got no answer), so a transport that
    can look should check before sending it again."""

    row: int
    created_at: datetime | None
    maybe_landed: bool


current_attempt: ContextVar[Attempt | None] = ContextVar("current_attempt", default=None)
"""Set by `OutboxSender` around each `Transport.deliver` call (None outside one)."""


class PermanentError(Exception):
    """Retrying will not help (unknown recipient, rejected payload)."""


@dataclass(frozen=True)
class Shown:
    """Where the platform shows a message under a ref (a task card, the live announcement),
    remembered so that the next message with that ref updates it in place."""

    recipient: str
    ref: str
    external_id: str
    channel: str | None = None


@dataclass(frozen=True)
class Sent:
    """What a transport reports of a delivery: the platform's id of the message and the
    refs it now shows. They are recorded with the row marked delivered, in one write."""

    external_id: str | None
    shown: tuple[Shown, ...] = ()


class Transport(Protocol):
    """A chat platform as seen by the outbox.

    `group_mode`: "post" when the transport posts GROUP messages to the group itself (a
    Slack channel, the terminal), "relay" when the group is stood in for by one message
    per person (WhatsApp), "none" when it does not carry group messages."""

    name: str
    group_mode: str

    def reaches(self, person: Person) -> bool: ...

    async def deliver(self, recipient: str, message: OutMessage) -> Sent | str | None:
        """Send it; return the platform's id of the sent message, if it has one (and, in a
        `Sent`, the refs to remember)."""
        ...


class OutboxSender:
    """`transports`: the process's transports by name (only their rows are leased); a
    callable instead stands for a sender that takes rows of any channel (a test double).
    `concurrency` 1 delivers strictly in commit order (the terminal)."""

    def __init__(
        self, db: AsyncEngine, clock: Clock, transports: Mapping[str, Transport] | Callable[[str], Transport],
        max_attempts: int = 8, concurrency: int = 1, make_way: Callable[[], Awaitable[None]] | None = None,
        heartbeat: Heartbeat | None = None, identity: Identity | None = None,
    ) -> None:
        self.db = db
        # Parallel deliveries end together: their bookkeeping shares transactions.
        self.writer = GroupWriter(db)
        self._delivered: GroupCommit[tuple[repo.OutboxRow, str, Sent], None] = GroupCommit(self._mark_delivered)
        self.clock = clock
        if isinstance(transports, Mapping):
            self.vias: frozenset[str] | None = frozenset(transports)
            self._transports: Callable[[str], Transport | None] = dict(transports).get
        else:
            self.vias, self._transports = None, transports
        self.max_attempts = max_attempts
        self.concurrency = concurrency
        # Waits while commands are being handled: a burst of presses is acked first (each
        # ack waits for its commit), what they produced is delivered right after.
        self.make_way = make_way
        self.lease = timedelta(minutes=2)
        # A platform call that has not answered by then is given up as a transient failure
        # (retried later): before the lease runs out and another sender may take the row.
        self.delivery_timeout = self.lease.total_seconds() * 0.75
        self.heartbeat = heartbeat or Heartbeat()
        self.identity = identity or this_process()
        self._registered = False
        # The transports of the live processes, read at each heartbeat (bot/routing.py
        # plans through them): no query per transaction.
        self.live_vias: frozenset[str] = frozenset()
        self._beating: asyncio.Task[None] | None = None
        self._wake: asyncio.TimerHandle | None = None
        self._more = asyncio.Event()  # kicked while a drain runs: look for new rows
        self._drain_lock = asyncio.Lock()
        self._task: asyncio.Task[int] | None = None
        self._stopped = False
        self.drained: Callable[[], None] | None = None  # called after each drain (bot/contact.py looks again)

    async def start(self) -> None:
        """Register this process, drop those of this machine that are gone (their leases
        are free at once), and keep saying that this one is alive."""
        await self.beat()
        if self._beating is None:
            self._beating = asyncio.create_task(self._beat_forever())

    async def stop(self) -> None:
        """No new deliveries; the ones in flight finish (their rows are marked either way)."""
        self._stopped = True
        advertise(id(self), str(self.db.url), None)
        self._set_wake(None)
        if self._beating is not None:
            self._beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._beating
        if self._task is not None and not self._task.done():
            await self._task

    async def after_commit(self, outcome: Outcome) -> None:
        if outcome.messages:
            self.kick()

    def kick(self) -> None:
        """Deliver in the background (coalesced with a drain under way)."""
        if self._stopped:
            return
        self._more.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain_while_kicked())

    async def _drain_while_kicked(self) -> int:
        """Drain, and again if a kick came after the drain's last look for rows (while it
        was ending): that kick found the drain still running and started none, and the
        rows it announced would otherwise wait for the next heartbeat."""
        delivered = 0
        while self._more.is_set() and not self._stopped:
            self._more.clear()
            delivered += await self.drain()
        return delivered

    def _live(self) -> repo.Liveness:
        return repo.Liveness(me=self.identity.id, alive_since=self.heartbeat.alive_since())

    # heartbeat -----------------------------------------------------------------------

    async def beat(self) -> bool:
        """Say this process is alive; drop the processes of this machine that are gone.
        Returns whether any was dropped."""
        now = self.heartbeat.wall()
        if not self._stopped:
            advertise(id(self), str(self.db.url), self.vias if self.vias is not None else frozenset({"*"}))
        # This OS process's other runtimes share its row: it advertises all their transports.
        vias = ",".join(sorted(vias_here(str(self.db.url)) | (self.vias if self.vias is not None else {"*"})))
        async with writing(self.db) as conn:
            await repo.heartbeat_process(conn, self.identity.row(vias, now), now)
            self.live_vias = await repo.live_vias(conn, self.heartbeat.alive_since())
            gone = [p for p in await repo.processes_on(conn, self.identity.host) if is_gone(p, self.identity)]
            await repo.forget_processes(conn, [p.id for p in gone], unseen_since=now - FORGET_AFTER)
        if not self._registered:
            log.info("outbox: this process is %s (pid %s on %s, delivering through %s)", self.identity.id,
                     self.identity.pid, self.identity.host, vias)
        self._registered = True
        for process in gone:
            log.info("outbox: process %s (pid %s) is gone; its leases are free", process.id, process.pid)
        return bool(gone)

    def peers(self) -> frozenset[str]:
        """The transports of every live process: as of the last heartbeat, and those of the
        runtimes running in this OS process now (they share its `processes` row)."""
        return self.live_vias | vias_here(str(self.db.url))

    async def _beat_forever(self) -> None:
        while not self._stopped:
            await asyncio.sleep(self.heartbeat.heartbeat)
            try:
                freed = await self.beat()
                if freed or await self._anything_due():
                    self.kick()
            except (SQLAlchemyError, OSError) as exc:  # a locked or unreachable database: beat again later
                log.warning("outbox: heartbeat failed: %s", exc)

    async def _anything_due(self) -> bool:
        """Rows due that this process could send (another process may have committed them)."""
        async with reading(self.db) as conn:
            return bool(await repo.pending_outbox(conn, self.clock.now(), limit=1, vias=self.vias, live=self._live()))

    # waking up -----------------------------------------------------------------------

    async def _arm_wake(self) -> None:
        """Sleep until the rows need this sender again: a retry due, a lease running out,
        or the heartbeat timeout of a live process holding leases."""
        async with reading(self.db) as conn:
            wake = await repo.next_outbox_wake(conn, self.clock.now(), vias=self.vias, live=self._live())
        delays = []
        if wake.at is not None:
            delays.append((self.clock.to_real(wake.at) - wall_now()).total_seconds())
        if wake.holder_seen is not None:
            delays.append((wake.holder_seen - self.heartbeat.alive_since()).total_seconds() + 0.05)
        self._set_wake(min(delays) if delays else None)

    def _set_wake(self, delay: float | None) -> None:
        if self._wake is not None:
            self._wake.cancel()
            self._wake = None
        if delay is not None and not self._stopped:
            self._wake = asyncio.get_running_loop().call_later(min(max(delay, 0.0), MAX_SLEEP_SECONDS), self.kick)

    # delivering ----------------------------------------------------------------------

    async def drain(self) -> int:
        """Deliver every row that is due now; returns how many were delivered."""
        async with self._drain_lock:
            if not self._registered:
                await self.beat()
            try:
                if self.concurrency == 1:
                    return await self._drain_in_order()
                return await self._drain_in_parallel()
            finally:
                if not self._stopped:
                    try:
                        await self._arm_wake()
                    except SQLAlchemyError as exc:  # look again at the next heartbeat
                        log.warning("outbox: cannot read when to wake: %s", exc)
                        self._set_wake(self.heartbeat.heartbeat)
                    if self.drained is not None:
                        self.drained()

    async def _lease(self) -> list[repo.OutboxRow]:
        """Take the rows due now that this process can send and nobody alive is sending."""
        if self.make_way is not None:
            await self.make_way()
        now, live = self.clock.now(), self._live()
        async with writing(self.db) as conn:
            rows = await repo.pending_outbox(conn, now, vias=self.vias, live=live)
            leased = await repo.lease_outbox(conn, rows, now, now + self.lease, by=self.identity.id, live=live)
        return [row for row in rows if row.id in leased]

    async def _drain_in_order(self) -> int:
        """The terminal: one row at a time, strictly in commit order."""
        delivered = 0
        while not self._stopped:
            self._more.clear()
            rows = await self._lease()
            if not rows:
                break
            delivered += await self._deliver_queue(rows)
        return delivered

    async def _drain_in_parallel(self) -> int:
        """Each person's rows in order, different people at once (`concurrency` platform
        calls at a time). New rows are leased whenever a person's queue ends or a commit
        kicks, so a slow or failing person never holds back the others."""
        slot = asyncio.Semaphore(self.concurrency)
        running: set[asyncio.Task[int]] = set()
        delivered = 0
        try:
            while True:
                self._more.clear()
                if not self._stopped:
                    by_recipient: dict[tuple[str, str], list[repo.OutboxRow]] = {}
                    for row in await self._lease():
                        by_recipient.setdefault((row.recipient, row.via), []).append(row)
                    for queue in by_recipient.values():
                        running.add(asyncio.create_task(self._deliver_queue(queue, slot)))
                if not running:
                    return delivered
                more = asyncio.create_task(self._more.wait())
                try:
                    done, _ = await asyncio.wait([*running, more], return_when=asyncio.FIRST_COMPLETED)
                finally:
                    more.cancel()
                for task in done & running:
                    running.discard(task)
                    delivered += task.result()
        finally:
            if running:  # an unexpected error: let the others finish their bookkeeping
                await asyncio.gather(*running, return_exceptions=True)

    async def _deliver_queue(self, queue: list[repo.OutboxRow], slot: asyncio.Semaphore | None = None) -> int:
        """Deliver rows in order; at the first that is not delivered, give the rest back
        (they are free for the next lease at once, and wait there behind a retry)."""
        count, rest = 0, []
        marks: list[asyncio.Task[list[None]]] = []  # «delivered» being recorded while the next one goes out
        try:
            for index, row in enumerate(queue):
                if self._stopped:
                    rest = queue[index:]
                    break
                if not await self._deliver(row, slot, marks):
                    rest = queue[index + 1:]
                    break
                count += 1
        finally:
            await asyncio.gather(*marks)  # each row marked (or its error raised) before the queue ends
        if rest:
            ids = [r.id for r in rest if r.leased_by is None]
            unknown = [r.id for r in rest if r.leased_by is not None]  # may have landed: still to be checked
            await self.writer.write(lambda conn: repo.release_outbox(conn, ids))
            if unknown:
                await self.writer.write(lambda conn: repo.release_outbox(conn, unknown, keep_holder=True))
        return count

    async def _deliver(self, row: repo.OutboxRow, slot: asyncio.Semaphore | None = None,
                       marks: list[asyncio.Task[list[None]]] | None = None) -> bool:
        """Send one row (holding one of the `concurrency` slots only while the platform is
        called), then record what happened. Marked delivered only once the transport took it.
        `marks`: the marking is started and added there instead of waited for, so that the
        person's next row goes out meanwhile (the caller waits for them all); the next lease
        still skips this person's later rows until the mark is committed (`repository._behind`),
        and a crash in between re-sends only the rows handed over and not yet marked. A message
        now shown under a ref (a Slack card) is waited for: where it is shown is recorded with
        the mark, and what follows may update it in place."""
        if self.make_way is not None:
            await self.make_way()
        transport = self._transports(row.via)
        if transport is None:  # cannot happen: only rows through `vias` are leased
            raise LookupError(f"no transport {row.via!r} in this process")
        # A holder recorded with the row means an attempt whose outcome is unknown: a
        # process that died holding the lease, or a call that got no answer.
        maybe_landed = row.leased_by is not None
        if maybe_landed and row.leased_by != self.identity.id:
            log.info("outbox %s: taken over from process %s by process %s", row.id, row.leased_by, self.identity.id)
        attempt = current_attempt.set(Attempt(row.id, row.created_at, maybe_landed))
        try:
            async with slot or contextlib.nullcontext(), asyncio.timeout(self.delivery_timeout):
                result = await transport.deliver(row.recipient, row.message)
        except (TransientError, TimeoutError) as exc:
            attempts, now = row.attempts + 1, self.clock.now()
            error = str(exc) or f"no answer within {self.delivery_timeout:.0f} s"
            if attempts >= self.max_attempts:
                await self.writer.write(lambda conn: repo.mark_failed(conn, row, transport.name, error, now))
                log.warning("outbox %s: giving up after %s attempts", row.id, attempts)
            else:
                retry_after = exc.retry_after if isinstance(exc, TransientError) else None
                delay = retry_after if retry_after is not None else min(2 ** attempts, 300)
                retry_at = now + timedelta(seconds=delay)
                # Still unknown whether it landed (this call or an earlier one): say so to the next attempt.
                unknown = maybe_landed or isinstance(exc, TimeoutError) or getattr(exc, "maybe_sent", False)
                # The row is durable and the sender wakes for it (`_arm_wake`), here or after a restart.
                await self.writer.write(lambda conn: repo.mark_retry(conn, row, error, retry_at, keep_holder=unknown))
                # Said in the log: a long wait holds the person's later rows back too.
                log.log(logging.WARNING if delay >= LONG_RETRY_SECONDS else logging.INFO,
                        "outbox %s: attempt %s failed (%s); retrying in %.0f s", row.id, attempts, error, delay)
            return False
        except PermanentError as exc:
            error, now = str(exc), self.clock.now()
            await self.writer.write(lambda conn: repo.mark_failed(conn, row, transport.name, error, now))
            log.warning("outbox %s: permanent failure: %s", row.id, exc)
            return False
        finally:
            current_attempt.reset(attempt)
        sent = result if isinstance(result, Sent) else Sent(result)
        mark = self._delivered.submit([(row, transport.name, sent)])
        if marks is None or sent.shown:
            await mark
        else:
            marks.append(asyncio.create_task(mark))
        return True

    async def _mark_delivered(self, delivered: list[tuple[repo.OutboxRow, str, Sent]]) -> list[None]:
        """Deliveries that end together are recorded together: each row marked delivered
        (by this process: the bitácora's entry names it), and where the platform now shows what."""
        now = self.clock.now()
        async with writing(self.db) as conn:
            await repo.mark_delivered_many(conn, [(row, via, sent.external_id) for row, via, sent in delivered], now,
                                           by=self.identity.id)
            for _, via, sent in delivered:
                for shown in sent.shown:
                    await repo.put_message_ref(conn, via, shown.recipient, shown.ref, shown.external_id, shown.channel, now)
        for row, via, _ in delivered:
            log.debug("outbox %s delivered to %s via %s by process %s", row.id, row.recipient, via, self.identity.id)
        return [None] * len(delivered)
