"""After a crash, the rows a dead sender held «may have landed»: each is looked up in Slack
before being posted (handlers/slack/dedupe.py). Delivering them must not cost one
conversations.history call per row: the method is Tier 3 (50 calls a minute,
https://api.slack.com/methods/conversations.history), and a 429 there sends the row, and
every later row of its person, to a retry a minute away (issue 10: 37 rows still pending
60 s after a kill -9, in silence)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox import Attempt, current_attempt
from handlers.slack.dedupe import PostedMessages, tag
from tests.slack.fake_slack import BOT_TOKEN, FakeSlack

CHANNEL = "C0CRISIS"
ROWS = 80  # more than a minute's worth of Tier 3 calls


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack().start()
    slack.add_channel(CHANNEL, "crisis")
    try:
        yield slack
    finally:
        slack.stop()


def _history_calls(fake: FakeSlack) -> list[int]:
    with fake.lock:
        return [call.status for call in fake.calls if call.method == "conversations.history"]


async def _deliver(client: AsyncWebClient, posted: PostedMessages, row: int) -> str:
    """What the Slack transport does for one part of a row whose earlier attempt may have
    landed (handlers/slack/transport.py `_post`): take what is there, or post it."""
    attempt = Attempt(row, datetime.now(UTC), maybe_landed=True)
    token = current_attempt.set(attempt)
    try:
        found = await posted.find(CHANNEL, None, attempt, 0)
        if found is not None:
            return found.ts
        posted.posted(CHANNEL)
        response = await client.chat_postMessage(channel=CHANNEL, text=f"row {row}", metadata=tag(row))
        return str(response["ts"])
    finally:
        current_attempt.reset(token)


async def test_the_rows_a_dead_sender_left_are_checked_without_one_read_per_row(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
    # The dead sender got every other row into Slack before it was killed.
    landed = {row: str((await client.chat_postMessage(channel=CHANNEL, text=f"row {row}", metadata=tag(row)))["ts"])
              for row in range(1, ROWS + 1, 2)}
    posted = PostedMessages(client, lambda moment: moment)

    got = {row: await _deliver(client, posted, row) for row in range(1, ROWS + 1)}  # raises on a 429

    assert all(got[row] == ts for row, ts in landed.items())  # none posted twice
    with fake.lock:
        posts = [c for c in fake.calls if c.method == "chat.postMessage" and c.status == 200]
    assert len(posts) == ROWS
    reads = _history_calls(fake)
    assert 429 not in reads
    assert len(reads) <= 2  # one read answers for the whole conversation


async def test_a_row_this_process_posted_without_an_answer_is_read_again(fake: FakeSlack) -> None:
    """The read of a conversation must not hide a post of this process made after it: a
    row whose own post got no answer is looked for again, not posted twice."""
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
    posted = PostedMessages(client, lambda moment: moment)
    await _deliver(client, posted, 1)  # reads the conversation, posts row 1
    # Row 2 is posted by this process, but the answer is lost (a timeout): the outbox retries
    # it as «may have landed».
    attempt = Attempt(2, datetime.now(UTC), maybe_landed=False)
    token = current_attempt.set(attempt)
    try:
        posted.posted(CHANNEL)
        await client.chat_postMessage(channel=CHANNEL, text="row 2", metadata=tag(2))
    finally:
        current_attempt.reset(token)

    ts = await _deliver(client, posted, 2)

    with fake.lock:
        rows = [c.args.get("text") for c in fake.calls if c.method == "chat.postMessage" and c.status == 200]
    assert rows.count("row 2") == 1
    assert ts
