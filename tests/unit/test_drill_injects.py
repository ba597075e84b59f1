"""A drill file (issue 14 point 3): read with its lines, refused with the file, the line and
what is wrong; and the references of a playbook's injects refused by `crisisbot check`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.drill_script import ScriptProblem, check_script, parse_script
from bot.loading import ConfigError, load_all
from flows.crisis import Crisis, CrisisState
from flows.drill_injects import unavailable
from flows.playbook import Playbook
from tests.support import DIRECTORY, PLAYBOOK, START

GOOD = """\
# Simulacro: Entel no contesta
injects:
  - at: 5m
    to_step: "2"
    text: Entel no contesta. Prueba el número de respaldo.
  - at: 12m
    unavailable: luis
  - at: 1h
    incident: {es: También se cayó el correo, en: Email is down too}
  - at: 20m
    to: coordinacion
    text: ¿Quién avisa a los clientes grandes?
"""


def problem(text: str, lang: str = "es") -> str:
    with pytest.raises(ScriptProblem) as caught:
        parse_script(text, "guion.yaml", lang=lang)
    return str(caught.value)


def test_a_good_file_gives_its_injects_in_order() -> None:
    first, away, incident, ask = parse_script(GOOD, "guion.yaml")
    assert (first.at, first.to_step, first.text) == (timedelta(minutes=5), "2", "Entel no contesta. Prueba el número de respaldo.")
    assert (away.at, away.unavailable) == (timedelta(minutes=12), "luis")
    assert incident.incident is not None and incident.incident.in_lang("en") == "Email is down too"
    assert (ask.to, ask.to_step) == ("coordinacion", None)


def test_the_shipped_example_reads_and_names_what_the_playbook_has(tmp_path: Path) -> None:
    example = PLAYBOOK.parent / "simulacros" / "entel_no_contesta.yaml"
    playbook, directory = load_all(PLAYBOOK, DIRECTORY)
    assert directory is not None
    injects = check_script(example.read_text(encoding="utf-8"), str(example), playbook, directory)
    assert len(injects) >= 3


@pytest.mark.parametrize(("text", "expected"), [
    (GOOD.replace("at: 12m", "at: pronto"),
     "guion.yaml:6: inyección 2, at: duración no válida «pronto»: usa por ejemplo '10m', '1h' o '2h30m'"),
    (GOOD.replace("    unavailable: luis\n", "    unavailable: luis\n    text: hola\n"),
     "guion.yaml:6: inyección 2: cada inyección lleva una sola cosa: «text», «unavailable» o «incident»"),
    (GOOD.replace("    to: coordinacion\n", ""),
     "guion.yaml:10: inyección 4: «text» necesita a quién: «to» (persona o rol) o «to_step» (número de paso), uno de los dos"),
    (GOOD.replace("    to: coordinacion\n", "    para: coordinacion\n"),
     "guion.yaml:11: inyección 4, para: «para» no es un campo conocido (¿una errata?)"),
    (GOOD.replace('to_step: "2"', "to_step: 2"),
     "guion.yaml:4: inyección 1, to_step: «to_step» debe ser un texto (un número de paso va entre comillas: \"2\")"),
    (GOOD.replace("    text: Entel", "   text: Entel"), "guion.yaml:5: la sangría no cuadra"),
    # read as a playbook is (bot/loading.py): a key written twice, nesting thousands deep
    (GOOD.replace("    unavailable: luis\n", "    unavailable: luis\n    unavailable: valeria\n"),
     "guion.yaml:8: la clave «unavailable» está repetida (líneas 7 y 8)"),
    ("injects:\n  - at: " + "[" * 5000 + "\n", "guion.yaml:2: "),
    (GOOD.replace("  - at: 1h\n", "  - to: luis\n"),
     "guion.yaml:8: inyección 3: falta «at»"),
    ("", "guion.yaml:1: el archivo está vacío"),
    ("pasos:\n  - at: 5m\n", "guion.yaml:1: falta «injects:»"),
    ("injects: []\n", "guion.yaml:1: «injects:» no tiene ningún evento"),
])
def test_a_broken_file_is_refused_with_its_line_and_what_is_wrong(text: str, expected: str) -> None:
    said = problem(text)
    assert said.startswith(expected), said
    assert "Traceback" not in said and "pydantic" not in said


def test_the_problem_is_said_in_the_readers_language() -> None:
    said = problem(GOOD.replace("at: 12m", "at: soon"), lang="en")
    assert said.startswith("guion.yaml:6: inject 2, at: invalid duration «soon»"), said


def test_references_are_checked_against_the_playbook_and_the_directory() -> None:
    playbook, directory = load_all(PLAYBOOK, DIRECTORY)
    assert directory is not None
    text = GOOD.replace('to_step: "2"', 'to_step: "9"').replace("unavailable: luis", "unavailable: lucho")
    with pytest.raises(ScriptProblem) as caught:
        check_script(text, "guion.yaml", playbook, directory)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("guion.yaml:4: simulacro, inyección 1, to_step: «9» no es un paso (pasos: 1, 2, 3"), lines
    assert lines[1].startswith("guion.yaml:7: simulacro, inyección 2, unavailable: «lucho» no es el id de una persona"), lines
    # a step by its id, a role and a person's id are all fine
    ok = GOOD.replace('to_step: "2"', "to_step: entel").replace("unavailable: luis", "unavailable: timify")
    assert len(check_script(ok, "guion.yaml", playbook, directory)) == 4


def test_crisisbot_check_refuses_a_playbook_whose_injects_name_nothing(tmp_path: Path) -> None:
    text = PLAYBOOK.read_text(encoding="utf-8") + (
        "drill:\n"
        "  injects:\n"
        "    - at: 5m\n"
        "      to_step: \"12\"\n"
        "      text: Entel no contesta\n"
        "    - at: 10m\n"
        "      unavailable: pedro\n")
    playbook_path = tmp_path / "pb.yaml"
    playbook_path.write_text(text, encoding="utf-8")
    lines = text.count("\n")
    with pytest.raises(ConfigError) as caught:
        load_all(playbook_path, DIRECTORY)
    said = [str(p) for p in caught.value.problems]
    assert f"{playbook_path}:{lines - 3}: simulacro, inyección 1, to_step: «12» no es un paso (pasos: 1, 2, 3, 4, 5, 6, 7, 8a" \
        in said[0], said
    assert any(p.startswith(f"{playbook_path}:{lines}: simulacro, inyección 2, unavailable: «pedro» no es el id") for p in said), said


def test_somebody_is_unavailable_from_the_inject_s_time_on_the_drill_s_clock() -> None:
    playbook, directory = load_all(PLAYBOOK, DIRECTORY)
    assert directory is not None
    injects = parse_script(GOOD.replace("unavailable: luis", "unavailable: timify"), "guion.yaml")
    frozen = playbook.model_copy(update={"drill": playbook.drill.model_copy(update={"injects": list(injects)})})
    drill = Crisis(id="d", playbook_id=playbook.id, state=CrisisState.ACTIVE, declared_at=START, declared_by="jaime",
                   playbook_json=frozen.model_dump_json(), drill=True)
    assert unavailable(drill, directory, START + timedelta(minutes=11)) == frozenset()
    away = unavailable(drill, directory, START + timedelta(minutes=12))
    assert away == {"cecilia", "catalina", "jaime", "valeria", "claudia_riveros", "marcelo"}  # the role timify
    real = Crisis(id="r", playbook_id=playbook.id, state=CrisisState.ACTIVE, declared_at=START, declared_by="jaime",
                  playbook_json=frozen.model_dump_json())
    assert unavailable(real, directory, START + timedelta(hours=1)) == frozenset()  # only a drill
    assert Playbook.from_frozen(drill.playbook_json).drill.injects == list(injects)
