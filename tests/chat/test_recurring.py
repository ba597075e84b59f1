"""The monthly Mailchimp reminder (step 5a), outside any crisis, on a cron trigger."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.scheduler import CrontabTrigger
from flows.clock import ManualClock
from flows.messages import OutMessage
from tests.support import PLAYBOOK, START, Chat, settings_for


async def test_the_cron_fires_on_the_first_of_each_month_at_ten(chat: Chat) -> None:
    job = chat.rt.timers.scheduler.get_job("recurring-mailchimp")
    assert job is not None and isinstance(job.trigger, CrontabTrigger)
    santiago = ZoneInfo("America/Santiago")
    after = datetime(2026, 11, 23, 12, 0, tzinfo=santiago)
    assert job.trigger.get_next_fire_time(None, after) == datetime(2026, 12, 1, 10, 0, tzinfo=santiago)


async def test_the_reminder_reaches_the_email_role_once_per_firing(chat: Chat) -> None:
    await chat.rt.service.recurring_due("mailchimp")
    await chat.rt.service.recurring_due("mailchimp")  # a second replica, same minute
    await chat.rt.outbox.drain()
    for name in ("Valeria", "Cecilia", "Luis"):
        assert len(chat.received(name, "🗓️ Recordatorio mensual: Entra a Mailchimp y actualiza TODOS los contactos")) == 1
    assert not chat.received("Marcelo", "Mailchimp")


# --- crontab's meaning, late runs, and slots missed while no process ran ----------------

SANTIAGO = ZoneInfo("America/Santiago")


def with_cron(tmp_path: Path, cron: str) -> Path:
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(PLAYBOOK.read_text(encoding="utf-8").replace('cron: "0 10 1 * *"', f'cron: "{cron}"'),
                        encoding="utf-8")
    return playbook


def mailchimp(chats: list[Chat], name: str = "Valeria") -> list[OutMessage]:
    return [m for c in chats for m in c.received(name, "Recordatorio mensual")]


async def test_a_monday_crontab_is_scheduled_for_monday_in_the_playbooks_zone(tmp_path: Path) -> None:
    chat = await Chat.open(settings_for(tmp_path, playbook=with_cron(tmp_path, "0 9 * * 1")))
    try:
        job = chat.rt.timers.scheduler.get_job("recurring-mailchimp")
        assert job is not None
        sunday = datetime(2026, 11, 29, 12, 0, tzinfo=SANTIAGO)
        assert job.trigger.get_next_fire_time(None, sunday) == datetime(2026, 11, 30, 9, 0, tzinfo=SANTIAGO)
    finally:
        await chat.close()


async def test_a_run_paused_across_the_firing_time_still_fires_it_once(tmp_path: Path) -> None:
    """The process was paused (a long GC, a suspended container): APScheduler wakes up 30 s
    after the slot. crontab would still have run it; so does the bot, once."""
    chat = await Chat.open(settings_for(tmp_path, playbook=with_cron(tmp_path, "0 9 * * 1")))
    try:
        job = chat.rt.timers.scheduler.get_job("recurring-mailchimp")
        assert job is not None
        job.modify(next_run_time=datetime.now(UTC) - timedelta(seconds=30))
        chat.rt.timers.scheduler.wakeup()
        for _ in range(50):
            await asyncio.sleep(0.02)
            if mailchimp([chat]):
                break
        await chat.rt.outbox.drain()
        assert len(mailchimp([chat])) == 1
        assert len(mailchimp([chat], "Cecilia")) == 1
    finally:
        await chat.close()


async def test_a_slot_missed_while_down_fires_once_on_start_even_with_two_replicas(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)  # "0 10 1 * *": the 1st of each month at 10:00, Santiago
    first = await Chat.open(settings, ManualClock(START))  # Monday 23 November
    await first.close()
    assert mailchimp([first]) == []  # the first start remembers the last slot, fires nothing

    back = ManualClock(datetime(2026, 12, 1, 12, 30, tzinfo=SANTIAGO))  # down across 1 December 10:00
    second, third = await asyncio.gather(Chat.open(settings, back), Chat.open(settings, back))
    try:
        for chat in (second, third):
            await chat.rt.outbox.drain()
        assert len(mailchimp([second, third])) == 1
        assert len(mailchimp([second, third], "Luis")) == 1
    finally:
        await second.close()
        await third.close()

    for later in (ManualClock(datetime(2026, 12, 1, 13, 0, tzinfo=SANTIAGO)),
                  ManualClock(datetime(2026, 12, 20, 9, 0, tzinfo=SANTIAGO))):  # two more restarts
        again = await Chat.open(settings, later)
        await again.rt.outbox.drain()
        await again.close()
        assert mailchimp([again]) == []

    after_next = await Chat.open(settings, ManualClock(datetime(2027, 1, 1, 11, 0, tzinfo=SANTIAGO)))
    try:
        await after_next.rt.outbox.drain()
        assert len(mailchimp([after_next])) == 1  # January's slot, missed too: once
    finally:
        await after_next.close()
