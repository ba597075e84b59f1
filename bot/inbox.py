"""The inbox: a person's command that the database cannot take in time is kept, not lost.

A webhook must be answered within the platform's limit, and neither Slack nor Twilio
sends again what got an error or no answer in time:

- Slack: "you only have 3 seconds to respond before Slack registers a timeout error"
  (https://docs.slack.dev/tools/bolt-python/concepts/acknowledge); only Events API events
  are retried, never button presses (block_actions), modals (view_submission) or slash
  commands.
- Twilio: "Twilio will wait for a total of 15 seconds to receive an HTTP response"
  (https://www.twilio.com/docs/api/errors/11205); it retries only connection failures,
  unless the webhook URL asks otherwise (`#rc=` connection overrides,
  https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides).

So `Inbox.take` runs the command with a time budget under that limit. When it has not
committed within the budget, or the database raised an operational error (locked,
connection lost), the command is appended to a spool on local disk (persistence/spool.py,
fsync'd) and the caller answers the platform at once, telling the person it is received
and being recorded. The first attempt goes on (it is never cancelled); a background task
retries what is kept, with backoff, until it commits. The command's `event_key`
(`processed_events`) makes it count once however many attempts commit. Once committed,
the engine's own messages (through the outbox) tell the person it was taken, and the
transport's follow-up (`follow_ups[via]`) redraws what it showed; if it cannot be
committed within `give_up` of its arrival, the person is told directly, through the
transport and not the database, that it was not taken. On start-up the spool is replayed
first: a crash after the answer loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.outbox import PermanentError, TransientError
from bot.service import CrisisService
from flows.messages import OutMessage
from flows.render import clock_time
from flows.texts import t
from flows.world import Outcome
from persistence.spool import Entry, InboundCommand, Spool

log = logging.getLogger(__name__)

FollowUp = Callable[[Entry, Outcome | None], Awaitable[None]]
"""A transport's work once a kept command is committed (the outcome, or None when an
earlier attempt had already committed it)."""

WHAT_LENGTH = 80  # characters of the person's line quoted back in «not taken»


@dataclass(frozen=True)
class Taken:
    """What became of a command: committed (`outcome`, None for a repeat), or `spooled`
    (kept in the inbox: answer the platform now and tell the person it is being recorded)."""

    outcome: Outcome | None
    spooled: bool = False


def unavailable(exc: BaseException) -> bool:
    """The database could not take the write now, but may later: locked, busy, connection
    lost or refused, pool exhausted. Any other error is a fault of the command itself."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout | ConnectionError | TimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


@dataclass
class Inbox:
    """`give_up`: how long after its arrival a kept command may still be committed;
    `retry_first` / `retry_max`: the first pause between retries and its ceiling, in
    seconds (doubling while the database stays unavailable)."""

    spool: Spool
    service: CrisisService
    give_up: timedelta = timedelta(minutes=10)
    retry_first: float = 1.0
    retry_max: float = 30.0
    follow_ups: dict[str, FollowUp] = field(default_factory=dict)  # by transport name
    _pending: dict[str, Entry] = field(init=False, default_factory=dict)
    _in_flight: set[str] = field(init=False, default_factory=set)  # entries whose first attempt still runs
    _tasks: set[asyncio.Task[Any]] = field(init=False, default_factory=set)
    _loop: asyncio.Task[None] | None = field(init=False, default=None)
    _wake: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    _retrying: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)
    _stopped: bool = field(init=False, default=False)

    @property
    def pending(self) -> int:
        """Commands kept and not yet settled (committed or given up)."""
        return len(self._pending)

    @property
    def in_flight(self) -> int:
        """Kept commands whose first attempt is still running (waiting on the lock)."""
        return len(self._in_flight)

    async def take(
        self, command: InboundCommand, event_key: str | None, within: float, what: str = "",
        context: dict[str, Any] | None = None,
    ) -> Taken:
        """Handle an inbound command within `within` seconds, or keep it in the inbox.

        `event_key`: the platform's id of the webhook (one is made when it has none, so a
        late first attempt and a retry still count once); `what`: a few words naming it
        for the person (a button's label); `context`: JSON the transport's follow-up
        reads. Raises what the command raised when that is not the database being
        unavailable (a fault: the transport's error handler answers it), and OSError when
        the spool cannot be written."""
        key = event_key or f"inbox:{secrets.token_hex(8)}"
        received = self.service.clock.now()
        attempt = asyncio.create_task(self.service.handle(command, event_key=key))
        done, _ = await asyncio.wait({attempt}, timeout=max(within, 0.0))
        if done:
            exc = attempt.exception()
            if exc is None:
                return Taken(attempt.result())
            if not unavailable(exc):
                raise exc
            log.warning("inbox: the database refused %s (%s); kept to retry", key, type(exc).__name__)
        else:
            log.warning("inbox: %s not committed within %.1f s; kept, the attempt goes on", key, within)
        entry = Entry(secrets.token_hex(8), key, command, received, _short(what or _what_of(command)), context or {})
        await self.spool.aput(entry)  # on disk before the platform hears anything
        self._pending[entry.id] = entry
        if not attempt.done():
            self._in_flight.add(entry.id)
            attempt.add_done_callback(lambda task: self._spawn(lambda: self._first_attempt_ended(entry, task)))
        self._ensure_loop()
        return Taken(None, spooled=True)

    async def within(self, work: Awaitable[Any], seconds: float) -> bool:
        """Other writes of a webhook (a transport's own answer, the WhatsApp window): True
        when `work` is done within `seconds`; False when it is still running (it goes on,
        never cancelled, its failure logged) or the database was unavailable. Raises any
        other error of `work`."""
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=max(seconds, 0.0))
        if not done:
            task.add_done_callback(_log_failure)
            return False
        exc = task.exception()
        if exc is None:
            return True
        if unavailable(exc):
            log.warning("inbox: the database refused a webhook's write (%s)", type(exc).__name__)
            return False
        raise exc

    async def start(self) -> None:
        """Replay what a previous run kept (a crash after the answer), then retry the rest
        in the background. Only the commands of transports this process serves: a
        `crisisbot run` beside `serve` leaves Slack's and WhatsApp's to `serve`."""
        for entry in await self.spool.apending():
            if entry.command.channel in self.service.router.transports:
                self._pending.setdefault(entry.id, entry)
        if self._pending:
            log.info("inbox: replaying %d kept command(s)", len(self._pending))
            await self.retry()
            self._ensure_loop()

    async def stop(self) -> None:
        """No more retries; what is still kept stays in the spool for the next start."""
        self._stopped = True
        self._wake.set()
        for task in [*self._tasks, *([self._loop] if self._loop else [])]:
            task.cancel()
        await asyncio.gather(*self._tasks, *([self._loop] if self._loop else []), return_exceptions=True)

    async def retry(self) -> int:
        """One pass over the kept commands whose first attempt has ended; returns how many
        were settled (committed or given up). The first is tried alone: while the database
        is still unavailable, the others are not queued behind it, only given up when
        their time is over."""
        async with self._retrying:
            due = [e for e in self._pending.values() if e.id not in self._in_flight]
            if not due:
                return 0
            if not await self._attempt(due[0]):
                return sum([await self._give_up_if_late(e) for e in due])
            settled = await asyncio.gather(*(self._attempt(e) for e in due[1:]))
            return 1 + sum(settled)

    # the work behind it -------------------------------------------------------------

    async def _attempt(self, entry: Entry) -> bool:
        """Try to commit it; True when it is settled."""
        attempt = asyncio.ensure_future(self.service.handle(entry.command, event_key=entry.event_key))
        try:
            await asyncio.wait({attempt})
        except asyncio.CancelledError:  # stopping: what is kept stays in the spool
            attempt.cancel()
            raise
        exc = attempt.exception()
        if exc is not None and unavailable(exc):
            return await self._give_up_if_late(entry)
        if exc is not None:  # a fault of the command: no retry will help
            log.error("inbox: %s failed for good (%s); the person is told", entry.event_key, type(exc).__name__)
            await self._settle(entry, "failed", None)
            return True
        await self._settle(entry, "committed", attempt.result())
        return True

    async def _first_attempt_ended(self, entry: Entry, task: asyncio.Task[Outcome | None]) -> None:
        self._in_flight.discard(entry.id)
        exc = None if task.cancelled() else task.exception()
        if task.cancelled() or (exc is not None and unavailable(exc)):
            self._wake.set()  # the retries take it from here
        elif exc is not None:
            log.error("inbox: %s failed for good (%s); the person is told", entry.event_key, type(exc).__name__)
            await self._settle(entry, "failed", None)
        else:
            await self._settle(entry, "committed", task.result())

    async def _give_up_if_late(self, entry: Entry) -> bool:
        if self.service.clock.now() - entry.received_at < self.give_up:
            return False
        log.warning("inbox: %s not committed within %s; given up, the person is told", entry.event_key, self.give_up)
        await self._settle(entry, "given_up", None)
        return True

    async def _settle(self, entry: Entry, result: str, outcome: Outcome | None) -> None:
        if self._pending.pop(entry.id, None) is None:
            return  # settled already (the first attempt and a retry both ended)
        await self.spool.adone(entry.id, result, compact=not self._pending)
        if result == "committed":
            follow_up = self.follow_ups.get(entry.command.channel)
            if follow_up is not None:
                await follow_up(entry, outcome)
        else:
            await self._tell_not_taken(entry)

    async def _tell_not_taken(self, entry: Entry) -> None:
        """Straight through the transports (the database may be the thing that is down):
        the channel the command came by first, then any other that reaches the person."""
        router = self.service.router
        person = router.directory.get(entry.command.person)
        if person is None:
            return
        at = clock_time(entry.received_at, ZoneInfo(person.timezone))
        message = OutMessage(to=person.id, text=t(person.lang, "inbox.not_taken", what=entry.what, at=at))
        names = [entry.command.channel, *(n for n in router.transports if n != entry.command.channel)]
        for name in names:
            transport = router.transports.get(name)
            if transport is None or not transport.reaches(person):
                continue
            try:
                await transport.deliver(person.id, message)
                return
            except (TransientError, PermanentError) as exc:
                log.warning("inbox: could not tell %s by %s that %s was not taken: %s", person.id, name,
                            entry.event_key, exc)
        log.error("inbox: nobody could tell %s that %s was not taken", person.id, entry.event_key)


    def _ensure_loop(self) -> None:
        if self._stopped or not self._pending:
            return
        if self._loop is None or self._loop.done():
            self._loop = asyncio.create_task(self._retry_loop())

    async def _retry_loop(self) -> None:
        pause = self.retry_first
        while self._pending and not self._stopped:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), pause)
            if self._stopped:
                return
            settled = await self.retry()
            pause = self.retry_first if settled else min(pause * 2, self.retry_max)

    def _spawn(self, work: Callable[[], Awaitable[None]]) -> None:
        if self._stopped:
            return  # a stopped inbox leaves what it kept to the next start
        task = asyncio.ensure_future(work())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _what_of(command: InboundCommand) -> str:
    return getattr(command, "text", "") or getattr(command, "value", "") or ""


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= WHAT_LENGTH else line[:WHAT_LENGTH - 1] + "…"


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("inbox: a webhook's write ended late and failed: %s", type(task.exception()).__name__)
