"""The case engine (issue 12): a small case playbook driven through flows.engine.handle with
a world built by hand: opening, routing by option / condition / following step, a wait, a
loop back, the end, the hand-off card, «estado R-1» and «mis casos»."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.cases import values
from flows.commands import MyCases, OpenCase, Press, Say, TimerFired
from flows.crisis import Crisis, CrisisState, TaskState
from flows.directory import Directory
from flows.engine import handle, needs_log
from flows.messages import GROUP, Action, ActionKind, CancelTimers, OutMessage, SetTimer, TimerKind
from flows.playbook import FieldDef, Playbook
from flows.world import Outcome, World

START = datetime(2026, 11, 30, 12, 10, tzinfo=UTC)  # 09:10 in Santiago
TZ = ZoneInfo("America/Santiago")

PB = Playbook.model_validate({
    "id": "danos", "name": "Daños reiterados", "kind": "case",
    "case": {"prefix": "R", "key": {"field": "contrato", "unique": "open"},
             "due": {"field": "vulnerabilidad", "table": {"1": {"due": "12h", "warn": "8h"}, "4": {"due": "48h", "warn": "24h"}}}},
    "fields": [
        {"id": "contrato", "label": "Contrato", "required": True},
        {"id": "vulnerabilidad", "kind": "number", "label": "Vulnerabilidad"},
        {"id": "telefono", "kind": "phone", "label": "Teléfono"},
        {"id": "resuelto", "kind": "choice", "label": "Resuelto",
         "options": [{"value": "si", "label": "Sí"}, {"value": "no", "label": "No"}]},
    ],
    "declarers": ["supervisor"], "coordinators": ["supervisor"],
    "roles": {"agente": "Agente", "tecnico": "Técnico", "supervisor": "Supervisor"},
    "steps": [
        {"id": "canal", "number": "1", "title": "¿Por dónde llegó?", "kind": "ask", "responsibles": ["agente"],
         "options": [{"value": "fono", "label": "Teléfono", "goto": "revisar"},
                     {"value": "oficina", "label": "Oficina", "goto": "fin_oficina"}]},
        {"id": "revisar", "number": "2", "title": "Revisar la línea", "responsibles": ["tecnico"],
         "input": {"key": "resuelto", "label": "Resuelto", "prompt": "¿Quedó resuelto? (si/no)"},
         "next": [{"when": "resuelto == 'si'", "goto": "esperar"}]},
        {"id": "reclamar", "number": "3", "title": "Avisar al supervisor", "responsibles": ["supervisor"],
         "next": [{"goto": "revisar"}]},
        {"id": "esperar", "number": "4", "title": "Esperar 24 h", "kind": "wait", "wait": "24h", "responsibles": ["tecnico"]},
        {"id": "fin_ok", "number": "5", "title": "Resuelto", "kind": "end", "outcome": "Resuelto en terreno",
         "responsibles": ["tecnico"]},
        {"id": "fin_oficina", "number": "6", "title": "A oficina", "kind": "end", "outcome": "Derivado a oficina",
         "responsibles": ["agente"]},
    ],
})
DIR = Directory.model_validate({"people": [
    {"id": "ana", "name": "Ana", "roles": ["agente"]},
    {"id": "beto", "name": "Beto", "roles": ["agente"]},
    {"id": "tito", "name": "Tito", "roles": ["tecnico"]},
    {"id": "sara", "name": "Sara", "roles": ["supervisor"]},
]})


def old_case(short_id: str, state: CrisisState, key: str = "4452211") -> Crisis:
    return Crisis(id=f"old-{short_id}", playbook_id="danos", state=state, declared_at=START - timedelta(days=3, hours=3),
                  declared_by="ana", playbook_json=PB.model_dump_json(), kind="case", short_id=short_id, case_key=key)


class Desk:
    """The world between commands, in memory (one case at a time)."""

    def __init__(self, prior: list[Crisis] | None = None) -> None:
        self.world = World(playbook=PB, directory=DIR, now=START, crisis=None, proposals=[], new_id=lambda: "0001",
                           short_id="R-1", prior=prior or [])

    def run(self, command: object, minutes: int = 0) -> Outcome:
        self.world.now += timedelta(minutes=minutes)
        outcome = handle(self.world, command)  # type: ignore[arg-type]
        self.world.crisis = outcome.crisis
        return outcome

    def open(self, text: str, by: str = "ana") -> Outcome:
        return self.run(OpenCase(by, text, "test"))

    def choose(self, by: str, value: str) -> Outcome:
        assert self.world.crisis is not None
        return self.run(Press(by, Action.for_choice(self.world.crisis.id, "canal", value), "test"))

    def done(self, by: str, step: str, value: str | None = None, minutes: int = 0) -> Outcome:
        assert self.world.crisis is not None
        return self.run(Press(by, Action.for_task(ActionKind.COMPLETE, self.world.crisis.id, step), "test", value), minutes)

    @property
    def case(self) -> Crisis:
        assert self.world.crisis is not None
        return self.world.crisis


def to(outcome: Outcome, person: str) -> list[OutMessage]:
    return [m for m in outcome.messages if m.to == person]


def text_to(outcome: Outcome, person: str) -> str:
    return "\n".join(m.text for m in to(outcome, person))


def timers(outcome: Outcome, kind: TimerKind) -> list[SetTimer]:
    return [op for op in outcome.timer_ops if isinstance(op, SetTimer) and op.kind == kind]


def test_opening_takes_named_and_positional_fields_and_asks_the_first_question() -> None:
    desk = Desk()
    outcome = desk.open("4452211 vulnerabilidad=4 telefono=+56-9-1234-5678")
    case = desk.case
    assert case.short_id == "R-1" and case.is_case and case.state == CrisisState.ACTIVE
    assert case.fields["contrato"] == "4452211" and case.fields["vulnerabilidad"] == 4
    assert case.fields["telefono"] == "+56912345678" and case.case_key == "4452211"
    assert "Caso R-1 abierto (Daños reiterados)" in text_to(outcome, "ana")
    [card] = [m for m in to(outcome, "ana") if m.kind == "card"]
    assert "¿Por dónde llegó?" in card.text
    assert [(b.label, b.action) for b in card.buttons] == [
        ("Teléfono", Action.for_choice(case.id, "canal", "fono")), ("Oficina", Action.for_choice(case.id, "canal", "oficina"))]
    assert not to(outcome, GROUP)  # no group message, no live summary on a case


def test_a_missing_required_field_opens_nothing_and_says_what_to_write() -> None:
    desk = Desk()
    outcome = desk.open("vulnerabilidad=2")
    assert outcome.crisis is None
    said = text_to(outcome, "ana")
    assert "falta Contrato" in said and "/caso danos contrato=" in said


@pytest.mark.parametrize(("text", "why"), [
    ("4452211 vulnerabilidad=alta", "«alta» no es un número para «Vulnerabilidad»"),
    ("4452211 telefono=12ab", "«12ab» no es un teléfono para «Teléfono»"),
    ("4452211 resuelto=quizas", "Opciones: 1. Sí, 2. No"),
])
def test_a_value_of_the_wrong_kind_opens_nothing_and_says_why(text: str, why: str) -> None:
    outcome = Desk().open(text)
    assert outcome.crisis is None
    assert why in text_to(outcome, "ana")


@pytest.mark.parametrize(("kind", "raw", "stored"), [
    ("number", "2,5", 2.5), ("number", "12", 12), ("phone", "+56 9 1234 5678", "+56912345678"),
    ("datetime", "2026-11-30 14:00", "2026-11-30T17:00:00+00:00"), ("datetime", "30/11/2026 14:00", "2026-11-30T17:00:00+00:00"),
    ("datetime", "30/11 14:00", "2026-11-30T17:00:00+00:00"), ("choice", "SI", "si"), ("choice", "2", "no"),
])
def test_typed_values(kind: str, raw: str, stored: object) -> None:
    field = next(f for f in PB.fields if f.id == "resuelto") if kind == "choice" else replace_kind(kind)
    assert values.parse_value(field, raw, TZ, START) == stored


def replace_kind(kind: str) -> FieldDef:
    return PB.fields[0].model_copy(update={"kind": kind})


def test_an_open_case_with_the_same_key_is_joined_not_duplicated() -> None:
    outcome = Desk(prior=[old_case("R-7", CrisisState.ACTIVE)]).open("4452211")
    assert outcome.crisis is None
    assert "Ya hay un caso abierto para Contrato 4452211: R-7 (abierto 06:10 por Ana). Escribe «estado R-7»." in text_to(outcome, "ana")


@pytest.mark.parametrize(("prior", "repeated", "count"), [([], False, 0), (["R-3", "R-5"], True, 2)])
def test_earlier_cases_make_it_repeated(prior: list[str], repeated: bool, count: int) -> None:
    desk = Desk(prior=[old_case(p, CrisisState.CLOSED) for p in prior])
    desk.open("4452211")
    assert desk.case.fields["reiterado"] is repeated and desk.case.fields["previos"] == count


@pytest.mark.parametrize(("vulnerability", "due", "warn"), [("1", 12, 8), ("4", 48, 24)])
def test_the_due_table_sets_the_deadline_and_its_warning_and_escalation(vulnerability: str, due: int, warn: int) -> None:
    desk = Desk()
    outcome = desk.open(f"4452211 vulnerabilidad={vulnerability}", by="sara")  # not an agent: the question waits for one
    assert desk.case.due_at == START + timedelta(hours=due) and desk.case.warn_at == START + timedelta(hours=warn)
    assert [t.due_at for t in timers(outcome, TimerKind.REMIND)] == [START + timedelta(hours=warn)]
    assert [t.due_at for t in timers(outcome, TimerKind.ESCALATE)] == [START + timedelta(hours=due)]
    escalation = desk.run(TimerFired(desk.case.id, "canal", TimerKind.ESCALATE, 0, START + timedelta(hours=due)), minutes=due * 60)
    assert any(m.kind == "nudge" for m in to(escalation, "sara"))  # the coordinator is told


def test_choosing_an_option_routes_to_its_goto_and_hands_off_with_the_fields() -> None:
    desk = Desk()
    desk.open("4452211 vulnerabilidad=1")
    refused = desk.choose("tito", "fono")  # not a responsible of the question
    assert desk.case.tasks["canal"].state == TaskState.CLAIMED and "tito" in {m.to for m in refused.messages}
    outcome = desk.choose("ana", "fono")
    assert desk.case.fields["canal"] == "fono" and desk.case.tasks["revisar"].state == TaskState.OPEN
    assert "elegiste «Teléfono»" in text_to(outcome, "ana")
    [card] = [m for m in to(outcome, "tito") if m.kind == "card"]
    for shown in ("Caso R-1 · Daños reiterados", "Contrato: 4452211", "Vulnerabilidad: 1", "¿Por dónde llegó?", "Teléfono",
                  "Ana 09:10", "Vence 30/11 21:10", "Revisar la línea"):
        assert shown in card.text, shown


def test_a_typed_answer_picks_the_option_by_number() -> None:
    desk = Desk()
    desk.open("4452211")
    outcome = desk.run(Say("ana", "2", "test"))
    assert desk.case.state == CrisisState.CLOSED and desk.case.outcome == "fin_oficina"
    assert "Caso R-1 cerrado: Derivado a oficina" in text_to(outcome, "ana")


def test_a_condition_routes_then_the_wait_goes_on_to_the_following_end() -> None:
    desk = Desk()
    desk.open("4452211")
    desk.choose("ana", "fono")
    outcome = desk.done("tito", "revisar", "si", minutes=30)
    assert desk.case.fields["resuelto"] == "si" and desk.case.tasks["esperar"].state == TaskState.OPEN
    assert [t.due_at for t in timers(outcome, TimerKind.WAIT)] == [START + timedelta(minutes=30, hours=24)]
    assert desk.case.is_open
    over = desk.run(TimerFired(desk.case.id, "esperar", TimerKind.WAIT, 0, START + timedelta(hours=24)), minutes=24 * 60)
    assert desk.case.state == CrisisState.CLOSED and desk.case.outcome == "fin_ok" and desk.case.closed_at == desk.world.now
    assert any(e.kind == "case_wait_over" for e in over.log)
    assert "Caso R-1 cerrado: Resuelto en terreno" in text_to(over, "ana")


def test_the_end_cancels_every_timer_of_the_case() -> None:
    desk = Desk()
    desk.open("4452211 vulnerabilidad=1")
    desk.choose("ana", "fono")
    desk.done("tito", "revisar", "si")
    outcome = desk.run(TimerFired(desk.case.id, "esperar", TimerKind.WAIT, 0, START + timedelta(hours=24)), minutes=24 * 60)
    assert desk.case.state == CrisisState.CLOSED and all(task.finished for task in desk.case.tasks.values())
    assert {op.step_id for op in outcome.timer_ops if isinstance(op, CancelTimers)} == {"canal", "revisar", "esperar", "fin_ok"}
    assert not any(isinstance(op, SetTimer) for op in outcome.timer_ops)
    late = desk.run(TimerFired(desk.case.id, "esperar", TimerKind.WAIT, 0, START + timedelta(hours=24)))
    assert not late.messages and not late.log  # a late timer of a closed case does nothing


def test_a_loop_back_makes_a_second_visit_and_keeps_the_first() -> None:
    desk = Desk()
    desk.open("4452211")
    desk.choose("ana", "fono")
    outcome = desk.done("tito", "revisar", "no")
    assert desk.case.tasks["reclamar"].state == TaskState.OPEN  # no `next` held: the following step
    assert any(m.kind == "card" and "Avisar al supervisor" in m.text for m in to(outcome, "sara"))
    again = desk.done("sara", "reclamar")
    first, second = desk.case.tasks["revisar@1"], desk.case.tasks["revisar"]
    assert (first.visit, first.state, first.value) == (1, TaskState.DONE, "no")
    assert (second.visit, second.state) == (2, TaskState.OPEN)
    [card] = [m for m in to(again, "tito") if m.kind == "card"]
    assert "Revisar la línea" in card.text and "· No" in card.text  # what the first visit recorded


def test_estado_of_a_case_and_crisis_words_on_it() -> None:
    desk = Desk()
    desk.open("4452211 vulnerabilidad=4")
    desk.choose("ana", "fono")
    status = desk.run(Say("sara", "estado R-1", "test"), minutes=60)
    said = text_to(status, "sara")
    assert "Caso R-1 · Daños reiterados" in said and "Abierto por Ana" in said and "Contrato: 4452211" in said
    assert "Paso 2 · Revisar la línea: sin tomar (Tito)" in said and "Vence 02/12 09:10" in said
    alert = desk.run(Say("sara", "R-1 ALERTA ROJA", "test"))
    assert desk.case.state == CrisisState.ACTIVE and not to(alert, GROUP)
    assert "No entendí" in text_to(alert, "sara")
    took = desk.run(Say("tito", "R-1 tomo 2", "test"))
    assert desk.case.tasks["revisar"].owner == "tito" and not to(took, GROUP)


def test_nothing_on_a_case_loads_its_log() -> None:
    desk = Desk()
    desk.open("4452211")
    assert not needs_log(desk.world, Press("ana", Action.for_choice(desk.case.id, "canal", "fono"), "test"))
    assert not needs_log(desk.world, Press("ana", Action.for_task(ActionKind.STATUS, desk.case.id, "canal"), "test"))
    assert not needs_log(desk.world, Say("ana", "estado", "test"))  # a line too: the case answers from its tasks


def test_mis_casos_lists_each_open_case_with_its_step_and_due() -> None:
    desk = Desk()
    desk.open("4452211 vulnerabilidad=1")
    mine = World(playbook=PB, directory=DIR, now=START + timedelta(hours=13), crisis=None, proposals=[], new_id=lambda: "x",
                 my_cases=[desk.case])
    said = text_to(handle(mine, MyCases("ana", "test")), "ana")
    assert "Tus casos abiertos (1)" in said and "R-1 (Daños reiterados)" in said and "¿Por dónde llegó?" in said
    assert "vencido 30/11 21:10" in said
    empty = replace(mine, my_cases=[])
    assert "No tienes casos abiertos" in text_to(handle(empty, MyCases("ana", "test")), "ana")


def test_the_opener_who_holds_the_role_keeps_the_case_and_a_hand_off_goes_to_the_role() -> None:
    desk = Desk()
    outcome = desk.open("4452211")  # Ana is an agent: the first question is hers alone
    assert desk.case.tasks["canal"].owner == "ana" and not to(outcome, "beto")
    assert [t.kind for t in outcome.timer_ops if isinstance(t, SetTimer)] == []  # no reminder for a question in hand
    handed = desk.choose("ana", "fono")  # the next step is a technician's: every technician gets it
    assert desk.case.tasks["revisar"].owner is None and [m.kind for m in to(handed, "tito")] == ["card"]
    other = Desk()
    opened = other.open("4452211", by="sara")  # a supervisor opens it: every agent gets the question
    assert other.case.tasks["canal"].owner is None
    assert {m.to for m in opened.messages if m.kind == "card"} == {"ana", "beto"}
