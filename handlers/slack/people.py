"""Directory people and Slack user ids, both ways, kept in memory: an alert never waits for
a lookup. Resolved at start-up (the id in the directory, else the e-mail through
users.lookupByEmail); people whose lookup failed for a passing reason (429, 5xx, no
connection) are looked up again in the background with backoff, honouring Retry-After
(`retry_loop`), and anybody who writes to the bot before that is recognised by their
Slack profile's e-mail (users.info, `identify`). A person Slack does not know
(`users_not_found`) is not looked up again. The direct-message channel of each person is
cached too."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox import TransientError
from flows.directory import Directory, Person
from handlers.slack.errors import CONNECTION_ERRORS, as_delivery_error, slack_error_code

log = logging.getLogger(__name__)

RETRY_FIRST = 5.0  # seconds before the first background retry (Slack's Retry-After if longer)
RETRY_MAX = 300.0  # longest wait between two background retries, seconds
STRANGER_SECONDS = 600.0  # how long a Slack user found not to be in the directory is not asked about again

Sleep = Callable[[float], Awaitable[None]]


class SlackPeople:
    def __init__(self, sleep: Sleep = asyncio.sleep) -> None:
        self._user_of: dict[str, str] = {}  # person id -> Slack user id
        self._person_of: dict[str, str] = {}  # Slack user id -> person id
        self._im: dict[str, str] = {}  # Slack user id -> direct-message channel id
        self._im_locks: dict[str, asyncio.Lock] = {}
        self._strangers: dict[str, float] = {}  # Slack user id -> when found not in the directory (monotonic)
        self.unresolved: list[str] = []  # person ids without a Slack user (for now or for good)
        self.retrying: set[str] = set()  # of those, the ones whose lookup failed for a passing reason
        self.retry_after: float | None = None  # the longest Retry-After Slack gave the last round, seconds
        self.next_retry_at: float | None = None  # monotonic time of the next background round
        self.undetermined: set[str] = set()  # Slack user ids whose users.info failed last time (429, 5xx...)
        self.sleep = sleep  # injectable: tests do not wait for real
        self.latest: Directory | None = None  # the directory in use, once reloaded (bot/reload.py)

    def user_of(self, person_id: str) -> str | None:
        return self._user_of.get(person_id)

    def person_of(self, user_id: str) -> str | None:
        return self._person_of.get(user_id)

    def reaches(self, person: Person) -> bool:
        """A person is reached on Slack once resolved, and also while their lookup is being
        retried: their messages wait in the outbox (TransientError) instead of being lost."""
        return person.id in self._user_of or person.id in self.retrying

    def _bind(self, person_id: str, user_id: str) -> None:
        self._user_of[person_id] = user_id
        self._person_of[user_id] = person_id
        self.retrying.discard(person_id)
        if person_id in self.unresolved:
            self.unresolved.remove(person_id)

    def _unresolved(self, person_id: str, retry: bool) -> None:
        if person_id not in self.unresolved:
            self.unresolved.append(person_id)
        if retry:
            self.retrying.add(person_id)
        else:
            self.retrying.discard(person_id)

    async def resolve(self, client: AsyncWebClient, directory: Directory, concurrency: int = 8) -> None:
        """Map everyone of the directory; people Slack does not know stay unresolved
        (other transports may reach them), those it failed to answer for are retried."""
        self.unresolved, self.retrying = [], set()
        await self._look_up(client, directory.people, concurrency)
        log.info("Slack: %s of %s people resolved", len(self._user_of), len(directory.people))
        if self.retrying:
            log.warning("Slack: %s people not looked up yet (Slack did not answer); retrying in the background",
                        len(self.retrying))

    async def _look_up(self, client: AsyncWebClient, people: list[Person], concurrency: int) -> None:
        semaphore = asyncio.Semaphore(concurrency)
        self.retry_after = None

        async def one(person: Person) -> None:
            if person.slack_id:
                self._bind(person.id, person.slack_id)
                return
            if not person.email:
                self._unresolved(person.id, retry=False)
                return
            async with semaphore:
                try:
                    response = await client.users_lookupByEmail(email=person.email)
                except (SlackApiError, *CONNECTION_ERRORS) as exc:
                    self._failed(person, exc)
                    return
            user = response.get("user") or {}
            if user.get("id") and not user.get("deleted") and not user.get("is_bot"):
                self._bind(person.id, str(user["id"]))
            else:
                self._unresolved(person.id, retry=False)

        await asyncio.gather(*(one(p) for p in people))

    def _failed(self, person: Person, exc: Exception) -> None:
        """What the retry handlers gave up on (429, 5xx, connection) is tried again later;
        an answer such as users_not_found is final."""
        error = as_delivery_error(exc)
        if isinstance(error, TransientError):
            if error.retry_after is not None:
                self.retry_after = max(self.retry_after or 0.0, error.retry_after)
            log.warning("Slack: could not look up %s yet: %s", person.id, error)
            self._unresolved(person.id, retry=True)
            return
        code = slack_error_code(exc) if isinstance(exc, SlackApiError) else ""
        log.log(logging.INFO if code == "users_not_found" else logging.WARNING, "Slack: no user for %s (%s)",
                person.id, code or error)
        self._unresolved(person.id, retry=False)

    def retry_delay(self, attempt: int) -> float:
        """Seconds before background round `attempt` (0, 1...): doubling from RETRY_FIRST up
        to RETRY_MAX, never sooner than Slack's Retry-After."""
        backoff = min(RETRY_FIRST * 2 ** attempt, RETRY_MAX)
        return float(max(backoff, self.retry_after or 0.0))

    async def retry_loop(self, client: AsyncWebClient, directory: Directory) -> None:
        """Look up again, with backoff, the people Slack did not answer for, until none is
        left (run as a background task from start-up; cancelled at shutdown)."""
        attempt = 0
        while self.retrying:
            delay = self.retry_delay(attempt)
            self.next_retry_at = time.monotonic() + delay
            await self.sleep(delay)
            pending = [p for p in (self.latest or directory).people if p.id in self.retrying]
            await self._look_up(client, pending, 8)
            attempt += 1
            found = [p.id for p in pending if p.id in self._user_of]
            if found:
                log.info("Slack: looked up %s later: %s", len(found), ", ".join(found))
        self.next_retry_at = None

    def seconds_to_retry(self) -> float:
        """When a message to a person still being looked up is worth trying again."""
        if self.next_retry_at is None:
            return RETRY_FIRST
        return max(1.0, self.next_retry_at - time.monotonic() + 1.0)

    async def identify(self, client: AsyncWebClient, directory: Directory, user_id: str) -> str | None:
        """The person behind a Slack user id; one not known yet is recognised by the e-mail
        of their Slack profile (users.info, scope users:read.email) when it is a directory
        person's who has no Slack user yet. None for somebody not in the directory (or when
        Slack cannot tell now: they may write again)."""
        known = self._person_of.get(user_id)
        if known is not None or not user_id:
            return known
        seen = self._strangers.get(user_id)
        if seen is not None and time.monotonic() - seen < STRANGER_SECONDS:
            return None
        try:
            response = await client.users_info(user=user_id)
        except (SlackApiError, *CONNECTION_ERRORS) as exc:
            log.warning("Slack: users.info for %s failed: %s", user_id,
                        slack_error_code(exc) if isinstance(exc, SlackApiError) else type(exc).__name__)
            if self.retrying:  # one of the people still being looked up, maybe: not «not in the directory»
                self.undetermined.add(user_id)
            return None
        self.undetermined.discard(user_id)
        user = response.get("user") or {}
        email = str((user.get("profile") or {}).get("email") or "").strip().lower()
        person = next((p for p in directory.people if email and p.email and p.email.strip().lower() == email
                       and not p.slack_id and p.id not in self._user_of), None)
        if person is None or user.get("deleted") or user.get("is_bot"):
            self._strangers[user_id] = time.monotonic()
            return None
        self._bind(person.id, user_id)
        log.info("Slack: %s recognised by their profile's e-mail on first contact", person.id)
        return person.id

    async def im_channel(self, client: AsyncWebClient, user_id: str) -> str:
        """The bot's direct-message channel with the user (conversations.open, once)."""
        channel = self._im.get(user_id)
        if channel is not None:
            return channel
        lock = self._im_locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            channel = self._im.get(user_id)
            if channel is None:
                try:
                    response = await client.conversations_open(users=user_id)
                    channel = str((response.get("channel") or {})["id"])
                except SlackApiError as exc:
                    if isinstance(as_delivery_error(exc), TransientError):
                        raise
                    # chat.postMessage also takes a user id for the bot's DM with them (its
                    # answer names the DM channel, which is what chat.update needs later)
                    log.warning("Slack: conversations.open refused (%s); posting to %s directly",
                                slack_error_code(exc), user_id)
                    channel = user_id
                self._im[user_id] = channel
        return channel

    def remember_im(self, user_id: str, channel: str) -> None:
        """A direct message arrived from the user: that is their channel with the bot."""
        self._im.setdefault(user_id, channel)

    async def refresh(self, client: AsyncWebClient, old: Directory, new: Directory) -> None:
        """A reloaded directory (bot/reload.py): people who left are forgotten, new people
        and people whose slack_id or e-mail changed are looked up (and their direct channel
        opened); the others keep what they had."""
        self.latest = new
        before = old.by_id
        for person_id in set(before) - set(new.by_id):
            self._forget(person_id)
        changed = [p for p in new.people if p.id not in before
                   or (before[p.id].slack_id, before[p.id].email) != (p.slack_id, p.email)]
        for person in changed:
            self._forget(person.id)
        await self._look_up(client, changed, 8)
        await self.open_all(client)
        log.info("Slack: directory reloaded, %s people looked up again", len(changed))

    def _forget(self, person_id: str) -> None:
        user_id = self._user_of.pop(person_id, None)
        if user_id is not None:
            self._person_of.pop(user_id, None)
        self.retrying.discard(person_id)
        if person_id in self.unresolved:
            self.unresolved.remove(person_id)

    async def open_all(self, client: AsyncWebClient, concurrency: int = 8) -> None:
        """Open everyone's direct-message channel ahead of time, so that an alert costs one
        call per card. Failures are left for the first delivery to retry."""
        semaphore = asyncio.Semaphore(concurrency)

        async def one(user_id: str) -> None:
            async with semaphore:
                try:
                    await self.im_channel(client, user_id)
                except (SlackApiError, *CONNECTION_ERRORS) as exc:  # left for the first delivery (the outbox retries)
                    log.info("Slack: direct channel with %s not opened yet: %s", user_id, type(exc).__name__)

        await asyncio.gather(*(one(u) for u in list(self._user_of.values())))
