"""The terminal as a drill tool (issue 11 point 11): the time moved with /avanzar is kept
with the crisis, a second `crisisbot run` continues on it and says so, a `serve` on the
same database leaves its timers to the terminal, and Ctrl-C leaves at once.

The sessions run in-process (handlers/terminal/start.py, as `crisisbot run` opens them)
on a wall clock the test moves: the time between two sessions passes without sleeping."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.health import TIMER_OVERDUE, Thresholds, check
from bot.report import load_report, markdown_report
from flows.clock import NEVER, ManualClock
from handlers.terminal.session import TerminalSession
from handlers.terminal.start import open_session
from persistence import repository as repo
from persistence.database import reading
from tests.support import ROOT, START, Chat, settings_for


class WallClock(SystemClock):
    """One run's clock: the wall clock (moved only by the test) plus the terminal's
    /avanzar offset, as SystemClock. The test sweeps the timers itself (as /avanzar does)."""

    def __init__(self, real: datetime) -> None:
        super().__init__()
        self.real = real

    def now(self) -> datetime:
        return self.real + self.offset

    def to_real(self, at: datetime) -> datetime:
        return at if at <= self.now() else at + NEVER


class Terminal:
    """`crisisbot run` in-process: type lines, read the screen."""

    def __init__(self, session: TerminalSession, out: io.StringIO) -> None:
        self.session, self.out = session, out

    @classmethod
    async def open(cls, tmp_path: Path, real: datetime) -> Terminal:
        out = io.StringIO()
        return cls(await open_session(settings_for(tmp_path), WallClock(real), out, echo=True), out)

    async def type(self, script: str) -> None:
        for line in script.strip().splitlines():
            await self.session.process(line)

    @property
    def screen(self) -> str:
        return self.out.getvalue()

    async def close(self) -> None:
        await self.session.rt.stop()


async def play(tmp_path: Path, real: datetime, script: str) -> str:
    """A whole session: open, type the script, end it; returns the screen."""
    terminal = await Terminal.open(tmp_path, real)
    try:
        await terminal.type(script)
    finally:
        await terminal.close()
    return terminal.screen


async def open_crisis(terminal: Terminal) -> str:
    async with reading(terminal.session.rt.db) as conn:
        crisis_id = await repo.open_crisis_id(conn, terminal.session.rt.playbook.id)
    assert crisis_id is not None
    return crisis_id


async def test_a_second_run_continues_on_the_drills_clock_and_says_so(tmp_path: Path) -> None:
    first = await play(tmp_path, START, """
        Jaime: ALERTA ROJA: caída total
        /avanzar 1h
        Catalina: estado
    """)  # 09:00 in Santiago, then 10:00
    assert "⏩ Reloj adelantado 1 h 0 min: ahora son las 10:00." in first
    assert "queda en hora simulada: la próxima sesión sigue desde aquí." in first

    second = await Terminal.open(tmp_path, START + timedelta(minutes=10))  # ten real minutes later
    try:
        crisis_id = await open_crisis(second)
        assert f"Sigue la crisis {crisis_id} (declarada 09:00, hora simulada 10:10)." in second.screen
        await second.type("Catalina: tomo 4")
        assert "[10:10] 🤖 → Catalina" in second.screen
        async with reading(second.session.rt.db) as conn:
            times = [entry.at for entry in await repo.crisis_log(conn, crisis_id)]
        assert times == sorted(times)  # the bitácora never goes backwards
        assert times[-1] >= START + timedelta(hours=1, minutes=10)
    finally:
        await second.close()


async def test_a_crisis_declared_after_the_clock_moved_keeps_that_time(tmp_path: Path) -> None:
    first = await play(tmp_path, START, """
        /avanzar 2h
        Jaime: ALERTA ROJA: caída total
    """)
    assert "Sigue la crisis" not in first  # no crisis open: the run started on real time
    assert "queda en hora simulada" in first

    second = await Terminal.open(tmp_path, START + timedelta(minutes=1))
    try:
        assert "(declarada 11:00, hora simulada 11:01)." in second.screen
    finally:
        await second.close()


async def test_serve_leaves_a_drills_timers_to_the_terminal(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.scheduler")
    await play(tmp_path, START, """
        Jaime: ALERTA ROJA: caída total
        /avanzar 5m
    """)
    # A `serve` with a chat transport, a day later on the wall clock: every timer of the
    # drill (reminders at 09:10, escalations at 09:30...) is long due on its clock.
    serve = await Chat.open(settings_for(tmp_path), ManualClock(START + timedelta(days=1)))
    try:
        await serve.rt.timers.sweep()
        await serve.rt.outbox.drain()
        assert [m.text for _, m in serve.transport.sent] == []
        said = [r.getMessage() for r in caplog.records if "simulated time" in r.getMessage()]
        assert len(said) == 1 and "leaves its timers to the terminal" in said[0]  # once, not at every sweep
        healthy, body = await check(serve.rt, Thresholds())
        assert TIMER_OVERDUE not in body["problems"] and len(body["timers"]["left_to_terminal"]) == 1
    finally:
        await serve.close()

    terminal = await Terminal.open(tmp_path, START + timedelta(minutes=1))  # 09:06 on the drill's clock
    try:
        await terminal.type("/avanzar 5m")  # 09:11: the terminal fires them on its clock
        assert "⏰ Recordatorio: la tarea 5 (Email masivo) sigue sin responsable desde hace 11 min." in terminal.screen
    finally:
        await terminal.close()


async def test_the_report_of_a_two_session_drill_marks_the_escalated_task_late(tmp_path: Path) -> None:
    first = await play(tmp_path, START, """
        Jaime: ALERTA ROJA: caída total
        /avanzar 50m
    """)
    assert any("🔺" in line and "tarea 5 (Email masivo)" in line for line in first.splitlines())  # escalated

    wall = START + timedelta(minutes=5)
    second = await Terminal.open(tmp_path, wall)  # 09:55 on the drill's clock
    try:
        await second.type("Luis: hecho 5")
        crisis_id = await open_crisis(second)
        rt = second.session.rt
    finally:
        await second.close()
    report = await load_report(rt.db, crisis_id, rt.directory, wall)  # `crisisbot informe`: the wall clock
    await rt.db.dispose()
    assert report is not None
    email = next(f for f in report.tasks if f.step.id == "email")
    assert email.escalation_times and email.late  # done at 09:55, due at 09:45
    assert next(f for f in report.tasks if f.step.id == "timify").late  # still open at 09:55, due at 09:45
    [row] = [line for line in markdown_report(report, rt.directory, "es").splitlines() if "| Email masivo |" in line]
    assert "atrasada" in row and "a tiempo" not in row


def test_ctrl_c_leaves_at_once(tmp_path: Path) -> None:
    """Typed by hand, the terminal waits for the next line; Ctrl-C must not wait for it."""
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 't.db'}"}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    try:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        proc.stdin.write("Jaime: estado\n")
        proc.stdin.flush()
        for line in proc.stdout:
            if "No hay ninguna crisis abierta." in line:
                break
        time.sleep(0.5)  # the answer is on the screen; the session goes back to waiting for a line
        pressed = time.monotonic()
        proc.send_signal(signal.SIGINT)  # stdin stays open, as a keyboard does
        proc.wait(timeout=10)
        assert time.monotonic() - pressed < 2
        rest, errors = proc.stdout.read(), proc.stderr.read()
    finally:
        watchdog.cancel()
        proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in errors and "Interrumpido." in rest
