"""Opening a terminal session: the runtime, its clock where the open crisis left it, the
greeting, then the start-up (which fires what is overdue on that clock)."""

from __future__ import annotations

from typing import TextIO
from zoneinfo import ZoneInfo

from bot.clock import SystemClock
from bot.playbooks import load_playbooks
from bot.runtime import Runtime
from bot.settings import Settings
from handlers.terminal.drill import DrillClock
from handlers.terminal.session import TerminalSession
from handlers.terminal.transport import TerminalTransport


async def open_session(settings: Settings, clock: SystemClock, out: TextIO, echo: bool) -> TerminalSession:
    """A started session whose runtime the caller stops (`session.rt.stop()`). Raises
    ConfigError and DatabaseProblem as Runtime.build does; stops what it built if the
    start-up is interrupted (Ctrl-C)."""
    loaded = load_playbooks(settings)
    playbook, directory = loaded.crisis, loaded.directory
    tz = ZoneInfo(playbook.timezone)
    transport = TerminalTransport(out, directory, clock, tz, settings.lang)
    runtime = await Runtime.build(settings, transports={"terminal": transport}, clock=clock, drill=True)
    if settings.secret_key is not None:  # links a `crisisbot serve` with the same key accepts
        from handlers.web.links import SignedLinks

        runtime.service.links = SignedLinks.from_settings(settings)
    drill = DrillClock(runtime.db, playbook.id, clock, tz, settings.lang)
    session = TerminalSession(runtime, out, echo=echo, drill=drill)
    try:
        continuing = await drill.resume()  # before any timer fires
        session.welcome()
        if continuing:
            session.say(continuing)
        await runtime.start()
    except BaseException:
        await runtime.stop()
        raise
    return session
