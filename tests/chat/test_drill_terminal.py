"""A drill played in the terminal with injects and /avanzar (issue 14 point 5): what each
person sees, and when, on the drill's simulated clock; and the raw timings in the bitácora
that the score (point 4, flows/drill_score.py) is computed from.

The session runs in-process, as `crisisbot run` opens it (handlers/terminal/start.py), on a
wall clock that only the test moves (tests/chat/test_drill_clock.py)."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from pathlib import Path

from flows.messages import LogEntry
from handlers.terminal.start import open_session
from persistence import repository as repo
from persistence.database import reading
from tests.chat.test_drill_clock import WallClock
from tests.support import PLAYBOOK, START, settings_for

# Not the examples' script: other steps, other people, other times.
INJECTS = """\
drill:
  injects:
    - at: 3m
      to_step: "6"
      text: {es: Timify pide la clave de administrador, en: Timify asks for the admin password}
    - at: 7m
      unavailable: marcelo
    - at: 12m
      incident: Se cortó la luz en la oficina
    - at: 40m
      to: valeria
      text: El banner no se ve en móviles
"""

SESSION = """\
Jaime: SIMULACRO: cae la central telefónica
Marcelo: tomo 6
/avanzar 2m
Luis: tomo 2
/avanzar 1m
Marcelo: 2
/avanzar 1m
Valeria: tomo 4
/avanzar 1m
Luis: hecho 2
Luis: T-901
/avanzar 2m
/avanzar 5m
Marcelo: estado
/avanzar 8m
Valeria: hecho 4
"""

Seen = list[tuple[str, str, str]]  # (clock, to, text)
_BLOCK = re.compile(r"^\[(\d\d:\d\d)\] 🤖 → (.+)\n((?:    .*\n?)*)", re.MULTILINE)


def seen(screen: str) -> Seen:
    """Every message on the screen: its time on the drill's clock, its reader, its text."""
    return [(m.group(1), m.group(2), re.sub(r"^    ", "", m.group(3), flags=re.MULTILINE).strip())
            for m in _BLOCK.finditer(screen)]


def when(messages: Seen, to: str, fragment: str) -> list[str]:
    return [clock for clock, reader, text in messages if reader == to and fragment in text]


async def play(tmp_path: Path) -> tuple[str, str, list[LogEntry]]:
    """The session above on the playbook with INJECTS: the screen, the drill's id, its bitácora."""
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(PLAYBOOK.read_text(encoding="utf-8") + INJECTS, encoding="utf-8")
    out = io.StringIO()
    session = await open_session(settings_for(tmp_path, playbook=playbook), WallClock(START), out, echo=True)
    try:
        for line in SESSION.splitlines():
            await session.process(line)
        async with reading(session.rt.db) as conn:
            drill_id = await repo.open_crisis_id(conn, session.rt.playbook.id)
            assert drill_id is not None
            log = await repo.crisis_log(conn, drill_id)
    finally:
        await session.rt.stop()
    return out.getvalue(), drill_id, log


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


async def test_a_drill_in_the_terminal_with_injects_and_avanzar(tmp_path: Path) -> None:
    screen, _, log = await play(tmp_path)
    messages = seen(screen)
    assert all(text.startswith("🧪 SIMULACRO · ") for _, _, text in messages)

    # +3 min: the message reaches whoever holds step 6 (Marcelo took it), then, not before, and only him
    assert when(messages, "Marcelo", "📣 Paso 6 (Desactivar Timify): Timify pide la clave de administrador") == ["09:03"]
    assert [reader for _, reader, text in messages if "Timify pide la clave" in text] == ["Marcelo"]
    # +7 min: Marcelo is told to stay silent, and from then on nothing reaches him
    assert when(messages, "Marcelo", "📵 En este simulacro ya no estás disponible") == ["09:07"]
    assert [clock for clock, reader, _ in messages if reader == "Marcelo"][-1] == "09:07"
    # +12 min: the second incident, to the group
    assert when(messages, "GRUPO", "🚨 Segundo incidente: Se cortó la luz en la oficina") == ["09:12"]
    # his «estado» is taken but not answered; the coordinators hear he cannot be reached
    for coordinator in ("Juan Pablo", "Jaime"):
        assert when(messages, coordinator, "⚠️ No consigo contactar a Marcelo (no disponible en el simulacro)") == ["09:12"]
    assert not when(messages, "Cecilia", "No consigo contactar")
    # the +40 min inject is not due yet at 09:20
    assert "El banner no se ve en móviles" not in screen

    timings = raw_timings(log)
    assert timings == {
        "declared": at(0), ("completed", "decretar"): at(0),
        ("claimed", "timify"): at(0), ("completed", "timify"): at(3),
        ("claimed", "entel"): at(2), ("completed", "entel"): at(5),
        ("claimed", "banner"): at(4), ("completed", "banner"): at(20),
        ("inject_text_step", "timify"): at(3), "inject_unavailable": at(7), "inject_incident": at(12),
        ("contact_lost", "marcelo"): at(12),
    }
    failed = [e for e in log if e.kind == "delivery_failed"]
    assert failed and {e.data["to"] for e in failed} == {"marcelo"} and min(e.at for e in failed) >= at(7)
    check_the_score(log, timings)


def raw_timings(log: list[LogEntry]) -> dict[object, datetime]:
    """When each thing the score is computed from happened, from the bitácora: the start,
    each step taken and done, each inject, each loss of contact (the first of each)."""
    found: dict[object, datetime] = {}
    for entry in log:
        if entry.kind == "declared" or entry.kind.startswith("inject_") and "step" not in entry.data:
            found.setdefault(entry.kind, entry.at)
        elif entry.kind in ("claimed", "completed", "completed_value", "inject_text_step"):
            kind = "completed" if entry.kind == "completed_value" else entry.kind
            found.setdefault((kind, str(entry.data["step"])), entry.at)
        elif entry.kind == "contact_lost":
            found.setdefault((entry.kind, str(entry.data["who"])), entry.at)
    return found


def check_the_score(log: list[LogEntry], timings: dict[object, datetime]) -> None:
    """Point 4 (flows/drill_score.py, another part of issue 14) goes here: the drill's score
    from `log`, compared with the timings played above. With the FullPyme policy (a task is
    due 45 min after it starts, step 1 in 10) and the drill started at 09:00: step 1 done at
    once, step 6 in 3 min (taken by Marcelo at 09:00), step 2 in 5 min (Luis, taken 09:02),
    step 4 in 20 min (Valeria, taken 09:04): all four within their deadline; steps 3 and 5
    never done; Marcelo never reached after 09:07 (his messages «no disponible»)."""
    assert timings[("completed", "entel")] - timings["declared"] == timedelta(minutes=5)
    assert timings[("completed", "banner")] - timings["declared"] < timedelta(minutes=45)


# The same drill, then ended in the terminal: FIN DE LA CRISIS at 09:50, «Cerrar igual», the
# closing steps done. Its score, posted to the declarer, against the timings played (deadline
# of step 1: 10 min; of every other step: 45 min, both from the FullPyme playbook's policy):
#   1 description on the SIMULACRO line, done at 0 ............ within
#   2 done at 5 ................................................ within
#   3 the all-staff round, never closed, 50 min at FIN ......... not within
#   4 done at 20 ............................................... within
#   5 never done, 50 min at FIN ................................ not within
#   6 done at 3 ................................................ within
#   7 the sign-off waits on all six: never reached ............ not within
# → 4 of 7 steps within their deadline: 57 %.
END = """\
/avanzar 30m
Jaime: FIN DE LA CRISIS
Jaime: 1
Cecilia: hecho 8b
Cecilia: hecho 8c
Cecilia: hecho 8d
Cecilia: hecho 8e
Juan Pablo: hecho 8f
"""


async def test_the_drill_played_in_the_terminal_is_scored_against_its_timings(tmp_path: Path) -> None:
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(PLAYBOOK.read_text(encoding="utf-8") + INJECTS, encoding="utf-8")
    out = io.StringIO()
    session = await open_session(settings_for(tmp_path, playbook=playbook), WallClock(START), out, echo=True)
    try:
        for line in (SESSION + END).splitlines():
            await session.process(line)
    finally:
        await session.rt.stop()
    messages = seen(out.getvalue())
    assert when(messages, "Valeria", "El banner no se ve en móviles")  # the +40 min inject, before FIN
    [score] = [text for _, reader, text in messages if reader == "Jaime" and "📊 Resultado del simulacro" in text]
    first = score.splitlines()[0]
    assert first.startswith("🧪 SIMULACRO · 📊 Resultado del simulacro ")
    assert first.endswith(": 57 % de los pasos dentro de su plazo (4 de 7)."), first
    for step in ("Paso 3 ", "Paso 5 ", "Paso 7 "):  # what to improve names the three missed, and nothing done in time
        assert step in score, step
    for step in ("Paso 2 ", "Paso 4 ", "Paso 6 "):
        assert step not in score, step
