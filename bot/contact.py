"""The watcher that makes «undeliverable» a human's business (issue 9, finding 9).

After each outbox drain (the sender calls `poke`) and on a periodic tick it folds the open
crisis's deliveries (flows/contact.py) and, for each person nobody can reach, submits
`ContactLost` through `CrisisService.handle`; for each person reported so who has been
reached since (or wrote), `ContactRestored`. The event key names the crisis, the person and
how many times they were reported before, so a loss is reported once even across replicas
and restarts (`processed_events`), and a new loss after a recovery is a new report."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from bot.outbox import Transport
from bot.service import CrisisService
from flows.commands import ContactLost, ContactRestored
from flows.contact import NO_CHANNEL, DeliveryBoard, PersonContact, Reason
from flows.crisis import Crisis
from flows.directory import Person
from persistence import cases as case_queries
from persistence import repository as repo
from persistence.database import reading

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0
"""How often the watcher looks without being poked: a message still undelivered after
`contact_after` is found within a minute of it."""
JOB = "contact-watch"


class ContactWatcher:
    def __init__(self, service: CrisisService, transports: Mapping[str, Transport]) -> None:
        self.service = service
        self.transports = dict(transports)
        self._task: asyncio.Task[int] | None = None
        self._again = False
        # Without a chat transport (a dashboard-only process) every message would look
        # undeliverable here: the process that delivers does the watching.
        self._stopped = not self.transports

    def start(self, scheduler: AsyncIOScheduler, every: float = TICK_SECONDS) -> None:
        if self._stopped:
            return
        scheduler.add_job(self._tick, IntervalTrigger(seconds=every), id=JOB, replace_existing=True,
                          coalesce=True, max_instances=1)
        self.poke()  # what a crash or the time down left: a message pending for too long

    async def _tick(self) -> None:
        self.poke()

    async def stop(self) -> None:
        self._stopped = True
        if self._task is not None and not self._task.done():
            await self._task

    def poke(self) -> None:
        """Look again, in the background (the outbox calls it after each drain)."""
        if self._stopped:
            return
        if self._task is not None and not self._task.done():
            self._again = True  # one more look when the current one ends
            return
        self._task = asyncio.create_task(self._run())

    async def settle(self) -> None:
        """Wait for the look under way, if any (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await self._task

    async def _run(self) -> int:
        found = 0
        while True:
            self._again = False
            try:
                found += await self.check()
            except SQLAlchemyError as exc:  # a locked or unreachable database: the tick looks again
                log.warning("contact watcher: %s; trying again in %s s", type(exc).__name__, TICK_SECONDS)
                return found
            if not self._again or self._stopped:
                return found

    async def check(self) -> int:
        """Report new losses and recoveries in the open crisis and in the open cases with a
        message not delivered (a case handed to someone no channel reaches: issue 12 review);
        returns how many commands were submitted (0 when a replica already submitted them)."""
        now = self.service.clock.now()
        boards: list[tuple[Crisis, DeliveryBoard]] = []
        async with reading(self.service.db) as conn:
            crisis_id = await repo.open_crisis_id(conn, self.service.playbook.id)
            troubled = await case_queries.cases_with_delivery_trouble(conn, now - self._contact_after())
            for watched in ([crisis_id] if crisis_id else []) + troubled:
                crisis = await repo.load_crisis(conn, watched)
                if crisis is not None:
                    boards.append((crisis, await repo.delivery_board(conn, crisis, now)))
        submitted = 0
        for crisis, board in boards:
            submitted += await self._report(crisis, board)
        return submitted

    def _contact_after(self) -> timedelta:
        """The shortest `policy.contact_after` of the running playbooks: no message younger
        than that can make anybody «sin contacto» (a case on an older frozen copy of its
        playbook is judged on this one's threshold for whether to look at all)."""
        return min(pb.policy.contact_after for pb in [self.service.playbook, *self.service.cases.values()])

    async def _report(self, crisis: Crisis, board: DeliveryBoard) -> int:
        submitted = 0
        for contact in board.to_report():
            person = self.service.directory.get(contact.person)
            if person is None:
                continue
            reasons = self.reasons(person, contact, board.now, board.after)
            key = f"contact:{crisis.id}:{person.id}" + (f":{contact.episodes}" if contact.episodes else "")
            log.warning("nobody can reach %s in crisis %s", person.id, crisis.id)
            outcome = await self.service.handle(ContactLost(crisis.id, person.id, reasons, tuple(board.lost())),
                                             event_key=key)
            submitted += outcome is not None
        for contact in board.to_restore():
            key = f"contact-back:{crisis.id}:{contact.person}:{contact.episodes}"
            command = ContactRestored(crisis.id, contact.person, contact.ok_how, contact.ok_via)
            submitted += await self.service.handle(command, event_key=key) is not None
        return submitted

    def reasons(self, person: Person, contact: PersonContact, now: datetime, after: timedelta) -> tuple[Reason, ...]:
        """What failed, then the channels that do not reach them at all («sin Slack»)."""
        found = list(contact.reasons(now, after))
        tried = {r.via for r in found}
        for name, transport in self.transports.items():
            if name not in tried and name != NO_CHANNEL and not transport.reaches(person):
                found.append(Reason(name, "none"))
        return tuple(found)
