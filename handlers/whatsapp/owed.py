"""Full messages owed to a WhatsApp user who got only the short approved template (outside
the 24-hour window only templates arrive, and a template parameter holds one short line).
Their next message opens the window: what is owed is then queued as session messages, in
the order it was owed, before the answer to what they wrote; a card or digest whose every
task has since been done or taken by someone else is no longer sent (it would show, as
new, a state that is no longer true: «Sin tomar todavía» on a task done an hour ago); of a
crisis that ended meanwhile only its closing summary and what came after it are sent."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.choices import alive
from bot.routing import Delivery
from flows import buttons
from flows.crisis import Crisis
from flows.messages import OutMessage
from persistence import repository as repo
from persistence import tables as T

VIA = "whatsapp"
MAX_AGE = timedelta(days=3)  # older debts are dropped: news of days ago, not worth a burst


async def owe(conn: AsyncConnection, person_id: str, crisis_id: str | None, message: OutMessage, now: datetime) -> None:
    await conn.execute(insert(T.whatsapp_owed).values(
        person_id=person_id, crisis_id=crisis_id, payload=message.to_json(), owed_at=now))


async def owed(conn: AsyncConnection, person_id: str, now: datetime) -> list[tuple[str | None, OutMessage]]:
    """What is owed to the person, oldest first, as (crisis id, message): of several
    messages under one ref (a card redrawn while they were away) only the newest, in the
    place of the first (a digest, flows/digest.py, is always kept); nothing owed for longer than MAX_AGE."""
    rows = (await conn.execute(select(T.whatsapp_owed.c.crisis_id, T.whatsapp_owed.c.payload)
                               .where(and_(T.whatsapp_owed.c.person_id == person_id,
                                           T.whatsapp_owed.c.owed_at >= now - MAX_AGE))
                               .order_by(T.whatsapp_owed.c.id))).all()
    messages = [(crisis_id, OutMessage.from_json(payload)) for crisis_id, payload in rows]
    newest = {m.ref: i for i, (_, m) in enumerate(messages) if m.ref and m.kind != "digest"}
    result: list[tuple[str | None, OutMessage]] = []
    placed: set[str] = set()
    for crisis_id, message in messages:
        if message.ref is None or message.kind == "digest":  # a digest carries other tasks too: kept whole
            result.append((crisis_id, message))
        elif message.ref not in placed:
            placed.add(message.ref)
            result.append(messages[newest[message.ref]])
    return latest_per_task(result)


def task_refs(message: OutMessage) -> frozenset[str]:
    """The tasks ('<crisis>/<step>') whose buttons the message carries."""
    return frozenset(b.action.ref for b in message.buttons if not b.url and b.action.kind in buttons.TASK_KINDS)


def latest_per_task(debts: list[tuple[str | None, OutMessage]]) -> list[tuple[str | None, OutMessage]]:
    """Of owed reminders (a nudge, or a digest whose newest part is one: ref «nudge:…»), those
    all of whose tasks a newer owed message also offers say nothing new, and are left out:
    the person gets the latest word on each task, and every task that asks them to act is
    still in something they get (issue 11, point 5). Cards, digests of cards (the alert) and
    news are kept: they carry what a reminder does not."""
    covered: set[str] = set()
    kept = []
    for crisis_id, message in reversed(debts):
        tasks = task_refs(message)
        if tasks and (message.ref or "").startswith("nudge:") and tasks <= covered:
            continue
        covered |= tasks
        kept.append((crisis_id, message))
    return kept[::-1]


def still_offered(message: OutMessage, crisis: Crisis | None, person_id: str) -> bool:
    """Whether an owed message is still worth sending: it has no buttons (news), or one of
    them is not a task's (a question), or the crisis still offers one of its tasks' buttons to
    the person (bot/choices.py `alive`)."""
    choosable = [b for b in message.buttons if not b.url]
    if not choosable:
        return True
    return any(b.action.kind not in buttons.TASK_KINDS or alive(b.action, crisis, (), person_id) is not False
               for b in choosable)


async def pay(conn: AsyncConnection, person_id: str, now: datetime, answered: str | None = None) -> int:
    """Queue everything owed to the person on WhatsApp that is still offered
    (`still_offered`), in the caller's transaction (which also records their message), and
    forget it all; returns how many messages were queued. `answered`: a crisis whose closing
    summary the answer to their message gives («informe» after the end): not sent twice."""
    crises: dict[str, Crisis | None] = {}
    due = []
    debts = await owed(conn, person_id, now)
    ended = {crisis_id: i for i, (crisis_id, message) in enumerate(debts) if message.ref == f"report:{crisis_id}"}
    for i, (crisis_id, message) in enumerate(debts):
        if crisis_id is not None and i < ended.get(crisis_id, -1):
            continue  # the crisis is over and its closing summary is owed: that says how it ended
        if answered is not None and message.ref == f"report:{answered}":
            continue  # their answer is this summary
        if crisis_id is not None and crisis_id not in crises:
            crises[crisis_id] = await repo.load_crisis(conn, crisis_id)
        if still_offered(message, crises.get(crisis_id) if crisis_id else None, person_id):
            due.append((crisis_id, message))
    for crisis_id, message in due:  # one insert each: the outbox keeps them in this order
        await repo.enqueue(conn, crisis_id, [Delivery(person_id, VIA, message)], now)
    await conn.execute(delete(T.whatsapp_owed).where(T.whatsapp_owed.c.person_id == person_id))
    return len(due)
