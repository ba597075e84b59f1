"""After a crash, the rows a dead sender held «may have landed»: each is looked up in Slack
before being posted (handlers/slack/dedupe.py). Delivering them must not cost one
conversations.history call per row: the method is Tier 3 (50 calls a minute,
https://api.slack.com/methods/conversations.history), and a 429 there sends the row, and
every later row of its person, to a retry a minute away (issue 10: 37 rows still pending
60 s after a kill -9, in silence)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.outbox import Attempt, current_attempt
from bot.runtime import Runtime
from flows.clock import ManualClock
from flows.commands import Say
from handlers.slack.dedupe import PostedMessages, tag
from tests.chat.test_outbox_recovery import Refusing
from tests.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.support import START, settings_for

CHANNEL = "C0CRISIS"
ROWS = 60  # two parts each: more posts than a minute's worth of Tier 3 calls
PARTS = 2


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


async def _post(client: AsyncWebClient, row: int, part: int) -> str:
    response = await client.chat_postMessage(channel=CHANNEL, text=f"row {row} part {part}", metadata=tag(row, part))
    return str(response["ts"])


async def _deliver(client: AsyncWebClient, posted: PostedMessages, row: int, parts: int = PARTS) -> list[str]:
    """What the Slack transport does for the parts of a row whose earlier attempt may have
    landed (handlers/slack/transport.py `_post`): take what is there, or post it."""
    attempt = Attempt(row, datetime.now(UTC), maybe_landed=True)
    token = current_attempt.set(attempt)
    try:
        got = []
        for part in range(parts):
            found = await posted.find(CHANNEL, None, attempt, part)
            if found is None:
                posted.posted(CHANNEL, part)
            got.append(found.ts if found is not None else await _post(client, row, part))
        return got
    finally:
        current_attempt.reset(token)


async def test_the_rows_a_dead_sender_left_are_checked_without_one_read_per_row(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
    # The dead sender got every other row into Slack before it was killed.
    landed = {row: [await _post(client, row, part) for part in range(PARTS)] for row in range(1, ROWS + 1, 2)}
    posted = PostedMessages(client, lambda moment: moment)

    got = {row: await _deliver(client, posted, row) for row in range(1, ROWS + 1)}  # raises on a 429

    assert all(got[row] == ts for row, ts in landed.items())  # none posted twice
    with fake.lock:
        posts = [c for c in fake.calls if c.method == "chat.postMessage" and c.status == 200]
    assert len(posts) == ROWS * PARTS
    reads = _history_calls(fake)
    assert 429 not in reads
    assert len(reads) <= 2  # one read answers for the whole conversation


async def test_a_row_this_process_posted_without_an_answer_is_read_again(fake: FakeSlack) -> None:
    """The read of a conversation must not hide a post of this process made after it: a
    row whose own post got no answer is looked for again, not posted twice."""
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
    posted = PostedMessages(client, lambda moment: moment)
    await _deliver(client, posted, 1, parts=1)  # reads the conversation, posts row 1
    # Row 2 is posted by this process, but the answer is lost (a timeout): the outbox retries
    # it as «may have landed».
    attempt = Attempt(2, datetime.now(UTC), maybe_landed=False)
    token = current_attempt.set(attempt)
    try:
        posted.posted(CHANNEL, 0)
        await _post(client, 2, 0)
    finally:
        current_attempt.reset(token)

    ts = await _deliver(client, posted, 2, parts=1)

    with fake.lock:
        rows = [c.args.get("text") for c in fake.calls if c.method == "chat.postMessage" and c.status == 200]
    assert rows.count("row 2 part 0") == 1
    assert ts


async def test_a_retry_that_holds_a_person_back_is_said_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """A 429 whose Retry-After holds the row (and the person's later rows) for most of a
    minute is a warning in the log, not silence."""
    platform = Refusing({"jaime"}, retry_after=45)
    rt = await Runtime.build(settings_for(tmp_path), transports={"test": platform}, clock=ManualClock(START))
    await rt.start()
    try:
        with caplog.at_level(logging.INFO, logger="bot.outbox"):
            await rt.service.handle(Say("jaime", "estado", "test"))
            await rt.outbox.drain()
    finally:
        await rt.stop()
    said = [r for r in caplog.records if r.name == "bot.outbox" and "retrying in 45 s" in r.getMessage()]
    assert said and said[0].levelno == logging.WARNING
    assert "503 service_unavailable" in said[0].getMessage()
