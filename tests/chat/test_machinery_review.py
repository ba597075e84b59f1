"""Issue 9 tried again with other inputs of the same kinds as its examples (a harsh
review): crontab strings around Santiago's daylight-saving changes, a write lock held
across two timers and a recurring reminder, a restart with retries due in the past and a
lease held by a pid that now belongs to another program, `/healthz` while the sweep is
stuck, `crisisbot doctor` with a revoked token, a person Slack does not know and Twilio
answering 503, and `crisisbot run` beside a `crisisbot serve` with Slack.
The PostgreSQL connection cut mid-sweep is in tests/persistence/test_machinery_review.py;
the real kill -9 of `crisisbot serve` in bench/kill9_serve.py."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.clock import SystemClock
from bot.health import TIMER_OVERDUE, Thresholds, check
from bot.loading import load_all
from bot.processes import host_id
from bot.runtime import Runtime
from bot.scheduler import cron_trigger
from flows.clock import ManualClock
from flows.commands import Say
from flows.crontab import Crontab
from persistence import repository as repo
from persistence import tables as T
from persistence.database import make_engine, writing
from tests.chat.test_timers_robust import runtime_with_short_busy_timeout, wait_until, write_lock_held
from tests.doctor_helpers import line_with, run_doctor
from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.slack.harness import CHANNEL, everyone
from tests.support import DIRECTORY, PLAYBOOK, START, RecordingTransport, settings_for
from tests.whatsapp.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER
from tests.whatsapp.harness import PUBLIC, TEMPLATES

SANTIAGO = ZoneInfo("America/Santiago")

# --- crontab across daylight-saving changes ---------------------------------------------
# Santiago, 2026: on Sunday 6 September the clocks jump from 00:00 to 01:00 (-04 -> -03);
# on Sunday 5 April they go back from 24:00 (Saturday) to 23:00 (-03 -> -04). cron(8)
# (Vixie cron / cronie, man7.org/linux/man-pages/man8/cron.8.html): «If the time has
# moved forward, those jobs which would have run in the time that was skipped will be run
# soon after the change. Conversely, if the time has moved backward by less than 3
# hours, those jobs that fall into the repeated time will not be re-run.»

DST = [  # expression, from (UTC), the next firings (UTC) crontab makes
    ("@weekly", datetime(2026, 9, 4, 12, tzinfo=UTC),  # Sunday 00:00 does not exist on the 6th: 01:00 -03
     [datetime(2026, 9, 6, 4, 0, tzinfo=UTC), datetime(2026, 9, 13, 3, 0, tzinfo=UTC)]),
    ("0 0 * * *", datetime(2026, 9, 4, 12, tzinfo=UTC),
     [datetime(2026, 9, 5, 4, 0, tzinfo=UTC), datetime(2026, 9, 6, 4, 0, tzinfo=UTC),
      datetime(2026, 9, 7, 3, 0, tzinfo=UTC)]),
    ("30 0 6 9 *", datetime(2026, 9, 1, 12, tzinfo=UTC), [datetime(2026, 9, 6, 4, 30, tzinfo=UTC)]),
    ("30 23 * * *", datetime(2026, 4, 3, 12, tzinfo=UTC),  # 23:30 on the 4th happens twice: once
     [datetime(2026, 4, 4, 2, 30, tzinfo=UTC), datetime(2026, 4, 5, 2, 30, tzinfo=UTC),
      datetime(2026, 4, 6, 3, 30, tzinfo=UTC)]),
    ("15 23 * * sat", datetime(2026, 4, 3, 12, tzinfo=UTC),
     [datetime(2026, 4, 5, 2, 15, tzinfo=UTC), datetime(2026, 4, 12, 3, 15, tzinfo=UTC)]),
    ("0 9 * * 7", datetime(2026, 9, 4, 12, tzinfo=UTC),
     [datetime(2026, 9, 6, 12, 0, tzinfo=UTC), datetime(2026, 9, 13, 12, 0, tzinfo=UTC)]),
    ("30 8 1-7 * 1", datetime(2026, 9, 4, 12, tzinfo=UTC),  # day 1-7 OR Monday
     [datetime(2026, 9, 4, 12, 30, tzinfo=UTC), datetime(2026, 9, 5, 12, 30, tzinfo=UTC),
      datetime(2026, 9, 6, 11, 30, tzinfo=UTC),
      datetime(2026, 9, 7, 11, 30, tzinfo=UTC), datetime(2026, 9, 14, 11, 30, tzinfo=UTC)]),
    ("0 9 * * MON-FRI", datetime(2026, 4, 3, 13, tzinfo=UTC),  # Friday 10:00 -03 -> Monday, now -04
     [datetime(2026, 4, 6, 13, 0, tzinfo=UTC), datetime(2026, 4, 7, 13, 0, tzinfo=UTC)]),
]


@pytest.mark.parametrize(("expression", "after", "expected"), DST)
def test_the_scheduler_fires_what_crontab_fires_across_daylight_saving(
    expression: str, after: datetime, expected: list[datetime],
) -> None:
    """As APScheduler drives a trigger: the previous firing and `now` (UTC) a moment after it."""
    trigger = cron_trigger(Crontab.parse(expression), "America/Santiago")
    previous: datetime | None = None
    now = after
    fired = []
    for _ in expected:
        nxt = trigger.get_next_fire_time(previous, now)
        assert nxt is not None
        fired.append(nxt.astimezone(UTC))
        previous, now = nxt, nxt.astimezone(UTC) + timedelta(seconds=1)
    assert fired == expected
    assert [Crontab.parse(expression).latest_at_or_before(at, SANTIAGO) for at in expected] == expected


# --- a write lock held across timers of several steps and a recurring reminder ----------


def counted(transport: RecordingTransport, pattern: str) -> Counter[tuple[str, str]]:
    """(recipient, the text's first match of `pattern`) of every message handed over."""
    found = Counter[tuple[str, str]]()
    for recipient, message in transport.sent:
        match = re.match(pattern, message.text)
        if match:
            found[(recipient, match.group(0))] += 1
    return found


async def test_a_lock_across_the_reminders_of_several_tasks_and_the_monthly_reminder_loses_and_repeats_none(
    tmp_path: Path,
) -> None:
    """ALERTA ROJA at 09:50 (Santiago) on 1 December: at 10:00 the first reminders of every
    task nobody took (several steps) and the monthly Mailchimp reminder fall due together,
    while another process holds the write lock. Once it is free, each person gets each
    reminder exactly once, without a restart."""
    clock = ManualClock(datetime(2026, 12, 1, 12, 50, tzinfo=UTC))
    async with runtime_with_short_busy_timeout(tmp_path, clock) as (runtime, transport):
        await runtime.service.handle(Say("jaime", "ALERTA ROJA", "test"))
        await runtime.outbox.drain()
        job = runtime.timers.scheduler.get_job("recurring-mailchimp")
        assert job is not None
        with write_lock_held(tmp_path / "crisis.db") as lock:
            clock.advance(timedelta(minutes=10))
            assert await runtime.timers.sweep() == 0
            job.modify(next_run_time=datetime.now(UTC))  # the cron fires during the lock too
            runtime.timers.scheduler.wakeup()
            await wait_until(lambda: runtime.timers.scheduler.get_job("recurring-retry-mailchimp") is not None)
            await wait_until(lambda: runtime.timers.health().consecutive_failures >= 2)
            lock.execute("ROLLBACK")
        monthly = r"🗓️ Recordatorio mensual"
        email_role = ("juan_pablo", "cecilia", "catalina", "jaime", "luis", "valeria")  # email_masivo
        await wait_until(lambda: len(counted(transport, monthly)) == len(email_role)
                         and len(counted(transport, r"⏰ Recordatorio: la tarea \d+")) >= 8)
        await asyncio.sleep(0.5)  # any retry still pending would repeat something now
        await runtime.outbox.drain()
        reminders = counted(transport, r"⏰ Recordatorio: la tarea \d+")
        steps = {text for _, text in reminders}
        assert len(steps) >= 3, steps  # several tasks' reminders, not only one step's
        assert set(reminders.values()) == {1}  # nobody got one twice
        assert counted(transport, monthly) == Counter({(p, "🗓️ Recordatorio mensual"): 1 for p in email_role})
        assert runtime.timers.health().consecutive_failures == 0


# --- a restart: retries due in the past, a lease held by a pid another program now has ----


async def test_a_restart_delivers_at_once_rows_leased_by_a_pid_that_another_program_now_has(tmp_path: Path) -> None:
    """The dead bot's row in `processes` still looks alive (seen a second ago, lease for
    two more minutes), but its pid now belongs to another program started after it (here
    `sleep`); other rows wait for a retry that fell due while nothing ran. A new process
    delivers all of them at once, each once."""
    settings = settings_for(tmp_path)
    first_phone = RecordingTransport()
    first = await Runtime.build(settings, transports={"test": first_phone}, clock=SystemClock())
    await first.start()
    await first.service.handle(Say("jaime", "ALERTA ROJA: caída total", "test"))
    await first.outbox.drain()
    await first.stop()
    owed = Counter((to, m.text) for to, m in first_phone.sent)
    assert sum(owed.values()) > 10

    now = datetime.now(UTC)
    impostor = subprocess.Popen(["sleep", "30"])  # started after the dead bot: it got the pid
    try:
        dead = repo.ProcessRow("deadbot00000000", host_id(), impostor.pid, "test", now - timedelta(minutes=5), now)
        db = make_engine(settings.database_url)
        try:
            async with writing(db) as conn:
                await repo.heartbeat_process(conn, dead, now)
                ids = [r.id for r in (await conn.execute(select(T.outbox.c.id).order_by(T.outbox.c.id))).all()]
                half = len(ids) // 2
                await conn.execute(update(T.outbox).where(T.outbox.c.id.in_(ids[:half])).values(
                    delivered_at=None, leased_by=dead.id, leased_until=now + timedelta(minutes=2)))
                await conn.execute(update(T.outbox).where(T.outbox.c.id.in_(ids[half:])).values(
                    delivered_at=None, leased_by=None, leased_until=None, attempts=3,
                    next_attempt_at=now - timedelta(minutes=30), last_error="503 service_unavailable"))
        finally:
            await db.dispose()
        phone = RecordingTransport()
        started = time.monotonic()
        again = await Runtime.build(settings, transports={"test": phone}, clock=SystemClock())
        await again.start()
        try:
            await wait_until(lambda: Counter((to, m.text) for to, m in phone.sent) == owed, seconds=2)
            assert time.monotonic() - started < 2  # not after the lease, nor after the 15 s timeout
        finally:
            await again.stop()
    finally:
        impostor.kill()
        impostor.wait()


# --- /healthz while the timer sweep is stuck ---------------------------------------------


async def test_healthz_pages_when_the_sweep_hangs_with_a_reminder_overdue(tmp_path: Path) -> None:
    """The sweep hangs (a database call that never returns): nothing fails, so nothing is
    counted as a failure, yet the reminder due at 10 minutes is not sent; two minutes past
    it, /healthz says `timer_overdue` so the uptime monitor pages someone."""
    clock = ManualClock(START)
    runtime = await Runtime.build(settings_for(tmp_path), transports={"test": RecordingTransport()}, clock=clock)
    await runtime.start()
    hung = asyncio.Event()

    async def never_returns(real_time_only: bool = False) -> int:
        hung.set()
        await asyncio.Event().wait()
        return 0

    runtime.service.fire_due_timers = never_returns  # type: ignore[method-assign]
    sweep = asyncio.create_task(runtime.timers.sweep())
    try:
        await runtime.service.handle(Say("jaime", "ALERTA ROJA", "test"))
        await asyncio.wait_for(hung.wait(), 1)
        await asyncio.wait_for(runtime.outbox.drain(), 2)  # deliveries go on beside the stuck sweep
        healthy, body = await check(runtime, Thresholds())
        assert healthy and body["problems"] == []
        clock.advance(timedelta(minutes=10, seconds=119))
        healthy, body = await check(runtime, Thresholds())
        assert healthy, body
        clock.advance(timedelta(seconds=2))
        healthy, body = await check(runtime, Thresholds())
        assert not healthy and body["problems"] == [TIMER_OVERDUE]
        assert body["timers"]["overdue_seconds"] == pytest.approx(121)
    finally:
        sweep.cancel()
        await asyncio.gather(sweep, return_exceptions=True)
        await runtime.stop()


# --- `crisisbot run` beside `crisisbot serve` with Slack, on one database ------------------


async def test_a_reminder_fired_by_the_terminal_beside_a_slack_server_still_reaches_slack(tmp_path: Path) -> None:
    """The crisis runs in Slack (a `crisisbot serve` with Slack); somebody also has a
    `crisisbot run` open on the same database. Both have a chat transport, so both sweep;
    whichever claims the 10-minute reminders first decides where they go."""
    settings = settings_for(tmp_path)
    clock = ManualClock(START)
    terminal, slack = RecordingTransport(name="terminal"), RecordingTransport(name="slack")
    run = await Runtime.build(settings, transports={"terminal": terminal}, clock=clock)
    serve = await Runtime.build(settings, transports={"slack": slack}, clock=clock)
    await run.start()
    await serve.start()
    try:
        await serve.service.handle(Say("jaime", "ALERTA ROJA", "slack"))
        await serve.outbox.drain()
        clock.advance(timedelta(minutes=10))
        assert await run.timers.sweep() > 0  # the terminal got there first
        assert await serve.timers.sweep() == 0  # claimed once: no double firing (this holds)
        await run.outbox.drain()
        await serve.outbox.drain()
        on_slack = sorted(to for to, m in slack.sent if m.text.startswith("⏰ Recordatorio: la tarea 4 "))
        assert on_slack == ["catalina", "cecilia", "jaime", "juan_pablo", "luis", "valeria"]
    finally:
        await run.stop()
        await serve.stop()


# --- crisisbot doctor: a revoked Slack token, a person Slack does not know, Twilio 5xx ------


@pytest.fixture
def slack_without_luis() -> Iterator[FakeSlack]:
    """A workspace where Luis's e-mail is unknown (he never joined, or uses another one)."""
    _, directory = load_all(PLAYBOOK, DIRECTORY)
    assert directory is not None
    fake = FakeSlack(users=everyone(directory.people, but=("luis",))).start()
    fake.add_channel(CHANNEL, "crisis")
    try:
        yield fake
    finally:
        fake.stop()


def slack_env(fake: FakeSlack) -> dict[str, Any]:
    return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_CRISIS_CHANNEL": CHANNEL,
            "SLACK_API_URL": fake.api_url}


def test_doctor_names_a_revoked_token_and_a_person_slack_does_not_know(
    slack_without_luis: FakeSlack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    slack_without_luis.refuse = lambda method, _args: "token_revoked" if method == "auth.test" else None
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **slack_env(slack_without_luis))
    token = line_with(out, "Slack: el token")
    assert token.startswith("❌") and "token_revoked" in token and "SLACK_BOT_TOKEN" in token
    assert BOT_TOKEN not in out and code == 1

    slack_without_luis.refuse = None  # a new token: now the directory is checked
    code, out = run_doctor(monkeypatch, tmp_path, capsys, **slack_env(slack_without_luis))
    assert "Luis (no hay usuario con luis@fullpyme.example)" in line_with(out, "sin encontrar")
    assert line_with(out, "Ningún canal configurado llega a").startswith("❌")  # nobody else reaches him
    assert "Luis" in line_with(out, "Ningún canal configurado llega a") and code == 1


class _Outage(BaseHTTPRequestHandler):
    """Twilio's API during an outage: 503 to everything, with Twilio's error body."""

    def _answer(self) -> None:
        body = json.dumps({"code": 20503, "message": "Service Unavailable", "status": 503}).encode()
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *_args: object) -> None:
        pass


def test_doctor_during_a_twilio_outage_fails_in_one_line_without_secrets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Outage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_WHATSAPP_FROM": SENDER,
               "TWILIO_API_URL": f"http://127.0.0.1:{server.server_address[1]}", "PUBLIC_BASE_URL": PUBLIC,
               **{name.upper(): sid for name, sid in TEMPLATES.items()}}
        code, out = run_doctor(monkeypatch, tmp_path, capsys, timeout=10, **env)
    finally:
        server.shutdown()
    twilio = line_with(out, "Twilio no responde")
    assert twilio.startswith("❌") and "503" in twilio
    assert "Traceback" not in out and AUTH_TOKEN not in out and code == 1
