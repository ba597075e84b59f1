"""Running `crisisbot doctor` as a person would: the environment set, the command run, its
output read. Nothing of the developer's environment or `.env` leaks in."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings
from persistence.database import make_engine, migrate
from tests.support import DIRECTORY, PLAYBOOK


def migrated_database(tmp_path: Path) -> str:
    """A SQLite file migrated to head, as `crisisbot serve` leaves it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'crisis.db'}"

    async def run() -> None:
        engine = make_engine(url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
    return url


def run_doctor(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
               timeout: float = 5.0, **env: str) -> tuple[int, str]:
    """`crisisbot doctor` with exactly these settings (besides the example playbook and
    directory and a migrated database, unless given); its exit code and everything printed."""
    monkeypatch.chdir(tmp_path)  # no .env
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    values = {"PLAYBOOK": str(PLAYBOOK), "DIRECTORY": str(DIRECTORY)}
    if "DATABASE_URL" not in env:
        values["DATABASE_URL"] = migrated_database(tmp_path)
    values.update(env)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = main(["doctor", "--timeout", str(timeout)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def line_with(output: str, fragment: str) -> str:
    """The one printed line that contains `fragment`."""
    found = [line for line in output.splitlines() if fragment in line]
    assert len(found) == 1, (fragment, output)
    return found[0]
