"""Bad settings stop every command with one line per variable (name, where it came from,
reason, what to do), exit code 2, no pydantic dump, no secret; and `serve` / `run` refuse
broken files exactly as `check` does, before any server starts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings_errors import EXIT_SETTINGS
from tests.support import DIRECTORY, PLAYBOOK, ROOT


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., int]:
    monkeypatch.chdir(tmp_path)  # its own .env
    for name in list(os.environ):
        if name.upper() in ("PORT", "CRISISBOT_LANG", "OUTBOX_CONCURRENCY", "SLACK_BOT_TOKEN", "TWILIO_ACCOUNT_SID"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PLAYBOOK", str(PLAYBOOK))
    monkeypatch.setenv("DIRECTORY", str(DIRECTORY))
    return main


ENV_CASES = [  # .env text, the line printed
    ("PORT=\n", "PORT (.env, línea 1): está vacía; corrígela o bórrala para usar el valor por defecto (8000)"),
    ("# bot\nLOG_LEVEL=INFO\nport=ocho mil\n",
     "PORT (.env, línea 3): «ocho mil» no es un número entero; corrígela o bórrala para usar el valor por defecto (8000)"),
    ("OUTBOX_CONCURRENCY=0\n",
     "OUTBOX_CONCURRENCY (.env, línea 1): «0» está fuera de rango (>= 1); "
     "corrígela o bórrala para usar el valor por defecto (16)"),
    ("CRISISBOT_LANG=fr\n",
     "CRISISBOT_LANG (.env, línea 1): «fr» no vale (opciones: 'es', 'en'); "
     "corrígela o bórrala para usar el valor por defecto (es)"),
    ("CRISISBOT_LANG=en\nPORT=\n", "PORT (.env, line 2): is empty; fix it or remove it to use the default (8000)"),
]


@pytest.mark.parametrize("command", [["check"], ["run"], ["serve"], ["informe"]])
@pytest.mark.parametrize(("env", "expected"), ENV_CASES)
def test_a_bad_setting_is_one_line_for_every_command(
    command: list[str], env: str, expected: str, cli: Callable[..., int], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / ".env").write_text(env, encoding="utf-8")
    assert cli(command) == EXIT_SETTINGS == 2
    out, err = capsys.readouterr()
    assert err.splitlines() == [expected]
    assert out == ""


def test_from_the_environment_and_never_the_secret(cli: Callable[..., int], monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PORT", "80a")
    monkeypatch.setenv("PANEL_LINK_MINUTES", "")
    assert cli(["check"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "PORT (variable de entorno): «80a» no es un número entero; corrígela o bórrala para usar el valor por defecto (8000)",
        "PANEL_LINK_MINUTES (variable de entorno): está vacía; corrígela o bórrala para usar el valor por defecto (120)",
    ]


BROKEN = PLAYBOOK.read_text(encoding="utf-8").replace("responsibles: [web]", "responsibles: [wev]", 1)


def test_serve_refuses_a_broken_file_as_check_does_before_the_server_starts(tmp_path: Path) -> None:
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(BROKEN, encoding="utf-8")
    env = {**os.environ, "PLAYBOOK": str(playbook), "DIRECTORY": str(DIRECTORY), "PORT": "0",
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", "CRISISBOT_LANG": "es"}
    runs = {command: subprocess.run([sys.executable, "-m", "bot.cli", command], capture_output=True, text=True,
                                    cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, timeout=60, stdin=subprocess.DEVNULL)
            for command in ("check", "serve", "run")}
    line = BROKEN[:BROKEN.index("responsibles: [wev]")].count("\n") + 1
    expected = [f"{playbook}:{line}: rol desconocido 'wev' (roles definidos: chequeo, cierre, coordinacion, declarantes, "
                "email_masivo, entel, timify, web)", "1 problema(s)."]
    for command, result in runs.items():
        assert (command, result.returncode) == (command, 1)
        assert (command, result.stderr.splitlines()) == (command, expected)  # no uvicorn line, no traceback
    assert not (tmp_path / "x.db").exists()  # refused before the database was even opened
