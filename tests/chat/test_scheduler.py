"""APScheduler itself fires the timer rows (not only the manual sweeps of the other
tests): the bot's clock is moved so that a reminder falls due half a second from now."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import SystemClock
from bot.runtime import Runtime
from flows.commands import Say
from tests.support import RecordingTransport, settings_for


async def test_the_sweep_job_fires_due_reminders_and_rearms(tmp_path: Path) -> None:
    transport = RecordingTransport()
    clock = SystemClock()
    runtime = await Runtime.build(settings_for(tmp_path), transports={"test": transport}, clock=clock)
    await runtime.start()
    try:
        await runtime.service.handle(Say("jaime", "ALERTA ROJA", "test"))
        clock.advance(timedelta(minutes=10) - timedelta(seconds=0.5))
        await runtime.timers.rearm()
        job = runtime.timers.scheduler.get_job("timer-sweep")
        assert job is not None
        for _ in range(40):  # up to 4 s
            await asyncio.sleep(0.1)
            if any("Recordatorio" in m.text for _, m in transport.sent):
                break
        await runtime.outbox.drain()
        reminders = [r for r, m in transport.sent if m.text.startswith("⏰ Recordatorio: la tarea 4 ")]
        assert sorted(reminders) == ["catalina", "cecilia", "jaime", "juan_pablo", "luis", "valeria"]
        next_job = runtime.timers.scheduler.get_job("timer-sweep")
        assert next_job is not None  # re-armed for the 20-minute reminder
        assert next_job.next_run_time > job.next_run_time
    finally:
        await runtime.stop()


async def test_a_sweep_armed_while_the_last_one_still_counts_as_running_still_fires(tmp_path: Path) -> None:
    """A sweep re-arms itself at its very end; when the timer it armed for falls due before
    APScheduler has counted that run as ended, the reminder must still go out (it used to be
    skipped, «maximum number of running instances reached», and no timer fired again)."""
    transport = RecordingTransport()
    clock = SystemClock()
    runtime = await Runtime.build(settings_for(tmp_path), transports={"test": transport}, clock=clock)
    await runtime.start()
    timers = runtime.timers
    sweep, lingered = timers.sweep, []

    async def sweep_then_linger() -> int:
        fired = await sweep()
        if not lingered:
            lingered.append(True)
            clock.advance(timedelta(minutes=10))  # the first reminder falls due just as this sweep ends
            timers._arm_real(datetime.now(UTC))  # ... which arms the job for it, as a sweep does
            await asyncio.sleep(0.3)  # ... and its run is counted as ended only now
        return fired

    timers.sweep = sweep_then_linger  # type: ignore[method-assign]
    try:
        await runtime.service.handle(Say("jaime", "ALERTA ROJA", "test"))
        timers._arm_real(datetime.now(UTC))  # a sweep: nothing due yet
        for _ in range(30):  # up to 3 s
            await asyncio.sleep(0.1)
            if any("Recordatorio" in m.text for _, m in transport.sent):
                break
        await runtime.outbox.drain()
        assert any(m.text.startswith("⏰ Recordatorio: la tarea 4 ") for _, m in transport.sent)
    finally:
        await runtime.stop()
