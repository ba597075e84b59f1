"""`crisisbot recorrer`: every path of a case playbook, one line each, in the reader's language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import cli
from flows.playbook import Playbook
from flows.walk import walk, walk_lines

ROLES = {"declarers": ["mesa"], "coordinators": ["mesa"], "roles": {"mesa": "Mesa"}}


def step(id_: str, number: str, **more: object) -> dict[str, object]:
    return {"id": id_, "number": number, "title": id_, "responsibles": ["mesa"], **more}


def playbook(*steps: dict[str, object]) -> Playbook:
    return Playbook.model_validate({"id": "danos", "name": "Daños", "kind": "case", "case": {"prefix": "R"},
                                    "fields": [{"id": "estado", "label": "estado"}], "steps": list(steps), **ROLES})


LOOP = playbook(
    step("recibe", "1", kind="ask", options=[
        {"value": "cc", "label": {"es": "Call Center", "en": "Call centre"}, "goto": "revisa"},
        {"value": "hd", "label": "Help Desk", "goto": "cierre"}]),
    step("revisa", "2", next=[{"when": "estado == 'cerrada'", "goto": "cierre"}, {"goto": "revisa_otra"}]),
    step("revisa_otra", "3", kind="ask", options=[
        {"value": "si", "label": "Resuelto", "goto": "cierre"}, {"value": "no", "label": "Otra vez", "goto": "revisa"}]),
    step("cierre", "4", kind="end", outcome={"es": "Gestión técnica", "en": "Technical desk"}),
)


def test_every_path_from_the_start_to_an_end_each_loop_once() -> None:
    assert walk_lines(LOOP, "es") == [
        "Daños (danos): caminos del paso 1 a un final",
        "1. paso 1 [Call Center] → 2 [estado == 'cerrada'] → 4 → fin: Gestión técnica",
        "2. paso 1 [Call Center] → 2 → 3 [Resuelto] → 4 → fin: Gestión técnica",
        "3. paso 1 [Call Center] → 2 → 3 [Otra vez] → 2 [estado == 'cerrada'] → 4 → fin: Gestión técnica",
        "4. paso 1 [Help Desk] → 4 → fin: Gestión técnica",
        "4 caminos.",
    ]


def test_in_english() -> None:
    lines = walk_lines(LOOP, "en")
    assert lines[1] == "1. step 1 [Call centre] → 2 [estado == 'cerrada'] → 4 → end: Technical desk"
    assert lines[-1] == "4 paths."


def test_options_that_lead_alike_are_one_path() -> None:
    many = playbook(
        step("motivo", "7", kind="ask", options=[{"value": f"m{i}", "label": f"Motivo {i}", "goto": "fin"} for i in range(5)]),
        step("fin", "8", kind="end", outcome="derivado"))
    assert walk_lines(many, "es")[1:] == ["1. paso 7 [Motivo 0 / Motivo 1 y 3 opciones más] → 8 → fin: derivado", "1 camino."]


def test_at_most_200_paths_and_it_says_so() -> None:
    # 8 questions of 2 answers each, «b» through a step of its own: 256 different paths
    steps: list[dict[str, object]] = []
    for i in range(8):
        after = f"q{i + 1}" if i < 7 else "fin"
        steps.append(step(f"q{i}", str(i + 1), kind="ask", options=[
            {"value": "a", "label": "A", "goto": after}, {"value": "b", "label": "B", "goto": f"r{i}"}]))
        steps.append(step(f"r{i}", f"{i + 1}b", next=[{"goto": after}]))
    found = walk(playbook(*steps, step("fin", "F", kind="end", outcome="x")))
    assert found.capped and len(found.paths) == 200
    lines = walk_lines(playbook(*steps, step("fin", "F", kind="end", outcome="x")), "es")
    assert lines[-1].startswith("Se muestran los primeros 200 caminos")


def test_recorrer_prints_the_paths_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "danos.yaml"
    file.write_text(LOOP.model_dump_json(exclude_defaults=True), encoding="utf-8")
    monkeypatch.setenv("CRISISBOT_LANG", "es")
    assert cli.main(["recorrer", str(file)]) == 0
    out = capsys.readouterr().out
    assert "4. paso 1 [Help Desk] → 4 → fin: Gestión técnica" in out and out.rstrip().endswith("4 caminos.")


def test_recorrer_of_a_broken_graph_prints_its_problems_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "danos.yaml"
    broken = LOOP.model_dump(mode="json", exclude_defaults=True)
    broken["steps"][1]["next"][1]["goto"] = "nada"
    file.write_text(json.dumps(broken), encoding="utf-8")
    monkeypatch.setenv("CRISISBOT_LANG", "es")
    assert cli.main(["recorrer", str(file)]) == 1
    err = capsys.readouterr().err
    assert f"{file}:1: paso 2: va al paso 'nada', que no existe" in err


def test_a_path_remembers_its_answers_and_leaves_out_what_they_rule_out() -> None:
    desk = Playbook.model_validate({
        "id": "mesa", "name": "Mesa", "kind": "case", "case": {"prefix": "M"}, **ROLES,
        "fields": [{"id": "tipo", "kind": "choice", "label": "tipo",
                    "options": [{"value": "venta", "label": "Venta"}, {"value": "baja", "label": "Baja"}]}],
        "steps": [
            step("tipo", "1", kind="ask", field="tipo", options=[{"value": "venta", "label": "Venta", "goto": "ventas"},
                                                                 {"value": "baja", "label": "Baja", "goto": "bajas"}]),
            step("ventas", "2", next=[{"goto": "ficha"}]),
            step("bajas", "3"),
            step("ficha", "4", next=[{"when": "tipo == 'venta'", "goto": "fin_venta"}, {"goto": "fin_baja"}]),
            step("fin_venta", "5", kind="end", outcome="Venta"),
            step("fin_baja", "6", kind="end", outcome="Retiro"),
        ]})
    assert walk_lines(desk, "es")[1:] == [
        "1. paso 1 [Venta] → 2 → 4 [tipo == 'venta'] → 5 → fin: Venta",  # not «Venta → … → fin: Retiro»
        "2. paso 1 [Baja] → 3 → 4 → 6 → fin: Retiro",  # nor «Baja → 4 [tipo == 'venta']»
        "2 caminos.",
    ]
