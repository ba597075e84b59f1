"""Directory people and Slack user ids, both ways, resolved once at start-up (the id in the
directory, else the e-mail through users.lookupByEmail) and kept in memory: an alert never
waits for a lookup. The direct-message channel of each person is cached too."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from flows.directory import Directory, Person
from bot.outbox import TransientError
from handlers.slack.errors import CONNECTION_ERRORS, as_delivery_error, slack_error_code

log = logging.getLogger(__name__)


class SlackPeople:
    def __init__(self) -> None:
        self._user_of: dict[str, str] = {}  # person id -> Slack user id
        self._person_of: dict[str, str] = {}  # Slack user id -> person id
        self._im: dict[str, str] = {}  # Slack user id -> direct-message channel id
        self._im_locks: dict[str, asyncio.Lock] = {}
        self.unresolved: list[str] = []

    def user_of(self, person_id: str) -> str | None:
        return self._user_of.get(person_id)

    def person_of(self, user_id: str) -> str | None:
        return self._person_of.get(user_id)

    def reaches(self, person: Person) -> bool:
        return person.id in self._user_of

    def _bind(self, person_id: str, user_id: str) -> None:
        self._user_of[person_id] = user_id
        self._person_of[user_id] = person_id

    async def resolve(self, client: AsyncWebClient, directory: Directory, concurrency: int = 8) -> None:
        """Map everyone of the directory; people Slack does not know stay unresolved
        (other transports may reach them)."""
        semaphore = asyncio.Semaphore(concurrency)

        async def one(person: Person) -> None:
            if person.slack_id:
                self._bind(person.id, person.slack_id)
                return
            if not person.email:
                self.unresolved.append(person.id)
                return
            async with semaphore:
                try:
                    response = await client.users_lookupByEmail(email=person.email)
                except SlackApiError as exc:
                    code = slack_error_code(exc)
                    level = logging.INFO if code == "users_not_found" else logging.WARNING
                    log.log(level, "Slack: no user for %s (%s)", person.id, code or exc.response.status_code)
                    self.unresolved.append(person.id)
                    return
                except CONNECTION_ERRORS as exc:  # after the retries: the others still resolve
                    log.warning("Slack: could not look up %s: %s", person.id, type(exc).__name__)
                    self.unresolved.append(person.id)
                    return
            user = response.get("user") or {}
            if user.get("id") and not user.get("deleted") and not user.get("is_bot"):
                self._bind(person.id, str(user["id"]))
            else:
                self.unresolved.append(person.id)

        self.unresolved = []
        await asyncio.gather(*(one(p) for p in directory.people))
        log.info("Slack: %s of %s people resolved", len(self._user_of), len(directory.people))

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
