"""`crisisbot doctor` without chat platforms: the settings, the files and the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.doctor_helpers import line_with, run_doctor

Capsys = pytest.CaptureFixture[str]


def test_a_migrated_database_and_valid_files_pass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    code, out = run_doctor(monkeypatch, tmp_path, capsys)
    assert line_with(out, "Configuración").startswith("✅")
    assert line_with(out, "fullpyme_contingencia.yaml").startswith("✅")
    assert line_with(out, "Base de datos").startswith("✅") and "migrada" in out
    # only the terminal: a warning, not a failure
    assert line_with(out, "Ningún canal de chat").startswith("⚠️")
    assert code == 0


def test_a_database_not_migrated_fails_and_says_how_to_migrate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                               capsys: Capsys) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()  # a fresh empty SQLite file
    code, out = run_doctor(monkeypatch, tmp_path, capsys, DATABASE_URL=f"sqlite+aiosqlite:///{empty}")
    line = line_with(out, "Base de datos")
    assert line.startswith("❌") and "sin migrar" in line and "crisisbot serve" in line
    assert code == 1
    assert empty.stat().st_size == 0  # doctor never migrates


def test_a_missing_database_file_is_not_created(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    missing = tmp_path / "nowhere.db"
    code, out = run_doctor(monkeypatch, tmp_path, capsys, DATABASE_URL=f"sqlite+aiosqlite:///{missing}")
    assert line_with(out, "Base de datos").startswith("❌") and code == 1
    assert not missing.exists()


def test_an_unreachable_database_is_a_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                           capsys: Capsys) -> None:
    url = "postgresql://crisis:s3cr3t-pass@127.0.0.1:9/crisis"  # port 9 (discard): nothing listens
    code, out = run_doctor(monkeypatch, tmp_path, capsys, DATABASE_URL=url)
    line = line_with(out, "Base de datos")
    assert line.startswith("❌") and "no se puede abrir" in line and "DATABASE_URL" in line
    assert "s3cr3t-pass" not in out and "Traceback" not in out
    assert code == 1


def test_each_bad_setting_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    code, out = run_doctor(monkeypatch, tmp_path, capsys, OUTBOX_CONCURRENCY="muchas", PORT="ochenta")
    assert line_with(out, "OUTBOX_CONCURRENCY").startswith("❌ Configuración: OUTBOX_CONCURRENCY:")
    assert line_with(out, "PORT:").startswith("❌")
    assert "muchas" not in out  # the value is not echoed (it might be a secret)
    assert "Traceback" not in out and code == 1


def test_file_problems_keep_their_file_and_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    broken = tmp_path / "directory.yaml"
    broken.write_text("people:\n  - id: Ana Maria\n    name: Ana\n", encoding="utf-8")
    code, out = run_doctor(monkeypatch, tmp_path, capsys, DIRECTORY=str(broken))
    line = line_with(out, "directory.yaml:2")
    assert line.startswith("❌") and "crisisbot check" in line
    assert code == 1


def test_english_with_crisisbot_lang(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Capsys) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    code, out = run_doctor(monkeypatch, tmp_path, capsys, CRISISBOT_LANG="en", DATABASE_URL=f"sqlite+aiosqlite:///{empty}")
    assert line_with(out, "Database").startswith("❌") and "not migrated" in out and "run crisisbot serve" in out
    assert "problem(s)" in out and "Base de datos" not in out
    assert code == 1
