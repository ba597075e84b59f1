"""Whether the bot is in the crisis channel (SLACK_CRISIS_CHANNEL).

A bot that was never invited gets `not_in_channel` for a public channel and
`channel_not_found` for a private one it cannot see (https://api.slack.com/methods/chat.postMessage#errors):
then the announcement, the closing and the report would reach nobody. Checked at start-up
(conversations.info → `is_member`; a public channel is joined with conversations.join
when the app has `channels:join`), again when Slack refuses a post for that reason, when
Slack says the bot joined (`member_joined_channel`) or left, and at most every
RECHECK_SECONDS while the group is relayed. While the bot is not a member the transport
relays the group's messages by direct message (`SlackTransport.group_mode`)."""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox import TransientError
from handlers.slack.errors import CONNECTION_ERRORS, as_delivery_error, slack_error_code

log = logging.getLogger(__name__)

NOT_IN_CHANNEL = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
"""What Slack answers a post to a channel the bot is not in (public / private it cannot see),
or to one that was archived (https://api.slack.com/methods/chat.postMessage#errors): the
group is relayed by DM in every case."""
RECHECK_SECONDS = 60.0


class CrisisChannel:
    def __init__(self, client: AsyncWebClient, channel: str | None) -> None:
        self.client = client
        self.id = channel
        # True: a member; False: not (the group is relayed by DM); None: not known (posts are
        # tried, and a refusal says it).
        self.member: bool | None = None
        self.name: str | None = None  # the channel's name, once Slack said it
        self.archived = False  # Slack said the channel is archived: no invitation helps
        self._checked_at = 0.0
        self._warned = False

    @property
    def label(self) -> str:
        """How people know the channel: #name when known, else its id."""
        return f"#{self.name}" if self.name else str(self.id)

    @property
    def relayed(self) -> bool:
        """The group's messages go by DM: no channel, or the bot is known not to be in it."""
        return self.id is None or self.member is False

    async def check(self) -> bool | None:
        """Ask Slack whether the bot is in the channel, and join it if it is public and the
        app may. Never raises: a failure leaves the state as it was and is logged."""
        if self.id is None:
            return None
        self._checked_at = time.monotonic()
        try:
            response = await self.client.conversations_info(channel=self.id)
        except SlackApiError as exc:
            code = slack_error_code(exc)
            if code in NOT_IN_CHANNEL:
                self._not_member(code, private=True)
            elif isinstance(as_delivery_error(exc), TransientError):  # 429, 5xx: a refused post will say it
                log.warning("Slack: could not check the bot is in %s now (%s)", self.id, as_delivery_error(exc))
            else:
                log.warning("Slack: cannot tell whether the bot is in %s (conversations.info: %s); add the scopes "
                            "channels:read and groups:read to the app", self.id, code or exc.response.status_code)
            return self.member
        except CONNECTION_ERRORS as exc:
            log.warning("Slack: conversations.info for %s failed: %s", self.id, type(exc).__name__)
            return self.member
        channel = response.get("channel") or {}
        self.name = channel.get("name") or self.name
        if channel.get("is_archived"):
            self._not_member("is_archived", private=bool(channel.get("is_private")))
            return False
        if channel.get("is_member"):
            self.joined()
            return True
        if channel.get("is_private"):
            self._not_member("not_in_channel", private=True)
            return False
        try:
            await self.client.conversations_join(channel=self.id)
        except SlackApiError as exc:
            self._not_member(slack_error_code(exc), private=False)
            return False
        except CONNECTION_ERRORS as exc:
            log.warning("Slack: conversations.join %s failed: %s", self.id, type(exc).__name__)
            return self.member
        log.info("Slack: joined the crisis channel %s", self.id)
        self.joined()
        return True

    async def recheck_if_due(self) -> None:
        """While relaying, look again now and then (an invitation may have gone unnoticed)."""
        if self.member is False and time.monotonic() - self._checked_at >= RECHECK_SECONDS:
            await self.check()

    def joined(self) -> None:
        if self.member is False:
            log.warning("Slack: the bot is in the crisis channel %s now; group messages are posted there again", self.id)
        self.member, self._warned, self.archived = True, False, False

    def lost(self, code: str) -> None:
        """A post was refused because the bot is not in the channel (or cannot see it)."""
        self._not_member(code, private=code == "channel_not_found")

    @property
    def declarer_key(self) -> str:
        """The text that tells the declarer why the group goes by DM."""
        return "slack.channel_archived" if self.archived else "slack.not_in_channel"

    def _not_member(self, code: str, private: bool) -> None:
        self.member = False
        self._checked_at = time.monotonic()
        self.archived = code == "is_archived"
        if self._warned:
            return
        self._warned = True
        how = ("unarchive it, or set SLACK_CRISIS_CHANNEL to another channel" if self.archived else
               "invite it: /invite @crisisbot in the channel" if private else
               "invite it (/invite @crisisbot in the channel) or add the scope channels:join so that it joins by itself")
        log.warning("Slack: the bot is not in the crisis channel %s (%s): %s. Meanwhile the group's messages go "
                    "to every Slack person by direct message.", self.id, code, how)
