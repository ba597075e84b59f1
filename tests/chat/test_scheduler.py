"""APScheduler itself fires the timer rows (not only the manual sweeps of the other
tests): the bot's clock is moved so that a reminder falls due half a second from now."""

from __future__ import annotations

import asyncio
from datetime import timedelta
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
