"""The queries behind «sin contacto» on SQLite and PostgreSQL: deliveries aggregated per
person and channel (by the JSON `to` of the bitácora), failures and marks one by one,
what people did, and the undelivered rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.routing import Delivery
from flows.contact import ContactState, fold
from flows.messages import GROUP, LogEntry, OutMessage
from persistence import repository as repo
from tests.support import START

CRISIS = "20261123-abcd"


def entry(kind: str, minutes: int, person: str | None = None, channel: str | None = None, **data: str) -> LogEntry:
    return LogEntry(at=START + timedelta(minutes=minutes), kind=kind, person=person, channel=channel,
                    crisis_id=CRISIS, data=data)


async def test_the_board_is_read_the_same_on_both_databases(db: AsyncEngine) -> None:
    async with db.begin() as conn:
        await repo.append_log(conn, [
            entry("delivered", 0, channel="slack", to="jaime", via="slack"),
            entry("delivered", 1, channel="slack", to="jaime", via="slack"),
            entry("delivered", 1, channel="slack", to=GROUP, via="slack"),
            entry("delivered", 2, channel="whatsapp", to="valeria", via="whatsapp"),
            entry("whatsapp_failed", 3, channel="whatsapp", to="valeria", sid="SM1", status="failed", error="63024"),
            entry("delivery_failed", 3, to="marcelo", via="-", error="no channel reaches them"),
            entry("claimed", 4, person="cecilia", channel="slack", step="entel"),
            entry("reminder", 4, person="cecilia", channel="sistema"),
            LogEntry(at=START, kind="delivered", channel="slack", crisis_id="another", data={"to": "luis", "via": "slack"}),
        ])
        await repo.enqueue(conn, CRISIS, [Delivery("luis", "whatsapp", OutMessage("luis", "hola")),
                                          Delivery(GROUP, "slack", OutMessage(GROUP, "a todos"))], START)
    async with db.connect() as conn:
        events = await repo.contact_events(conn, CRISIS)
        pending = await repo.undelivered(conn, CRISIS)
    assert [(e.kind, e.to) for e in events] == [
        ("delivered", "jaime"), ("delivered", "valeria"), ("whatsapp_failed", "valeria"),
        ("delivery_failed", "marcelo"), ("wrote", "cecilia")]
    assert events[0].at == START + timedelta(minutes=1)  # the latest of Jaime's two
    assert [(q.to, q.via) for q in pending] == [("luis", "whatsapp")]
    board = fold(events, pending, START + timedelta(minutes=5), timedelta(minutes=10))
    assert board.state("jaime") == ContactState.DELIVERED
    assert board.state("valeria") == ContactState.LOST and board.state("marcelo") == ContactState.LOST
    assert board.state("luis") == ContactState.PENDING
    assert board.get("valeria").reasons(board.now, board.after)[0].detail == "error 63024"
