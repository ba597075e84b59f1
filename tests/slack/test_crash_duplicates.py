"""A crash sends nothing twice to Slack. A process that handed a message to Slack and died
before recording it leaves a row leased by a dead process; the bot started again reads
the conversation back (the message's metadata names its outbox row) and records the
message it finds instead of posting it again, so the next update edits it. A row that
truly did not land is posted once; so is a call that got no answer in time."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from bot.outbox import Attempt, PermanentError, current_attempt
from bot.processes import Identity
from bot.routing import Delivery
from bot.runtime import Runtime
from flows.messages import GROUP, OutMessage
from persistence import repository as repo
from persistence import tables as T
from persistence.database import reading, writing
from tests.slack.fake_slack import FakeSlack, Message
from tests.slack.harness import CHANNEL, Workspace, open_workspace, slack_settings

# Another replica, on another machine, last seen a minute ago: presumed dead (15 s timeout).
DEAD = Identity("id-dead-replica", "elsewhere/pid:[1]", 4242, datetime.now(UTC) - timedelta(hours=1))


@pytest.fixture
def restartable(tmp_path: Path, fake: FakeSlack) -> Iterator[list[tuple[TestClient, Workspace]]]:
    """Workspaces opened on one database, one after the other (`restart`)."""
    opened: list[tuple[TestClient, Workspace]] = []
    yield opened
    for client, _ in opened:
        client.__exit__(None, None, None)


def start(opened: list[tuple[TestClient, Workspace]], tmp_path: Path, fake: FakeSlack) -> Workspace:
    """Start the bot (again): the process before it, if any, is stopped first."""
    if opened:
        client, _ = opened.pop()
        client.__exit__(None, None, None)
    client, workspace = open_workspace(slack_settings(tmp_path, fake), fake)
    opened.append((client, workspace))
    return workspace


async def left_by_dead_process(rt: Runtime, to: str, message: OutMessage, posted: bool) -> int:
    """A row written and leased by DEAD, which handed it to Slack through the transport
    (`posted`) and died before recording the delivery. Returns the row id."""
    now, seen = rt.clock.now(), datetime.now(UTC) - timedelta(minutes=1)
    async with writing(rt.db) as conn:
        crisis_id = await repo.open_crisis_id(conn, rt.playbook.id)
        await repo.enqueue(conn, crisis_id, [Delivery(to, "slack", message)], now)
        row = max(await repo.pending_outbox(conn, now, vias={"slack"}), key=lambda r: r.id)
        await repo.heartbeat_process(conn, DEAD.row("slack", seen), seen)
        assert await repo.lease_outbox(conn, [row], now, now + timedelta(minutes=2), by=DEAD.id)
    if posted:
        token = current_attempt.set(Attempt(row.id, row.created_at, False))
        try:
            await rt.outbox._transports("slack").deliver(to, message)  # type: ignore[union-attr]
        finally:
            current_attempt.reset(token)
    return row.id


def dead_process_left(slack: Workspace, to: str, message: OutMessage, posted: bool = True) -> int:
    assert slack.client.portal is not None
    return slack.client.portal.call(left_by_dead_process, slack.rt, to, message, posted)


def outbox_row(slack: Workspace, row_id: int) -> tuple[object, object]:
    """(delivered_at, external_id) of the row."""
    async def read() -> tuple[object, object]:
        async with reading(slack.rt.db) as conn:
            found = (await conn.execute(select(T.outbox.c.delivered_at, T.outbox.c.external_id)
                                        .where(T.outbox.c.id == row_id))).one()
        return found.delivered_at, found.external_id
    assert slack.client.portal is not None
    return slack.client.portal.call(read)


def tagged(fake: FakeSlack, row_id: int) -> list[Message]:
    """Every message in Slack tagged with the outbox row."""
    with fake.lock:
        return [m for m in fake.messages if m.metadata and m.metadata["event_payload"]["row"] == row_id]


def history_reads(fake: FakeSlack) -> list[dict[str, object]]:
    return [c.args for c in fake.called("conversations.history") + fake.called("conversations.replies")]


def test_a_message_that_reached_slack_before_the_crash_is_not_posted_again_and_its_update_edits_it(
        restartable: list[tuple[TestClient, Workspace]], tmp_path: Path, fake: FakeSlack) -> None:
    slack = start(restartable, tmp_path, fake)
    slack.write("Jaime", "ALERTA ROJA: caída total")
    note = OutMessage("luis", "Reunión de coordinación a las 10:00", ref="note:reunion")
    row = dead_process_left(slack, "luis", note)
    [posted] = slack.got("Luis", "Reunión de coordinación")
    assert posted.metadata == {"event_type": "crisisbot_outbox", "event_payload": {"row": row, "part": 0}}

    for text in ("ok", "voy", "¿a qué hora?", "listo"):  # Luis wrote in the DM meanwhile
        said = Message(posted.channel, fake._next_ts(), text, [])
        with fake.lock:
            fake.messages.append(said)
    fake.history_limit = 2  # two messages a page: the note is pages away
    slack = start(restartable, tmp_path, fake)  # kill -9, started again
    assert [m.ts for m in slack.got("Luis", "Reunión de coordinación")] == [posted.ts]
    delivered_at, external_id = outbox_row(slack, row)
    assert delivered_at is not None and external_id == posted.ts
    reads = history_reads(fake)
    assert len(reads) > 1 and {str(r["channel"]) for r in reads} == {posted.channel}
    assert all(r["include_all_metadata"] in ("1", "true", True) for r in reads)
    assert float(str(reads[0]["oldest"])) <= float(posted.ts)

    # The next message about the same thing edits the original, as for any delivered one.
    assert slack.client.portal is not None
    slack.client.portal.call(enqueue, slack.rt, "luis", OutMessage("luis", "Reunión de coordinación a las 11:00",
                                                                    ref="note:reunion"))
    slack.settle()
    [shown] = slack.got("Luis", "Reunión de coordinación")
    assert shown.ts == posted.ts and "11:00" in shown.shown and shown.updates == 1


async def enqueue(rt: Runtime, to: str, message: OutMessage) -> None:
    async with writing(rt.db) as conn:
        await repo.enqueue(conn, await repo.open_crisis_id(conn, rt.playbook.id), [Delivery(to, "slack", message)],
                           rt.clock.now())


def test_a_message_that_never_reached_slack_is_posted_once_after_the_crash(
        restartable: list[tuple[TestClient, Workspace]], tmp_path: Path, fake: FakeSlack) -> None:
    slack = start(restartable, tmp_path, fake)
    slack.write("Jaime", "ALERTA ROJA")
    row = dead_process_left(slack, "cecilia", OutMessage("cecilia", "Revisa el banner, por favor"), posted=False)
    assert not slack.got("Cecilia", "Revisa el banner")

    slack = start(restartable, tmp_path, fake)
    [posted] = slack.got("Cecilia", "Revisa el banner")
    assert tagged(fake, row) == [posted]
    assert [r["channel"] for r in history_reads(fake)] == [posted.channel]  # looked first, found nothing
    assert outbox_row(slack, row)[1] == posted.ts


def test_a_long_message_cut_short_by_the_crash_gets_only_its_missing_parts(
        restartable: list[tuple[TestClient, Workspace]], tmp_path: Path, fake: FakeSlack) -> None:
    slack = start(restartable, tmp_path, fake)
    slack.write("Jaime", "ALERTA ROJA")
    text = "\n\n".join(f"Párrafo {i}: " + "detalle " * 240 for i in range(14))  # about 27,000 characters
    parts = Counter[str]()

    def second_post_fails(method: str, args: dict[str, object]) -> str | None:
        if method != "chat.postMessage" or "Párrafo" not in str(args.get("text")):
            return None
        parts["posted"] += 1
        return "fatal_error_of_the_dying_process" if parts["posted"] > 1 else None

    fake.refuse = second_post_fails
    with pytest.raises(PermanentError):
        dead_process_left(slack, "valeria", OutMessage("valeria", text))
    fake.refuse = None
    [first] = slack.got("Valeria", "Párrafo 0")

    slack = start(restartable, tmp_path, fake)
    row_parts = [m.metadata["event_payload"]["part"] for m in slack.dms("Valeria") if m.metadata
                 and "Párrafo" in m.text]
    assert len(row_parts) >= 3 and sorted(row_parts) == list(range(len(row_parts)))  # each part once
    assert slack.got("Valeria", "Párrafo 0") == [first]
    assert all(f"Párrafo {i}:" in "".join(m.shown for m in slack.dms("Valeria")) for i in range(14))


def test_a_group_message_in_the_announcement_thread_is_found_there(
        restartable: list[tuple[TestClient, Workspace]], tmp_path: Path, fake: FakeSlack) -> None:
    slack = start(restartable, tmp_path, fake)
    slack.write("Jaime", "ALERTA ROJA")
    announcement = slack.announcement()
    row = dead_process_left(slack, GROUP, OutMessage(GROUP, "Novedad: Entel confirma la falla"))
    [reply] = [m for m in slack.channel() if "Entel confirma" in m.shown]
    assert reply.thread_ts == announcement.ts

    slack = start(restartable, tmp_path, fake)
    assert [m.ts for m in slack.channel() if "Entel confirma" in m.shown] == [reply.ts]
    assert [r.args["ts"] for r in fake.called("conversations.replies")] == [announcement.ts]  # a thread: its replies
    assert not fake.called("conversations.history")
    assert outbox_row(slack, row)[1] == reply.ts


def test_a_call_that_got_no_answer_in_time_is_checked_before_it_is_sent_again(
        restartable: list[tuple[TestClient, Workspace]], tmp_path: Path, fake: FakeSlack) -> None:
    slack = start(restartable, tmp_path, fake)
    slack.write("Jaime", "ALERTA ROJA")
    slack.rt.outbox.delivery_timeout = 0.2  # seconds (90 in production)
    fake.latency = 0.4  # Slack takes the post, but answers after the bot stopped waiting
    slack.dm("Luis", "estado")
    fake.latency = 0.0
    assert slack.client.portal is not None
    slack.client.portal.call(asyncio.sleep, 0.4)  # the post lands meanwhile
    [landed] = slack.got("Luis", "📊 Estado de la crisis")
    slack.advance("1m")  # the retry falls due
    assert slack.got("Luis", "📊 Estado de la crisis") == [landed]
    assert [r["channel"] for r in history_reads(fake)] == [landed.channel]


def test_checks_beyond_the_rate_limit_tier_wait_and_still_send_each_message_once(
        restartable: list[tuple[TestClient, Workspace]], tmp_path: Path, fake: FakeSlack) -> None:
    slack = start(restartable, tmp_path, fake)
    slack.write("Jaime", "ALERTA ROJA")
    fake.tiers["conversations.history"], fake.tier_window = 1, 0.5  # one read per half second
    rows = [dead_process_left(slack, who, OutMessage(who, f"Aviso para {who}"), posted=who == "luis")
            for who in ("luis", "cecilia", "catalina")]

    slack = start(restartable, tmp_path, fake)
    assert any(c.method == "conversations.history" and c.status == 429 for c in fake.calls)
    for name, row in zip(("Luis", "Cecilia", "Catalina"), rows, strict=True):
        assert len(slack.got(name, "Aviso para")) == 1 and len(tagged(fake, row)) == 1


def test_the_fake_reads_conversations_back_as_slack_does(fake: FakeSlack) -> None:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    from tests.slack.fake_slack import BOT_TOKEN

    async def run() -> None:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
        first = await client.chat_postMessage(channel=CHANNEL, text="uno", metadata={
            "event_type": "crisisbot_outbox", "event_payload": {"row": 1}})
        for text in ("dos", "tres", "cuatro"):
            await client.chat_postMessage(channel=CHANNEL, text=text)
        await client.chat_postMessage(channel=CHANNEL, text="en el hilo", thread_ts=first["ts"])
        with pytest.raises(SlackApiError, match="invalid_metadata_format"):
            await client.chat_postMessage(channel=CHANNEL, text="x", metadata={"event_type": "a b", "event_payload": {}})
        pages, cursor = [], None
        while True:
            page = await client.conversations_history(channel=CHANNEL, limit=2, cursor=cursor, include_all_metadata=True)
            pages.append([(m["text"], m.get("metadata")) for m in page["messages"]])
            cursor = page["response_metadata"]["next_cursor"]
            if not page["has_more"]:
                assert cursor == ""
                break
        assert [[text for text, _ in p] for p in pages] == [["cuatro", "tres"], ["dos", "uno"]]  # newest first, no replies
        assert pages[1][1][1] == {"event_type": "crisisbot_outbox", "event_payload": {"row": 1}}
        plain = await client.conversations_history(channel=CHANNEL)
        assert all("metadata" not in m for m in plain["messages"])  # only when asked for
        since = await client.conversations_history(channel=CHANNEL, oldest=first["ts"])
        assert [m["text"] for m in since["messages"]] == ["cuatro", "tres", "dos"]  # `oldest` is exclusive
        await client.chat_update(channel=CHANNEL, ts=first["ts"], text="uno bis")
        thread = await client.conversations_replies(channel=CHANNEL, ts=first["ts"], include_all_metadata=True)
        assert [(m["text"], "metadata" in m) for m in thread["messages"]] == [("uno bis", True), ("en el hilo", False)]
        fake.scopes.discard("channels:history")
        with pytest.raises(SlackApiError, match="missing_scope"):
            await client.conversations_history(channel=CHANNEL)

    asyncio.run(run())
    assert json.dumps(fake.calls[0].args["metadata"])  # kept as Slack got it


def test_a_post_whose_connection_was_cut_after_slack_took_it_shows_once(
        restartable: list[tuple[TestClient, Workspace]], tmp_path: Path, fake: FakeSlack) -> None:
    slack = start(restartable, tmp_path, fake)
    slack.write("Jaime", "ALERTA ROJA")
    fake.drop_next("chat.postMessage")  # Slack posts it; the answer never comes back
    slack.dm("Cecilia", "estado")
    assert len(slack.got("Cecilia", "📊 Estado de la crisis")) == 1  # not repeated in place by slack_sdk
    slack.advance("1m")  # the outbox's retry: it looks first
    [status] = slack.got("Cecilia", "📊 Estado de la crisis")
    assert [r["channel"] for r in history_reads(fake)] == [status.channel]
