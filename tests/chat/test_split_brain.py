"""`crisisbot run` (the terminal) beside a web-only `crisisbot serve` on one database: the
timers are fired by the process that can deliver them, exactly once, and the web process,
which has no chat transport, writes nothing (it used to fire them into a «no chat
transport configured» outbox that the dashboard counted as sent)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select

from bot.app import create_app
from bot.runtime import Runtime
from flows.clock import ManualClock
from flows.commands import Say
from persistence import tables as T
from tests.support import START, RecordingTransport, settings_for
from tests.web.server import free_port, serving


async def test_the_terminal_fires_and_delivers_the_reminder_and_the_web_process_writes_nothing(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    clock = ManualClock(START)
    terminal = RecordingTransport(name="terminal")
    run = await Runtime.build(settings, transports={"terminal": terminal}, clock=clock)
    await run.start()
    app, port = create_app(settings, features=[], clock=clock), free_port()
    try:
        async with serving(app, port), httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            web: Runtime = app.state.runtime
            writes: list[str] = []

            @event.listens_for(web.db.sync_engine, "before_cursor_execute")
            def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
                if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
                    writes.append(statement)

            await run.service.handle(Say("jaime", "ALERTA ROJA", "terminal"))
            await run.outbox.drain()
            clock.advance(timedelta(minutes=10))
            assert await web.timers.sweep() == 0  # the web process fires nothing ...
            assert web.timers.scheduler.get_jobs() == []
            assert await run.timers.sweep() > 0  # ... the terminal does
            await run.outbox.drain()
            assert await web.timers.sweep() == 0
            with pytest.raises(RuntimeError, match="no chat transport"):
                await web.service.handle(Say("jaime", "estado", "terminal"))  # nor runs commands

            reminders = sorted(r for r, m in terminal.sent if m.text.startswith("⏰ Recordatorio: la tarea 4 "))
            assert reminders == ["catalina", "cecilia", "jaime", "juan_pablo", "luis", "valeria"]
            assert writes == []
            async with run.db.connect() as conn:
                rows = (await conn.execute(select(T.outbox.c.via, T.outbox.c.delivered_at))).all()
            assert {via for via, _ in rows} == {"terminal"} and all(at is not None for _, at in rows)

            health = (await client.get("/healthz")).json()
            assert health["ok"] is True and health["timers"]["active"] is False
            assert "no chat transport" in health["timers"]["reason"] and health["outbox"]["transports"] == []
    finally:
        await run.stop()
