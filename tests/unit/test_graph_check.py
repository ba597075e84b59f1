"""`crisisbot check` proves a case playbook's graph: what its author reads, `file:line: words`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.loading import ConfigError, load_all

HEAD = """\
id: prueba
name: Prueba
kind: case
case: {prefix: P}
declarers: [mesa]
coordinators: [mesa]
roles: {mesa: Mesa, tecnico: Técnico}
fields:
  - {id: canal, kind: choice, label: canal, options: [{value: web, label: Web}, {value: fono, label: Fono}]}
steps:
"""

DIRECTORY = """\
people:
  - {id: ana, name: Ana, roles: [mesa, tecnico], email: ana@example.com}
"""


def problems(tmp_path: Path, steps: str, head: str = HEAD, directory: str = DIRECTORY) -> list[str]:
    playbook = tmp_path / "prueba.yaml"
    playbook.write_text(head + steps, encoding="utf-8")
    people = tmp_path / "directory.yaml"
    people.write_text(directory, encoding="utf-8")
    try:
        load_all(playbook, people)
    except ConfigError as exc:
        return [str(p).removeprefix(f"{playbook}:") for p in exc.problems]
    return []


def test_an_unreachable_step_is_named_by_number(tmp_path: Path) -> None:
    steps = """\
  - {id: a, number: "1", title: A, responsibles: [mesa], next: [{goto: c}]}
  - {id: b, number: "2", title: B, responsibles: [mesa]}
  - {id: c, number: "3", title: C, responsibles: [mesa], kind: end, outcome: listo}
"""
    assert problems(tmp_path, steps) == ["12: paso 2 no se alcanza desde el inicio"]


def test_an_option_that_leads_nowhere(tmp_path: Path) -> None:
    steps = """\
  - id: a
    number: "1"
    title: A
    responsibles: [mesa]
    kind: ask
    field: canal
    options:
      - {value: web, label: Web, goto: c}
      - {value: fono, label: Fono}
    next: [{when: "canal == 'web'", goto: c}]
  - {id: c, number: "2", title: C, responsibles: [mesa], kind: end, outcome: listo}
"""
    assert problems(tmp_path, steps) == [
        "19: paso 1: la opción «fono» no lleva a ningún paso: ponle «goto» o un «next» con «canal == 'fono'»"]


def test_an_option_routed_by_a_condition_naming_it_is_fine(tmp_path: Path) -> None:
    steps = """\
  - id: a
    number: "1"
    title: A
    responsibles: [mesa]
    kind: ask
    field: canal
    options: [{value: web, label: Web}, {value: fono, label: Fono}]
    next: [{when: "canal == 'web'", goto: c}, {when: "canal in ['fono']", goto: c}]
  - {id: c, number: "2", title: C, responsibles: [mesa], kind: end, outcome: listo}
"""
    assert problems(tmp_path, steps) == []


def test_a_loop_with_no_way_out(tmp_path: Path) -> None:
    steps = """\
  - {id: a, number: "1", title: A, responsibles: [mesa], next: [{when: "canal == 'web'", goto: b}, {goto: z}]}
  - {id: b, number: "3", title: B, responsibles: [mesa]}
  - {id: c, number: "4", title: C, responsibles: [mesa], next: [{goto: b}]}
  - {id: z, number: "9", title: Z, responsibles: [mesa], kind: end, outcome: listo}
"""
    assert problems(tmp_path, steps) == ["12: los pasos 3 → 4 → 3 forman un ciclo sin salida"]


def test_a_loop_with_an_exit_is_fine(tmp_path: Path) -> None:
    steps = """\
  - {id: a, number: "1", title: A, responsibles: [mesa]}
  - id: b
    number: "2"
    title: B
    responsibles: [tecnico]
    kind: ask
    options: [{value: si, label: Sí, goto: z}, {value: "no", label: "No", goto: a}]
  - {id: z, number: "3", title: Z, responsibles: [mesa], kind: end, outcome: listo}
"""
    assert problems(tmp_path, steps) == []


def test_a_condition_reading_an_undefined_field_or_a_missing_option(tmp_path: Path) -> None:
    steps = """\
  - {id: a, number: "1", title: A, responsibles: [mesa], next: [{when: "canl == 'web'", goto: z}, {goto: z}]}
  - {id: b, number: "2", title: B, responsibles: [mesa], next: [{when: "canal == 'fax'", goto: z}, {goto: z}]}
  - {id: z, number: "3", title: Z, responsibles: [mesa], kind: end, outcome: listo}
"""
    assert problems(tmp_path, steps) == [
        "11: paso 1: la condición lee «canl», que no es un campo (campos: canal)",
        "12: paso 2: «canal» no tiene la opción 'fax' (opciones: fono, web)",
        "12: paso 2 no se alcanza desde el inicio",
    ]


def test_a_condition_that_does_not_parse_says_where(tmp_path: Path) -> None:
    steps = """\
  - id: a
    number: "1"
    title: A
    responsibles: [mesa]
    next:
      - {when: "canal = 'web'", goto: z}
      - {goto: z}
  - {id: z, number: "2", title: Z, responsibles: [mesa], kind: end, outcome: listo}
"""
    found = problems(tmp_path, steps)
    assert len(found) == 1 and found[0].startswith("16: paso 1: condición no válida en la columna 7")
    assert "«==»" in found[0]


def test_a_role_nobody_holds_is_said_at_the_step(tmp_path: Path) -> None:
    steps = """\
  - {id: a, number: "1", title: A, responsibles: [tecnico]}
  - {id: z, number: "2", title: Z, responsibles: [tecnico], kind: end, outcome: listo}
"""
    directory = "people:\n  - {id: ana, name: Ana, roles: [mesa], email: ana@example.com}\n"
    assert problems(tmp_path, steps, directory=directory) == [
        "11: paso 1: nadie en el directorio tiene el rol 'tecnico' (lo necesitan también los pasos 2)"]


def test_a_last_step_without_next_and_an_end_that_moves(tmp_path: Path) -> None:
    steps = """\
  - {id: a, number: "1", title: A, responsibles: [mesa], next: [{goto: z}, {goto: nada}]}
  - {id: z, number: "2", title: Z, responsibles: [mesa], kind: end, next: [{goto: b}]}
  - {id: b, number: "3", title: B, responsibles: [mesa]}
"""
    assert problems(tmp_path, steps) == [
        "12: paso 2: un paso «end» cierra el caso: no lleva «next» ni «options»",
        "12: paso 2: un paso «end» necesita «outcome» (cómo termina el caso)",
        "13: paso 3: es el último y no tiene «next»: ¿a qué paso sigue el caso?",
        "13: paso 3 no se alcanza desde el inicio",
    ]


SEED_004 = """\
  - id: acoge
    number: "1"
    title: Acoge al cliente
    responsibles: [mesa]
    kind: ask
    options:
      - {value: informacion, label: Información general}
      - {value: ubicar, label: Ubicar funcionario, goto: verifica}
      - {value: tramites, label: Trámites, goto: requisitos}
    next: [{when: "acoge == 'informacion'", goto: informa}]
  - {id: informa, number: "2", title: Informa requisitos, responsibles: [mesa], next: [{goto: fin_info}]}
  - {id: verifica, number: "3", title: Verifica ubicación, responsibles: [mesa]}
  - {id: direcciona, number: "4", title: Direcciona a Seguridad, responsibles: [mesa], next: [{goto: fin_seguridad}]}
  - {id: consulta, number: "5", title: Consulta tipo de trámite, responsibles: [mesa], next: [{goto: fin_tramite}]}
  - id: requisitos
    number: "6"
    title: Verifica requisitos
    responsibles: [mesa]
    kind: ask
    options: [{value: cumple, label: Cumple, goto: ficha}, {value: no_cumple, label: No cumple, goto: comunica}]
  - {id: comunica, number: "7", title: Comunica requisitos, responsibles: [mesa], next: [{goto: fin_tramite}]}
  - {id: ficha, number: "8", title: Entrega ficha, responsibles: [mesa], next: [{goto: fin_tramite}]}
  - {id: fin_info, number: "F1", title: Informado, responsibles: [mesa], kind: end, outcome: informado}
  - {id: fin_seguridad, number: "F2", title: Seguridad, responsibles: [mesa], kind: end, outcome: Seguridad Física}
  - {id: fin_tramite, number: "F3", title: Trámite, responsibles: [mesa], kind: end, outcome: sala de espera}
"""


def test_seed_004_encoded_literally_never_reaches_step_5(tmp_path: Path) -> None:
    """Seed 004 step 1 sends «trámites específicos» to step 6, and nothing leads to step 5."""
    assert problems(tmp_path, SEED_004) == ["24: paso 5 no se alcanza desde el inicio"]


@pytest.mark.parametrize("lang", ["en"])
def test_said_in_english(tmp_path: Path, lang: str) -> None:
    playbook = tmp_path / "prueba.yaml"
    playbook.write_text(HEAD + SEED_004, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_all(playbook, None, lang)
    assert [p.message for p in caught.value.problems] == ["step 5 cannot be reached from the start"]
