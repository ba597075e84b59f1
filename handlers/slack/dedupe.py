"""Whether a message the outbox is about to post to Slack is there already.

Every post carries message metadata naming its outbox row and, for a message split in
several posts, the part: `{"event_type": "crisisbot_outbox", "event_payload": {"row": 42,
"part": 0}}` (https://api.slack.com/metadata/using; chat.postMessage `metadata`). Slack
keeps it with the message and returns it from conversations.history / .replies when asked
with `include_all_metadata=true`; chat.update leaves it as it is when given none.

Before posting a row whose earlier attempt may have landed (bot/outbox.py
`Attempt.maybe_landed`: its sender died holding the lease, or a call got no answer), the
transport reads the conversation back from the row's creation time (`oldest`, minus a
margin for the clocks' difference; the thread with conversations.replies for a post in
the announcement's thread) and takes the ts of what is there instead of posting again.
One read covers every row of that conversation for a few seconds (after a crash, the
channel's rows are checked with one call, not one each); a post to the conversation by
this process makes it stale only for that row and part (its answer may be lost). Both
methods are Tier 3 for an app of the workspace (50+ calls a minute,
https://api.slack.com/methods/conversations.history): a 429 is retried by the outbox
like any other, still as a row that may have landed.

What cannot be checked is posted (at least once): a token without `channels:history` /
`groups:history` / `im:history`, a conversation with more than `MAX_PAGES` pages of
messages since the row was created."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox import Attempt, TransientError, current_attempt
from handlers.slack.errors import as_delivery_error, slack_error_code

log = logging.getLogger(__name__)

EVENT_TYPE = "crisisbot_outbox"
CLOCK_MARGIN = timedelta(minutes=2)
"""Read from this long before the row's creation: Slack's ts come from Slack's clock."""
PAGE = 200  # messages per call (Slack recommends at most 200)
MAX_PAGES = 25
FRESH_SECONDS = 10.0
"""How long one read of a conversation answers for other rows (seconds)."""


def tag(row: int, part: int = 0) -> dict[str, Any]:
    """The message metadata of part `part` (from 0) of outbox row `row`."""
    return {"event_type": EVENT_TYPE, "event_payload": {"row": row, "part": part}}


def _tagged(message: dict[str, Any]) -> tuple[int, int] | None:
    """(row, part) of a message posted for an outbox row; None for any other message."""
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != EVENT_TYPE:
        return None
    payload = metadata.get("event_payload")
    if not isinstance(payload, dict):
        return None
    try:
        return int(payload["row"]), int(payload.get("part", 0))
    except (KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Found:
    """A message already in Slack for a (row, part): where it is and what it shows."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]


@dataclass
class _Read:
    oldest: float  # seconds since the epoch
    at: float  # time.monotonic() of the read
    found: dict[tuple[int, int], Found] = field(default_factory=dict)
    posted_since: set[tuple[int, int]] = field(default_factory=set)  # (row, part) this process posted after it


class PostedMessages:
    """Looks for what was posted for outbox rows. `to_real`: the bot's clock moment ->
    the wall-clock moment (bot/clock.py), for `oldest`."""

    def __init__(self, client: AsyncWebClient, to_real: Callable[[datetime], datetime]) -> None:
        self.client = client
        self.to_real = to_real
        self._reads: dict[tuple[str, str | None], _Read] = {}
        self._warned: set[str] = set()

    def posted(self, channel: str, part: int = 0) -> None:
        """This process posts part `part` of the row being delivered (`current_attempt`) to
        `channel`: what was read of it is stale for that part only. Any other part was last
        tried before the read (or by a dead process), so the read still answers for it:
        after a crash a conversation's rows cost one read, not one per post (a read per
        post ran into the Tier 3 limit, and the 429 held the person's later rows for a
        minute, bench/reliability_kill.py)."""
        attempt = current_attempt.get()
        for key in [k for k in self._reads if k[0] == channel]:
            if attempt is None:
                del self._reads[key]
            else:
                self._reads[key].posted_since.add((attempt.row, part))

    async def find(self, channel: str, thread_ts: str | None, attempt: Attempt, part: int) -> Found | None:
        """The message posted for part `part` of the attempt's row in the conversation
        (the thread `thread_ts`), or None. Raises TransientError when Slack cannot answer
        now (429, 5xx, connection): the row is retried, still to be checked."""
        oldest = 0.0
        if attempt.created_at is not None:
            oldest = max((self.to_real(attempt.created_at) - CLOCK_MARGIN).timestamp(), 0.0)
        key = (channel, thread_ts)
        read = self._reads.get(key)
        if (read is None or read.oldest > oldest or time.monotonic() - read.at > FRESH_SECONDS
                or (attempt.row, part) in read.posted_since):
            read = await self._read(channel, thread_ts, oldest)
            if read is None:
                return None
            self._reads[key] = read
        return read.found.get((attempt.row, part))

    async def _read(self, channel: str, thread_ts: str | None, oldest: float) -> _Read | None:
        """Every tagged message of the conversation since `oldest`; None when it cannot be
        read (a missing scope, too many messages): the row is then posted."""
        read = _Read(oldest, time.monotonic())
        cursor: str | None = None
        try:
            for _ in range(MAX_PAGES):
                args: dict[str, Any] = {"channel": channel, "oldest": f"{oldest:.6f}", "limit": PAGE,
                                        "include_all_metadata": True, "cursor": cursor}
                if thread_ts:
                    response = await self.client.conversations_replies(ts=thread_ts, **args)
                else:
                    response = await self.client.conversations_history(**args)
                for message in response.get("messages") or []:
                    tagged = _tagged(message)
                    if tagged is not None and tagged not in read.found:
                        read.found[tagged] = Found(channel, str(message.get("ts")), str(message.get("text") or ""),
                                                   list(message.get("blocks") or []))
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not response.get("has_more") or not cursor:
                    return read
        except SlackApiError as exc:
            error = as_delivery_error(exc)
            if isinstance(error, TransientError):
                raise TransientError(str(error), error.retry_after, maybe_sent=True) from exc
            self._warn(channel, f"Slack refused reading it back ({slack_error_code(exc)})")
            return None
        self._warn(channel, f"more than {MAX_PAGES * PAGE} messages since the row was written")
        return None

    def _warn(self, channel: str, why: str) -> None:
        level = logging.INFO if channel in self._warned else logging.WARNING
        self._warned.add(channel)
        log.log(level, "Slack: cannot check whether a message already reached %s: %s; posting it (it may show twice)",
                channel, why)
