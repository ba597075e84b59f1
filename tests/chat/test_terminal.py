"""The terminal transport as a user meets it: `crisisbot run` fed from a pipe."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def run_terminal(tmp_path: Path, script: str, db: str = "t.db") -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / db}"}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "run"], input=script, capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_shipped_simulacro_plays_a_whole_crisis(tmp_path: Path) -> None:
    out = run_terminal(tmp_path, (ROOT / "examples" / "simulacro.txt").read_text(encoding="utf-8"))
    assert "🤖 → Jaime\n    ⚠️ Luis escribió: «🚨 alerta roja!! no carga la plataforma». ¿Decretar ALERTA ROJA?" in out
    assert "🚨 ALERTA ROJA · decretada por Jaime" in out
    assert "• 2 Contacto con Entel: Juan Pablo, Cecilia, Catalina, Jaime, Luis" in out
    assert "✍️ Tarea 2 (Contacto con Entel): ¿Qué número de ticket dio Entel?" in out
    assert "el número de ticket de Entel: 4455-AB" in out
    assert "La tarea 4 ya la tomó Valeria" in out
    assert "⏰ Recordatorio: la tarea 5 (Email masivo) sigue sin responsable desde hace 10 min." in out
    assert "🔺 Escalamiento: la tarea 5 (Email masivo) sigue sin responsable tras 30 min." in out
    assert "⌛ La tarea 4 (Banner de emergencia en fullpyme.cl) pasó su plazo. ¿Sigues en esto?" in out
    assert "⬜ 5 Email masivo — sin tomar" in out  # the first «estado»
    # «1» on two of Marcelo's cards asks which; once he took step 6, «2» is still «Hecho»
    assert "🤖 → Marcelo\n    ¿Cuál? «1» está en varias tarjetas." in out
    assert re.search(r"> Marcelo: 2\n\[\d\d:\d\d\] 🤖 → Marcelo\n    ✔️ Registrado: tarea 6 \(Desactivar Timify\) hecha\.", out)
    assert "✅ FIN DE LA CRISIS · anunciado por Jaime" in out
    for closing in ("8b Informar a los clientes", "8c Quitar el banner de fullpyme.cl", "8e Habilitar Timify"):
        assert closing in out
    closing = out.split("🏁 Crisis ", 1)[1]  # a short summary, not the bitácora (issue 11, point 6)
    assert "Tareas: " in closing and "Recordatorios: " in closing
    assert "Decretó ALERTA ROJA" not in closing and "crisisbot informe" not in out


OWN_SCRIPT = """\
# Otras personas, otros tiempos.
Pedro: ALERTA ROJA
Claudia: hola
Marcelo: ALERTA ROJA
Catalina: 3
Marcelo: estado
Juan Pablo: ALERTA ROJA: no hay internet en la oficina
Marcelo: 1
Marcelo: tomo 6
/avanzar 1h
Catalina: 7
Catalina: tomo 2
Catalina: 2
Catalina: hecho 2
Catalina: T-77
/avanzar 2h
Catalina: estado
"""


def test_own_script_other_people_other_timings(tmp_path: Path) -> None:
    out = run_terminal(tmp_path, OWN_SCRIPT)
    assert "Hola Pedro, no te encuentro en el directorio de crisisbot." in out
    assert "¿Quién eres? Hay varias personas con ese nombre: Claudia Riveros, Claudia Martínez." in out
    assert "[1] Decretar ALERTA ROJA  [3] Descartar" in out  # «Descartar» is 3, like «No puedo»
    assert "Catalina: 3" in out and "Descartado." in out  # Catalina dismissed Marcelo's alert
    assert "Catalina descartó el aviso «ALERTA ROJA»." in out
    assert "🤖 → Marcelo\n    No hay ninguna crisis abierta." in out
    assert "decretada por Juan Pablo" in out and "Situación: no hay internet en la oficina" in out
    # «1» is on two of Marcelo's cards: the bot asks which and presses nothing
    assert ("🤖 → Marcelo\n    ¿Cuál? «1» está en varias tarjetas. Escribe «leído 3» (Atención al cliente, todas "
            "las áreas) o «tomo 6» (Desactivar Timify).") in out
    assert "Listo, la tarea 6 (Desactivar Timify) es tuya." in out
    assert "⏩ Reloj adelantado 1 h 0 min" in out
    assert "Ninguna de tus tarjetas tiene la opción 7. Responde 1, 2 o 3, o escribe «mis tareas»." in out
    assert "[2] Hecho  [3] No puedo" in out  # her card once she took step 2: «Hecho» is still 2
    # «2» right under the card of the task she just took is that card's «Hecho» (steps 4 and 5 carry a 2 too)
    assert "> Catalina: 2\n[" in out and "¿Cuál? «2»" not in out
    assert out.index("¿Qué número de ticket dio Entel?") > out.index("> Catalina: 2\n")
    assert "¿Qué número de ticket dio Entel?" in out and "el número de ticket de Entel: T-77" in out
    assert "⌛ La tarea 6 (Desactivar Timify) pasó su plazo. ¿Sigues en esto?" in out
    assert "🔺 Marcelo no responde sobre la tarea 6 (Desactivar Timify)" in out
    assert "⚠️ VENCIDA" in out


def test_a_second_run_continues_the_open_crisis(tmp_path: Path) -> None:
    run_terminal(tmp_path, "Jaime: ALERTA ROJA: caída\nCecilia: tomo 2\n")
    out = run_terminal(tmp_path, "Luis: estado\nCecilia: hecho 2\nCecilia: 999\n")
    assert "decretada por" not in out  # nothing declared again
    assert "🟡 2 Contacto con Entel — Cecilia" in out
    assert "✔️ Registrado: tarea 2 (Contacto con Entel) hecha · el número de ticket de Entel: 999" in out


def test_informe_lists_and_prints_the_bitacora(tmp_path: Path) -> None:
    run_terminal(tmp_path, "Jaime: ALERTA ROJA: caída\n")
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 't.db'}"}
    listing = subprocess.run([sys.executable, "-m", "bot.cli", "informe"], capture_output=True, text=True, cwd=ROOT,
                             env=env, timeout=60)
    [listed] = listing.stdout.splitlines()  # id, date, state, description
    crisis_id, day, _, state, description = listed.split(maxsplit=4)
    assert (state, description) == ("activa", "caída") and len(day) == 10
    report = subprocess.run([sys.executable, "-m", "bot.cli", "informe", crisis_id], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=60)
    assert report.returncode == 0, report.stderr
    assert f"Bitácora de la crisis {crisis_id}" in report.stdout
    assert "Jaime · terminal · Decretó ALERTA ROJA" in report.stdout
    assert "Mensaje entregado a Luis por terminal" not in report.stdout  # receipts are in the CSV only


def test_the_terminal_screen_carries_the_chat_not_the_log(tmp_path: Path) -> None:
    """The log shares the screen with the chat: by default only what needs attention shows;
    LOG_LEVEL=INFO brings the rest back."""
    env = {k: v for k, v in os.environ.items() if k != "LOG_LEVEL"}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 't.db'}"
    quiet = subprocess.run([sys.executable, "-m", "bot.cli", "run"], input="Jaime: ALERTA ROJA\n", capture_output=True,
                           text=True, cwd=ROOT, env=env, timeout=120)
    assert quiet.returncode == 0 and "🚨 ALERTA ROJA" in quiet.stdout
    assert "INFO" not in quiet.stderr
    chatty = subprocess.run([sys.executable, "-m", "bot.cli", "run"], input="Luis: estado\n", capture_output=True,
                            text=True, cwd=ROOT, env={**env, "LOG_LEVEL": "INFO"}, timeout=120)
    assert "INFO bot.outbox" in chatty.stderr
