"""Several playbooks at once (issue 12, point 1): which files PLAYBOOKS loads, what is refused
at start-up (file, line, what is wrong), and the one directory serving them all: «todos» of
the crisis plan is its own staff, not the people of the case procedures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.loading import ConfigError
from bot.playbooks import load_playbooks
from bot.settings import Settings
from flows.playbook import ALL_STAFF
from tests.support import PLAYBOOK, ROOT, SHIPPED_DIRECTORY

SHIPPED = ROOT / "playbooks"
CASE_FILES = ("comteco_danos_reiterados.yaml", "comteco_direccionamiento.yaml")


def folder_with(tmp_path: Path, *names: str) -> Path:
    for name in (PLAYBOOK.name, SHIPPED_DIRECTORY.name, *names):
        shutil.copy(SHIPPED / name, tmp_path / name)
    return tmp_path


def settings(folder: Path, **values: object) -> Settings:
    return Settings(directory=folder / SHIPPED_DIRECTORY.name, **values)  # type: ignore[arg-type]


def test_unset_every_playbook_of_the_folder_runs_the_directory_excepted(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "playbooks").mkdir()
    folder_with(tmp_path / "playbooks", *CASE_FILES)
    monkeypatch.chdir(tmp_path)  # PLAYBOOK's default, playbooks/fullpyme_contingencia.yaml, is in this folder
    loaded = load_playbooks(Settings(directory=Path("playbooks") / SHIPPED_DIRECTORY.name))
    assert sorted(loaded.all) == ["comteco_danos_reiterados", "comteco_direccionamiento", "fullpyme_contingencia"]
    alone = load_playbooks(Settings(playbook=Path("playbooks") / PLAYBOOK.name,
                                    directory=Path("playbooks") / SHIPPED_DIRECTORY.name))  # PLAYBOOK set: only it
    assert list(alone.all) == ["fullpyme_contingencia"]


def test_a_glob_or_a_list_names_the_playbooks(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, *CASE_FILES)
    by_glob = load_playbooks(settings(folder, playbooks=str(folder / "*.yaml")))
    assert by_glob.crisis.id == "fullpyme_contingencia"
    assert sorted(by_glob.cases) == ["comteco_danos_reiterados", "comteco_direccionamiento"]
    listed = load_playbooks(settings(folder, playbooks=f"{folder / PLAYBOOK.name}, {folder / CASE_FILES[1]}"))
    assert sorted(listed.all) == ["comteco_direccionamiento", "fullpyme_contingencia"]


def refused(folder: Path, playbooks: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_playbooks(settings(folder, playbooks=playbooks))
    return [str(p) for p in caught.value.problems]


def test_what_cannot_run_together_is_refused_with_the_file(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, *CASE_FILES)
    assert refused(folder, str(folder / "nada*.yaml")) == [f"{folder / 'nada*.yaml'}:1: PLAYBOOKS: «{folder / 'nada*.yaml'}» "
                                                           "no corresponde a ningún archivo"]
    [none] = refused(folder, str(folder / "comteco_*.yaml"))
    assert "hace falta exactamente un playbook de crisis (kind: crisis) y hay 0" in none
    twin = folder / "otra_crisis.yaml"
    twin.write_text((folder / PLAYBOOK.name).read_text(encoding="utf-8").replace("id: fullpyme_contingencia", "id: otra"),
                    encoding="utf-8")
    [two] = refused(folder, f"{folder / PLAYBOOK.name},{twin}")
    assert two.startswith(f"{twin}:1:") and "y hay 2" in two
    clash = folder / "clash.yaml"
    clash.write_text((folder / CASE_FILES[1]).read_text(encoding="utf-8")
                     .replace("id: comteco_direccionamiento", "id: clash").replace("prefix: D", "prefix: R"), encoding="utf-8")
    [prefix] = refused(folder, f"{folder / PLAYBOOK.name},{folder / CASE_FILES[0]},{clash}")
    assert prefix.startswith(f"{clash}:1:") and "el prefijo de casos «R» ya lo usa" in prefix


def test_a_role_nobody_holds_in_a_case_playbook_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, *CASE_FILES)
    directory = folder / SHIPPED_DIRECTORY.name
    directory.write_text(directory.read_text(encoding="utf-8").replace("[plat_encargada]", "[plat_asesor]"), encoding="utf-8")
    problems = refused(folder, str(folder / "*.yaml"))
    assert any(str(folder / CASE_FILES[1]) in p and "plat_encargada" in p for p in problems), problems


def test_todos_of_the_crisis_plan_is_its_staff_not_the_case_people() -> None:
    loaded = load_playbooks(Settings(playbook=PLAYBOOK, directory=SHIPPED_DIRECTORY, playbooks=str(SHIPPED / "*.yaml")))
    staff = {p.name for p in loaded.directory.with_role(ALL_STAFF)}
    assert len(staff) == 9 and "Silvia Guzmán" not in staff and "Jaime" in staff
    assert loaded.directory.find("Silvia Guzmán")  # still a person of the directory: cases reach her
    everybody = loaded.directory.scoped_to(loaded.cases["comteco_direccionamiento"].roles)
    assert {"Silvia Guzmán", "Andrés Ticona"} <= {p.name for p in everybody.with_role(ALL_STAFF)}
