"""Review of issue 10's settings as a new user would get them wrong, with values of the
same kinds as the issue's but not the same: a log level logging does not know, durations
and ports out of range, `serve --port` out of range or 0. Each is one line naming the
variable (exit 2, no traceback), never a value taken silently."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import bot.app
from bot.cli import main
from bot.settings import Settings
from bot.settings_errors import EXIT_SETTINGS
from tests.support import DIRECTORY, PLAYBOOK


@pytest.fixture
def here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # its own .env and database
    for name in list(os.environ):
        if name.lower() in Settings.model_fields:
            monkeypatch.delenv(name)
    monkeypatch.setenv("PLAYBOOK", str(PLAYBOOK))
    monkeypatch.setenv("DIRECTORY", str(DIRECTORY))
    return tmp_path


@pytest.mark.parametrize(("env", "expected"), [
    ("LOG_LEVEL=foo\n", "LOG_LEVEL (.env, línea 1): «FOO» no vale (opciones: 'DEBUG', 'INFO', 'WARNING', 'ERROR', "
                        "'CRITICAL'); corrígela o bórrala para usar el valor por defecto (INFO)"),
    ("PANEL_LINK_MINUTES=-5\n", "PANEL_LINK_MINUTES (.env, línea 1): «-5» está fuera de rango (>= 1); "
                                "corrígela o bórrala para usar el valor por defecto (120)"),
    ("PANEL_SESSION_HOURS=0\n", "PANEL_SESSION_HOURS (.env, línea 1): «0» está fuera de rango (>= 1); "
                                "corrígela o bórrala para usar el valor por defecto (12)"),
    ("PORT=99999\n", "PORT (.env, línea 1): «99999» está fuera de rango (<= 65535); "
                     "corrígela o bórrala para usar el valor por defecto (8000)"),
    ("OUTBOX_MAX_ATTEMPTS=0\n", "OUTBOX_MAX_ATTEMPTS (.env, línea 1): «0» está fuera de rango (>= 1); "
                                "corrígela o bórrala para usar el valor por defecto (8)"),
    ("TWILIO_MESSAGES_PER_SECOND=0\n", "TWILIO_MESSAGES_PER_SECOND (.env, línea 1): «0» está fuera de rango (> 0.0); "
                                       "corrígela o bórrala para usar el valor por defecto (10.0)"),
])
@pytest.mark.parametrize("command", [["check"], ["run"], ["serve"]])
def test_a_setting_out_of_its_range_is_one_line(command: list[str], env: str, expected: str, here: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (here / ".env").write_text(env, encoding="utf-8")
    assert main(command) == EXIT_SETTINGS
    out, err = capsys.readouterr()
    assert err.splitlines() == [expected] and out == ""


def test_a_log_level_in_lower_case_is_taken(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / ".env").write_text("LOG_LEVEL=debug\n", encoding="utf-8")
    assert main(["check"]) == 0
    assert Settings().log_level == "DEBUG"


@pytest.mark.parametrize("port", ["99999", "-1", "ocho"])
def test_serve_refuses_a_port_out_of_range_as_a_usage_error(port: str, here: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", port])
    assert exited.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("crisisbot serve: error: argument --port:") and "Traceback" not in "".join(err)


def test_serve_on_port_0_lets_the_system_pick_one(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--port 0` is a free port (uvicorn binds 0), not PORT's default silently."""
    listened: list[int] = []
    monkeypatch.setattr(bot.app, "run_server", lambda app, host, port, log_level: listened.append(port))
    assert main(["serve", "--host", "127.0.0.1", "--port", "0"]) == 0
    assert listened == [0]


DIRECTORY_TEXT = DIRECTORY.read_text(encoding="utf-8")
PLAYBOOK_TEXT = PLAYBOOK.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("deep.yaml", "people: " + "[" * 20_000 + "]" * 20_000 + "\n",
     "deep.yaml:1: anidado a demasiada profundidad (listas o sangrías unas dentro de otras): simplifícalo"),
    ("indented.yaml", "people:\n" + "".join(" " * i + "a:\n" for i in range(1, 3000)), "indented.yaml:"),
    ("nul.yaml", DIRECTORY_TEXT.replace("name: Luis", "name: Lu\x00is", 1),
     "nul.yaml:26: carácter no admitido U+0000 (un carácter de control): bórralo"),
    ("escape.yaml", DIRECTORY_TEXT.replace("name: Luis", "name: Lu\x1bis", 1), "escape.yaml:26: carácter no admitido U+001B"),
    ("long_id.yaml", DIRECTORY_TEXT.replace("id: luis", "id: " + "l" * 100, 1),
     "long_id.yaml:25: persona «Luis», id: demasiado largo: 100 caracteres, como mucho 64"),
    ("long_playbook_id.yaml", PLAYBOOK_TEXT.replace("id: fullpyme_contingencia", "id: " + "f" * 90, 1),
     "long_playbook_id.yaml:4: id: demasiado largo: 90 caracteres, como mucho 64"),
])
def test_a_file_yaml_or_the_database_would_choke_on_is_one_line(name: str, text: str, expected: str, here: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Thousands of nested brackets or indents (PyYAML composes recursively), a control
    character (PyYAML's reader refuses it before parsing), an id longer than the database's
    String(80) columns (SQLite would take it, PostgreSQL would refuse the first row)."""
    (here / name).write_text(text, encoding="utf-8")
    assert main(["check", name]) == 1
    out, err = capsys.readouterr()
    lines = (out + err).splitlines()
    assert lines[0].startswith(expected) and lines[-1] == "1 problema(s).", lines
    assert "Traceback" not in out + err


@pytest.mark.parametrize("command", [["check"], ["run"], ["serve"], ["informe"]])
def test_a_dotenv_not_in_utf8_is_one_line(command: list[str], here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A `.env` saved as Latin-1 (pydantic-settings reads it as UTF-8 and raises)."""
    (here / ".env").write_bytes("# café\nPORT=8000\n".encode("latin-1"))
    assert main(command) == EXIT_SETTINGS
    out, err = capsys.readouterr()
    assert err.splitlines() == [".env:1: no está en UTF-8: guárdalo como UTF-8 (byte 0xE9 no válido)"] and out == ""


def test_doctor_says_a_dotenv_not_in_utf8_in_one_line(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / ".env").write_bytes("CRISISBOT_LANG=en\n# café\n".encode("latin-1"))
    assert main(["doctor"]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert any(line.endswith(".env:2: no está en UTF-8: guárdalo como UTF-8 (byte 0xE9 no válido)") for line in out.splitlines())
