"""Buttons that keep their meaning (issue 11, point 3), played through the real terminal
session: «Nombre: 2» typed as in `crisisbot run`, the screen read back."""

from __future__ import annotations

import io
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.runtime import Runtime
from flows.clock import ManualClock
from handlers.terminal.session import TerminalSession
from handlers.terminal.transport import TerminalTransport
from persistence import repository as repo
from persistence.database import reading
from tests.support import START, settings_for


class Screen:
    """A terminal session on a manual clock: type lines, read what appeared since."""

    def __init__(self, session: TerminalSession, out: io.StringIO) -> None:
        self.session = session
        self.out = out
        self._read = 0

    @classmethod
    async def open(cls, tmp_path: Path) -> Screen:
        settings = settings_for(tmp_path)
        out = io.StringIO()
        clock = ManualClock(START)
        probe = await Runtime.build(settings, transports={}, clock=clock)  # the directory and time zone it loads
        directory, tz = probe.directory, ZoneInfo(probe.playbook.timezone)
        await probe.stop()
        transport = TerminalTransport(out, directory, clock, tz, settings.lang)
        runtime = await Runtime.build(settings, transports={"terminal": transport}, clock=clock, drill=True)
        await runtime.start()
        return cls(TerminalSession(runtime, out, echo=True), out)

    async def close(self) -> None:
        await self.session.rt.stop()

    async def type(self, *lines: str) -> str:
        for line in lines:
            await self.session.process(line)
        text = self.out.getvalue()[self._read:]
        self._read = len(self.out.getvalue())
        return text

    async def task_state(self, step_id: str) -> str:
        rt = self.session.rt
        async with reading(rt.db) as conn:
            crisis_id = await repo.open_crisis_id(conn, rt.playbook.id)
            assert crisis_id is not None
            crisis = await repo.load_crisis(conn, crisis_id)
        assert crisis is not None
        return crisis.tasks[step_id].state.value


# Valeria is responsible for steps 3 (read), 4 (banner), 5 (email) and 6 (Timify).
OTHERS_TAKE_5_AND_6 = ("Jaime: ALERTA ROJA: se cayó el servidor", "Valeria: leído 3", "Luis: tomo 5", "Marcelo: tomo 6")


async def test_hecho_keeps_its_number_after_the_task_is_taken(tmp_path: Path) -> None:
    screen = await Screen.open(tmp_path)
    try:
        await screen.type(*OTHERS_TAKE_5_AND_6)
        taken = await screen.type("Valeria: tomo 4")
        assert "Listo, la tarea 4 (Banner de emergencia en fullpyme.cl) es tuya." in taken
        assert "    [2] Hecho  [3] No puedo" in taken  # not «[1] Hecho [2] No puedo»
        done = await screen.type("Valeria: 2")
        assert "✔️ Registrado: tarea 4 (Banner de emergencia en fullpyme.cl) hecha." in done
        assert "aviso a los demás responsables" not in done  # «No puedo» did not go to five people
    finally:
        await screen.close()


async def test_a_number_on_several_cards_asks_which_and_presses_nothing(tmp_path: Path) -> None:
    screen = await Screen.open(tmp_path)
    try:
        await screen.type("Jaime: ALERTA ROJA: se cayó el servidor", "Valeria: leído 3")
        asked = await screen.type("Valeria: 2")
        assert ("🤖 → Valeria\n    ¿Cuál? «2» está en varias tarjetas. Escribe «hecho 4» (Banner de emergencia en "
                "fullpyme.cl), «hecho 5» (Email masivo) o «hecho 6» (Desactivar Timify).") in asked
        assert [await screen.task_state(s) for s in ("banner", "email", "timify")] == ["open", "open", "open"]
        # a card taken by someone else is off offer: «1» now means only step 4 and 5
        await screen.type("Marcelo: tomo 6")
        asked = await screen.type("Valeria: 1")
        assert "¿Cuál? «1» está en varias tarjetas. Escribe «tomo 4» (Banner de emergencia en fullpyme.cl) o «tomo 5» " \
               "(Email masivo)." in asked
        nothing = await screen.type("Valeria: 7")
        assert "Ninguna de tus tarjetas tiene la opción 7. Responde 1, 2 o 3, o escribe «mis tareas»." in nothing
        answered = await screen.type("Valeria: hecho 5")
        assert "✔️ Registrado: tarea 5 (Email masivo) hecha." in answered
    finally:
        await screen.close()


async def test_the_numbers_hold_after_a_restart(tmp_path: Path) -> None:
    first = await Screen.open(tmp_path)
    try:
        await first.type(*OTHERS_TAKE_5_AND_6, "Valeria: tomo 4")
    finally:
        await first.close()
    second = await Screen.open(tmp_path)  # a new process: nothing of the first one's memory
    try:
        done = await second.type("Valeria: 2")
        assert "✔️ Registrado: tarea 4 (Banner de emergencia en fullpyme.cl) hecha." in done
        left = await second.type("Cecilia: 1")  # steps 4, 5 and 6 are someone else's now: off her offer
        assert "¿Cuál? «1» está en varias tarjetas. Escribe «tomo 2» (Contacto con Entel) o «leído 3»" in left
    finally:
        await second.close()
