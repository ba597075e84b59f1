"""Broken playbook and directory files are refused with the file, the line and the reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.loading import ConfigError, load_all
from bot.playbooks import load_playbooks
from bot.settings import Settings
from tests.support import DIRECTORY, PLAYBOOK, ROOT, SHIPPED_DIRECTORY


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    index = -1
    for _ in range(occurrence):
        index = text.index(fragment, index + 1)
    return text[:index].count("\n") + 1


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(playbook: Path, directory: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_all(playbook, directory)
    return [str(p) for p in caught.value.problems]


def test_the_shipped_files_are_valid() -> None:
    playbook, directory = load_all(PLAYBOOK, SHIPPED_DIRECTORY)
    assert directory is not None
    shipped = load_playbooks(Settings(directory=SHIPPED_DIRECTORY, playbook=PLAYBOOK, playbooks=str(ROOT / "playbooks" / "*.yaml")))
    assert sorted(shipped.cases) == ["comteco_danos_reiterados", "comteco_direccionamiento"]
    assert shipped.crisis.id == "fullpyme_contingencia"
    assert [s.number for s in playbook.steps] == ["1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "8e", "8f"]
    assert playbook.step("entel").input is not None
    assert "600 3600 106" in " ".join(playbook.step("entel").instructions)
    assert {p.name for p in directory.with_role("declarantes")} == {"Juan Pablo", "Cecilia", "Catalina", "Jaime"}
    assert [r.id for r in playbook.recurring] == ["mailchimp"]


def test_misspelt_role_in_a_step(tmp_path: Path) -> None:
    text = PLAYBOOK.read_text(encoding="utf-8").replace("responsibles: [entel]", "responsibles: [entell]")
    playbook = write(tmp_path, "pb.yaml", text)
    found = problems(playbook, DIRECTORY)
    assert found == [f"{playbook}:{line_of(text, 'responsibles: [entell]')}: rol desconocido 'entell' "
                     f"(roles definidos: chequeo, cierre, coordinacion, declarantes, email_masivo, entel, timify, web)"]


def test_duplicate_step_id_and_unknown_dependency(tmp_path: Path) -> None:
    text = PLAYBOOK.read_text(encoding="utf-8")
    text = text.replace("  - id: email\n", "  - id: banner\n").replace("after: [decretar, entel,", "after: [decretar, entelx,")
    playbook = write(tmp_path, "pb.yaml", text)
    found = problems(playbook, DIRECTORY)
    assert f"{playbook}:{line_of(text, 'id: banner', 2)}: id de paso duplicado 'banner'" in found
    assert any(p.startswith(f"{playbook}:{line_of(text, 'after: [decretar, entelx,')}:") and "entelx" in p for p in found)


def test_person_without_channel_and_unknown_role_in_directory(tmp_path: Path) -> None:
    text = DIRECTORY.read_text(encoding="utf-8")
    text = text.replace('    email: marcelo@fullpyme.example\n    whatsapp: "+56911110009"\n', "")
    text = text.replace("roles: [timify]\n", "roles: [timifi]\n")
    directory = write(tmp_path, "dir.yaml", text)
    found = problems(PLAYBOOK, directory)
    assert f"{directory}:{line_of(text, '- id: marcelo')}: Marcelo no tiene ningún canal (slack_id, email o whatsapp)" in found
    assert any(p.startswith(f"{directory}:{line_of(text, 'roles: [timifi]')}: rol desconocido 'timifi'") for p in found)


def test_schema_errors_point_at_their_line(tmp_path: Path) -> None:
    text = PLAYBOOK.read_text(encoding="utf-8").replace("  escalate_after: 30m\n", "  escalate_after: media hora\n")
    text = text.replace("  - id: email\n", "  - id: email\n    titel: typo\n")
    playbook = write(tmp_path, "pb.yaml", text)
    found = problems(playbook, DIRECTORY)
    assert any(p.startswith(f"{playbook}:{line_of(text, 'escalate_after: media hora')}: policy.escalate_after:") for p in found)
    assert any(p.startswith(f"{playbook}:{line_of(text, 'titel: typo')}: paso 5: «titel» no es un campo conocido") for p in found)


def test_yaml_syntax_error(tmp_path: Path) -> None:
    text = PLAYBOOK.read_text(encoding="utf-8").replace("name: Plan de contingencia FullPyme", "name: [Plan de")
    playbook = write(tmp_path, "pb.yaml", text)
    [problem] = problems(playbook, DIRECTORY)
    assert problem == f"{playbook}:{line_of(text, 'name: [Plan de')}: falta cerrar «]» o «}}»"


def test_bad_cron(tmp_path: Path) -> None:
    text = PLAYBOOK.read_text(encoding="utf-8").replace('cron: "0 10 1 * *"', 'cron: "0 10 32 * *"')
    playbook = write(tmp_path, "pb.yaml", text)
    [problem] = problems(playbook, DIRECTORY)
    assert problem.startswith(f"{playbook}:{line_of(text, 'cron:')}: ") and "cron no válido" in problem


def crisisbot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=60)


def test_check_command_exit_codes(tmp_path: Path) -> None:
    ok = crisisbot("check")
    assert ok.returncode == 0, ok.stderr
    assert "OK" in ok.stdout
    text = PLAYBOOK.read_text(encoding="utf-8").replace("responsibles: [web]", "responsibles: [wev]")
    playbook = write(tmp_path, "pb.yaml", text)
    import os

    bad = crisisbot("check", env={**os.environ, "PLAYBOOK": str(playbook)})
    assert bad.returncode == 1
    assert f"{playbook}:{line_of(text, 'responsibles: [wev]')}: rol desconocido 'wev'" in bad.stderr


def test_run_refuses_a_broken_playbook_at_start_up(tmp_path: Path) -> None:
    import os

    text = PLAYBOOK.read_text(encoding="utf-8").replace("responsibles: [web]", "responsibles: [wev]")
    playbook = write(tmp_path, "pb.yaml", text)
    env = {**os.environ, "PLAYBOOK": str(playbook), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "run"], input="Jaime: ALERTA ROJA\n", capture_output=True,
                            text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 1
    assert "rol desconocido 'wev'" in result.stderr
    assert "ALERTA ROJA" not in result.stdout
