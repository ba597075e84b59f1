"""`crisisbot informe <id>`: the report in Markdown, or as HTML and CSV files."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def crisisbot(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    env.pop("SECRET_KEY", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_informe_prints_markdown_or_writes_html_and_csv(tmp_path: Path) -> None:
    played = crisisbot(tmp_path, "run", stdin="Jaime: ALERTA ROJA: caída\nCecilia: tomo 2\n/avanzar 5m\nCecilia: hecho 2\nCecilia: T-9\n")
    assert played.returncode == 0, played.stderr
    [listed] = crisisbot(tmp_path, "informe").stdout.splitlines()  # id, date, state, description
    crisis_id, _, _, state, description = listed.split(maxsplit=4)
    assert (state, description) == ("activa", "caída")

    markdown = crisisbot(tmp_path, "informe", crisis_id)
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith(f"# Informe de la crisis {crisis_id}\n")
    assert "| 2 | Contacto con Entel | Juan Pablo, Cecilia, Catalina, Jaime, Luis | Cecilia | 0 s | 5 min | 0 | 0 | a tiempo |" in markdown.stdout
    assert "| **Tiempo hasta la primera respuesta** | 0 s |" in markdown.stdout

    html, table = tmp_path / "informe.html", tmp_path / "bitacora.csv"
    files = crisisbot(tmp_path, "informe", crisis_id, "--html", str(html), "--csv", str(table))
    assert files.returncode == 0, files.stderr
    assert files.stdout == ""
    assert "<svg" in html.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Fecha y hora" and any("T-9" in row[5] for row in rows[1:])

    missing = crisisbot(tmp_path, "informe", "20000101-0000")
    assert missing.returncode == 1 and "No existe la crisis 20000101-0000." in missing.stderr


def test_informe_lists_drills_apart_from_the_crises_with_their_score(tmp_path: Path) -> None:
    """A drill is never listed as a crisis; `crisisbot informe` shows it apart, with its score
    (review of issue 14: with only drills it said «No hay crisis registradas» and nothing else)."""
    played = crisisbot(tmp_path, "run", stdin="Jaime: SIMULACRO: caída de prueba\n/avanzar 3m\nLuis: hecho 2\nLuis: T-1\n")
    assert played.returncode == 0, played.stderr
    out = crisisbot(tmp_path, "informe").stdout.splitlines()
    assert out[0] == "No hay crisis registradas."
    assert out[2] == "Simulacros (aparte de las crisis; en el panel, /panel/simulacros):"
    _, _, _, mark, rest = out[3].split(maxsplit=4)
    # still open: measured now; 1 and 2 done within their deadline, 3-6 not done yet, 7 not reached
    assert (mark, rest) == ("🧪", "29 % (2 de 7 pasos dentro de su plazo)"), out
