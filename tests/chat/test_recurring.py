"""The monthly Mailchimp reminder (step 5a), outside any crisis, on a cron trigger."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from tests.support import Chat


async def test_the_cron_fires_on_the_first_of_each_month_at_ten(chat: Chat) -> None:
    job = chat.rt.timers.scheduler.get_job("recurring-mailchimp")
    assert job is not None and isinstance(job.trigger, CronTrigger)
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
