"""Delivers committed outbox rows through the transports, with retries, and records
each delivery in the bitácora."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.grouping import GroupCommit, GroupWriter
from flows.clock import Clock
from flows.directory import Person
from flows.messages import OutMessage
from flows.world import Outcome
from persistence import repository as repo
from persistence.database import writing

log = logging.getLogger(__name__)


class TransientError(Exception):
    """Worth retrying (429, 5xx, connection). `retry_after` in seconds when the peer said."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


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
    def __init__(
        self, db: AsyncEngine, clock: Clock, transports: Callable[[str], Transport],
        max_attempts: int = 8, concurrency: int = 1, make_way: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.db = db
        # Parallel deliveries end together: their bookkeeping shares transactions.
        self.writer = GroupWriter(db)
        self._delivered: GroupCommit[tuple[repo.OutboxRow, str, Sent], None] = GroupCommit(self._mark_delivered)
        self.clock = clock
        self.transports = transports
        self.max_attempts = max_attempts
        self.concurrency = concurrency
        # Waits while commands are being handled: a burst of presses is acked first (each
        # ack waits for its commit), what they produced is delivered right after.
        self.make_way = make_way
        self.lease = timedelta(minutes=2)
        self._drain_lock = asyncio.Lock()
        self._task: asyncio.Task[int] | None = None
        self._stopped = False

    async def stop(self) -> None:
        """No new deliveries; the one in flight finishes (its row is marked either way)."""
        self._stopped = True
        if self._task is not None and not self._task.done():
            await self._task

    async def after_commit(self, outcome: Outcome) -> None:
        if outcome.messages:
            self.kick()

    def kick(self) -> None:
        """Deliver in the background (coalesced)."""
        if self._stopped:
            return
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.drain())

    async def drain(self) -> int:
        """Deliver every row that is due now; returns how many were delivered."""
        delivered = 0
        async with self._drain_lock:
            while not self._stopped:
                if self.make_way is not None:
                    await self.make_way()
                now = self.clock.now()
                async with writing(self.db) as conn:
                    rows = await repo.pending_outbox(conn, now)
                    leased = await repo.lease_outbox(conn, rows, now, now + self.lease)
                if not rows:
                    return delivered
                delivered += await self._deliver_batch([row for row in rows if row.id in leased])
            return delivered

    async def _deliver_batch(self, rows: list[repo.OutboxRow]) -> int:
        if self.concurrency == 1:  # the terminal: strictly in commit order
            count = 0
            for row in rows:
                count += await self._deliver(row)
            return count
        # Rows to one recipient keep their order; different recipients go in parallel.
        by_recipient: dict[tuple[str, str], list[repo.OutboxRow]] = {}
        for row in rows:
            by_recipient.setdefault((row.recipient, row.via), []).append(row)
        semaphore = asyncio.Semaphore(self.concurrency)

        async def one_recipient(queue: list[repo.OutboxRow]) -> int:
            count = 0
            for index, row in enumerate(queue):
                ok = await self._deliver(row, semaphore)
                if not ok:
                    # Keep the order: later rows wait for this one's retry, but are free
                    # for the next drain at once rather than when their lease runs out.
                    later = [r.id for r in queue[index + 1:]]
                    await self.writer.write(lambda conn: repo.release_outbox(conn, later))
                    break
                count += 1
            return count

        return sum(await asyncio.gather(*(one_recipient(q) for q in by_recipient.values())))

    async def _deliver(self, row: repo.OutboxRow, slot: asyncio.Semaphore | None = None) -> bool:
        """Send one row (holding one of the `concurrency` slots only while the platform is
        called), then record what happened."""
        if self.make_way is not None:
            await self.make_way()
        transport = self.transports(row.via)
        try:
            async with slot or contextlib.nullcontext():
                result = await transport.deliver(row.recipient, row.message)
        except TransientError as exc:
            attempts, error, now = row.attempts + 1, str(exc), self.clock.now()
            if attempts >= self.max_attempts:
                await self.writer.write(lambda conn: repo.mark_failed(conn, row, transport.name, error, now))
                log.warning("outbox %s: giving up after %s attempts", row.id, attempts)
            else:
                delay = exc.retry_after if exc.retry_after is not None else min(2 ** attempts, 300)
                retry_at = now + timedelta(seconds=delay)
                await self.writer.write(lambda conn: repo.mark_retry(conn, row, error, retry_at))
                self._retry_later(delay)
            return False
        except PermanentError as exc:
            error, now = str(exc), self.clock.now()
            await self.writer.write(lambda conn: repo.mark_failed(conn, row, transport.name, error, now))
            log.warning("outbox %s: permanent failure: %s", row.id, exc)
            return False
        await self._delivered.submit([(row, transport.name, result if isinstance(result, Sent) else Sent(result))])
        return True

    async def _mark_delivered(self, delivered: list[tuple[repo.OutboxRow, str, Sent]]) -> list[None]:
        """Deliveries that end together are recorded together: each row marked delivered,
        and where the platform now shows what."""
        now = self.clock.now()
        async with writing(self.db) as conn:
            await repo.mark_delivered_many(conn, [(row, via, sent.external_id) for row, via, sent in delivered], now)
            for _, via, sent in delivered:
                for shown in sent.shown:
                    await repo.put_message_ref(conn, via, shown.recipient, shown.ref, shown.external_id, shown.channel, now)
        return [None] * len(delivered)

    def _retry_later(self, delay: float) -> None:
        """Wake up for the retry; the row itself is durable, so a restart retries it too."""
        loop = asyncio.get_running_loop()
        loop.call_later(max(delay, 0.0), self.kick)
