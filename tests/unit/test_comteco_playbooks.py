"""The shipped case playbooks of seeds 001 and 004 (issue 12, point 7): they pass `crisisbot
check`'s graph proof, encode the intent where the seeds' text misroutes, and fit on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.loading import load_playbook
from flows.cases.routing import next_step
from flows.directory import Directory
from flows.graph import check_graph, check_roles_held
from flows.playbook import Playbook, StepKind

ROOT = Path(__file__).resolve().parents[2] / "playbooks"
DANOS = ROOT / "comteco_danos_reiterados.yaml"
DIRECCIONAMIENTO = ROOT / "comteco_direccionamiento.yaml"


def _directory() -> Directory:
    return Directory.model_validate(yaml.safe_load((ROOT / "directory.example.yaml").read_text(encoding="utf-8")))


def _choose(playbook: Playbook, step_id: str, value: str, fields: dict[str, object] | None = None) -> str:
    step = playbook.step(step_id)
    option = next(o for o in step.options if o.value == value)
    found = next_step(playbook, step, {**(fields or {}), step.answer_field: value}, option)
    assert found is not None
    return found.id


@pytest.mark.parametrize("path", [DANOS, DIRECCIONAMIENTO], ids=["001", "004"])
def test_the_graph_is_proved_and_every_role_is_held(path: Path) -> None:
    playbook = load_playbook(path)
    assert check_graph(playbook) == []
    assert check_roles_held(playbook, _directory()) == []


@pytest.mark.parametrize("path", [DANOS, DIRECCIONAMIENTO], ids=["001", "004"])
def test_option_labels_fit_a_phone(path: Path) -> None:
    playbook = load_playbook(path)
    long = [(s.number, lang, o.label.in_lang(lang)) for s in playbook.steps for o in s.options
            for lang in ("es", "en") if len(o.label.in_lang(lang)) > 24]
    assert long == []


def test_001_a_closed_order_at_step_13_goes_to_step_15_not_17() -> None:
    playbook = load_playbook(DANOS)
    assert playbook.step(_choose(playbook, "ret_estado", "cerrada")).number == "15"
    assert playbook.step("ret_estado").note


def test_001_routes_by_channel_and_asks_the_vulnerability_only_when_missing() -> None:
    playbook = load_playbook(DANOS)
    assert _choose(playbook, "recepcion", "help_desk") == "prioridad"
    assert _choose(playbook, "recepcion", "help_desk", {"vulnerabilidad": "2"}) == "hd_recepcion"
    assert _choose(playbook, "prioridad", "1", {"canal": "retencion"}) == "ret_info"
    # step 25: repeated and of high vulnerability → step 26; lower → the technical procedures
    assert playbook.step(_choose(playbook, "adm_reiteraciones", "si", {"vulnerabilidad": "2"})).number == "26"
    assert _choose(playbook, "adm_reiteraciones", "si", {"vulnerabilidad": "4"}) == "fin_tecnicos"


def test_001_quality_check_of_internet_waits_24_hours() -> None:
    playbook = load_playbook(DANOS)
    wait = playbook.step(_choose(playbook, "ret_gestion", "internet"))
    assert wait.kind == StepKind.WAIT and wait.wait is not None and wait.wait.total_seconds() == 24 * 3600
    assert playbook.following(wait) == playbook.step("usm_control")


def test_004_a_procedure_at_step_1_goes_to_step_5_not_6() -> None:
    playbook = load_playbook(DIRECCIONAMIENTO)
    assert playbook.step(_choose(playbook, "acogida", "tramite")).number == "5"
    assert playbook.step("acogida").note


def test_004_every_answer_ends_at_a_desk() -> None:
    playbook = load_playbook(DIRECCIONAMIENTO)
    cartera = playbook.step(_choose(playbook, "tramite_postventa", "cartera"))
    assert cartera.kind == StepKind.END and cartera.outcome is not None
    assert cartera.outcome.in_lang("es") == "Unidad de Cartera"
    assert _choose(playbook, "tramite_venta", "instalacion") == "requisitos"
    ficha = playbook.step("entregar_ficha")
    assert next_step(playbook, ficha, {"tipo": "baja"}) == playbook.step("fin_ficha_baja")
    assert next_step(playbook, ficha, {"tipo": "postventa"}) == playbook.step("fin_ficha_postventa")
