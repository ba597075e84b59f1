"""The read queries over cases (persistence/cases.py) on SQLite and PostgreSQL: the
dashboard's queue, short ids, earlier cases of a key, the case a person is answering,
«mis casos», and the short-id counter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.routing import Delivery
from flows.crisis import CrisisState, TaskState
from flows.messages import LogEntry, OutMessage
from persistence import cases, frozen
from persistence import repository as repo
from persistence.database import reading, writing
from tests.persistence.cases_support import case_playbook, make_case, write_cases

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


async def test_the_queue_puts_overdue_cases_first_then_by_due_time_then_the_oldest(db: AsyncEngine) -> None:
    danos, otro = case_playbook(), case_playbook("otro", "A")
    await write_cases(db, [
        make_case(danos, 1, NOW - 5 * H),  # no due time, oldest of those
        make_case(danos, 2, NOW - 1 * H, due_at=NOW + 3 * H),
        make_case(danos, 3, NOW - 3 * H, due_at=NOW - 40 * timedelta(minutes=1), step="revisar", owner="jaime"),
        make_case(danos, 4, NOW - 2 * H),  # no due time
        make_case(danos, 5, NOW - 9 * H, due_at=NOW - 2 * H),  # the most overdue
        make_case(danos, 6, NOW - 8 * H, closed=True, due_at=NOW - 5 * H),  # closed: not in the queue
        make_case(otro, 7, NOW - 9 * H, due_at=NOW - 9 * H),  # another playbook
    ], NOW)
    async with db.connect() as conn:
        rows = await cases.queue(conn, ["danos"], NOW)
        assert await cases.count_open(conn, ["danos"]) == 5
        assert await cases.count_open(conn, ["danos", "otro"]) == 6
        assert await cases.queue(conn, [], NOW) == []
    assert [r.short_id for r in rows] == ["R-5", "R-3", "R-2", "R-1", "R-4"]
    assert [r.overdue for r in rows] == [True, True, False, False, False]
    third = rows[1]
    assert third.case_id == "case-danos-3" and third.playbook_id == "danos" and third.opened_by == "jaime"
    assert third.age == 3 * H and third.due_at == NOW - 40 * timedelta(minutes=1)
    assert [(s.number, s.title.in_lang("en"), s.owner) for s in third.steps] == [("2", "Check the order", "jaime")]
    assert third.owner == "jaime" and rows[0].owner is None  # R-5 not taken: «sin tomar»


async def test_the_queue_pages_through_every_open_case_once(db: AsyncEngine) -> None:
    danos = case_playbook()
    await write_cases(db, [make_case(danos, n, NOW - n * timedelta(minutes=1)) for n in range(1, 8)], NOW)
    async with db.connect() as conn:
        pages = [await cases.queue(conn, ["danos"], NOW, limit=3, offset=offset) for offset in (0, 3, 6, 9)]
    assert [[r.short_id for r in page] for page in pages] == [["R-7", "R-6", "R-5"], ["R-4", "R-3", "R-2"], ["R-1"], []]


async def test_a_short_id_is_found_whatever_its_case(db: AsyncEngine) -> None:
    danos = case_playbook()
    await write_cases(db, [make_case(danos, 12, NOW - H), make_case(danos, 13, NOW - H, closed=True)], NOW)
    async with db.connect() as conn:
        assert await cases.find_by_short_id(conn, "r-12") == ("case-danos-12", "danos")
        assert await cases.find_by_short_id(conn, " R-13 ") == ("case-danos-13", "danos")
        assert await cases.find_by_short_id(conn, "R-14") is None
        assert await cases.find_by_short_id(conn, "  ") is None


async def test_earlier_cases_of_a_key_within_the_history(db: AsyncEngine) -> None:
    danos = case_playbook()
    await write_cases(db, [
        make_case(danos, 1, NOW - 100 * 24 * H, key="4452211", closed=True),  # before `since`
        make_case(danos, 2, NOW - 20 * 24 * H, key="4452211", closed=True),
        make_case(danos, 3, NOW - 2 * H, key="4452211"),
        make_case(danos, 4, NOW - 2 * H, key="9999999"),
    ], NOW)
    async with db.connect() as conn:
        found = await cases.cases_of_key(conn, "danos", "4452211", NOW - 90 * 24 * H)
        assert await cases.cases_of_key(conn, "otro", "4452211", NOW - 90 * 24 * H) == []
    assert [(c.short_id, c.state) for c in found] == [("R-2", CrisisState.CLOSED), ("R-3", CrisisState.ACTIVE)]
    assert all(c.is_case and c.tasks == {} for c in found)
    assert found[1].fields == {"contrato": "4452211"} and not frozen.is_ref(found[1].playbook_json)


async def test_the_case_a_person_is_answering_is_the_one_asked_last_and_open(db: AsyncEngine) -> None:
    danos = case_playbook()
    older = make_case(danos, 1, NOW - 3 * H, owner="luis", asking="luis")
    newer = make_case(danos, 2, NOW - 2 * H, owner="luis", asking="luis")
    newer.tasks["registrar"].asked_at = NOW - 1 * H
    await write_cases(db, [older, newer, make_case(danos, 3, NOW - H, closed=True)], NOW)
    async with db.connect() as conn:
        assert await cases.asking_case(conn, "luis") == "case-danos-2"
        assert await cases.asking_case(conn, "jaime") is None


async def test_my_open_cases_are_those_i_hold_and_those_my_steps_offer(db: AsyncEngine) -> None:
    danos = case_playbook()
    await write_cases(db, [
        make_case(danos, 1, NOW - 3 * H, owner="luis"),
        make_case(danos, 2, NOW - 2 * H, step="revisar"),  # nobody took it; Luis is responsible for «revisar» below
        make_case(danos, 3, NOW - 1 * H, owner="jaime"),
        make_case(danos, 4, NOW - 4 * H, closed=True, done=[("registrar", "luis", None)]),
    ], NOW)
    async with db.connect() as conn:
        held = await cases.my_open_cases(conn, "luis")
        offered = await cases.my_open_cases(conn, "luis", {"danos": {"revisar"}})
        assert await cases.my_open_cases(conn, "luis", {"danos": {"revisar"}}, limit=1) == held
    assert [c.short_id for c in held] == ["R-1"]
    assert held[0].tasks["registrar"].state == TaskState.CLAIMED  # loaded with its tasks
    assert [c.short_id for c in offered] == ["R-1", "R-2"]


async def test_short_numbers_count_up_per_prefix(db: AsyncEngine) -> None:
    async with db.begin() as conn:
        assert [await cases.next_short_number(conn, "R") for _ in range(3)] == [1, 2, 3]
        assert await cases.next_short_number(conn, "A") == 1
    async with db.begin() as conn:
        assert await cases.next_short_number(conn, "R") == 4


async def test_the_contact_watcher_looks_only_at_cases_where_someone_may_be_out_of_reach(db: AsyncEngine) -> None:
    """A message younger than `contact_after` makes nobody «sin contacto»: with 10,000 cases and
    a busy outbox, folding every case with a message on its way kept SQLite behind."""
    playbook = case_playbook()
    opened = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    fresh, old, failed, reported, closed = (make_case(playbook, n, opened, closed=n == 5) for n in range(1, 6))
    log = [LogEntry(at=opened, kind="delivery_failed", channel=None, crisis_id=failed.id,
                    data={"to": "ana", "via": "-", "error": "no channel reaches them"}),
           LogEntry(at=opened, kind="contact_lost", channel=None, crisis_id=reported.id, data={"to": "ana"}),
           LogEntry(at=opened, kind="delivery_failed", channel=None, crisis_id=closed.id,
                    data={"to": "ana", "via": "-", "error": "no channel reaches them"})]
    await write_cases(db, [fresh, old, failed, reported, closed], opened, log)
    now = opened + timedelta(minutes=30)
    async with writing(db) as conn:
        await repo.enqueue(conn, fresh.id, [Delivery("ana", "slack", OutMessage("ana", "nuevo"))], now - timedelta(minutes=2))
        await repo.enqueue(conn, old.id, [Delivery("ana", "slack", OutMessage("ana", "viejo"))], now - timedelta(minutes=12))
        await repo.enqueue(conn, closed.id, [Delivery("ana", "slack", OutMessage("ana", "viejo"))], now - timedelta(minutes=12))
    async with reading(db) as conn:
        watched = await cases.cases_with_delivery_trouble(conn, queued_before=now - timedelta(minutes=10))
    # the old message, the failure, and the one already reported (to say when they are back)
    assert watched == sorted([old.id, failed.id, reported.id])
