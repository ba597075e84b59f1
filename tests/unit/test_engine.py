"""The pure engine, table-driven, with an in-memory world and a fixed clock: no database,
no sleeping."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from bot.loading import load_all
from flows.commands import Press, Say, TimerFired
from flows.crisis import CrisisState, ProposalState, TaskState
from flows.engine import handle
from flows.messages import GROUP, Action, ActionKind, OutMessage, SetTimer, TimerKind
from flows.world import Outcome, World
from tests.support import DIRECTORY, PLAYBOOK, START

PB, DIR = load_all(PLAYBOOK, DIRECTORY)
assert DIR is not None


class Memory:
    """The world between commands, kept in memory."""

    def __init__(self) -> None:
        counter = itertools.count(1)
        self.world = World(playbook=PB, directory=DIR, now=START, crisis=None, proposals=[],
                           new_id=lambda: f"{next(counter):04x}")
        self.outcomes: list[Outcome] = []

    def run(self, command: Say | Press | TimerFired, minutes: int = 0) -> Outcome:
        self.world.now = self.world.now + timedelta(minutes=minutes)
        outcome = handle(self.world, command)
        self.world.crisis = outcome.crisis if outcome.crisis and outcome.crisis.state != CrisisState.CLOSED else None
        known = {p.id: p for p in self.world.proposals}
        known.update({p.id: p for p in outcome.proposals})
        self.world.proposals = [p for p in known.values() if p.state == ProposalState.PENDING]
        self.world.log.extend(outcome.log)
        self.outcomes.append(outcome)
        return outcome

    def say(self, person: str, text: str) -> Outcome:
        return self.run(Say(person, text, "test"))

    def press(self, person: str, kind: ActionKind, step: str) -> Outcome:
        assert self.world.crisis is not None
        return self.run(Press(person, Action.for_task(kind, self.world.crisis.id, step), "test"))


def to(outcome: Outcome, person: str) -> list[OutMessage]:
    return [m for m in outcome.messages if m.to == person]


def test_a_declarer_declares_and_every_responsible_is_told() -> None:
    memory = Memory()
    outcome = memory.say("jaime", "ALERTA ROJA")
    crisis = outcome.crisis
    assert crisis is not None and crisis.state == CrisisState.ACTIVE and crisis.declared_by == "jaime"
    [announcement] = to(outcome, GROUP)[:1]
    assert "decretada por Jaime" in announcement.text and "Contacto con Entel: Juan Pablo, Cecilia, Catalina, Jaime, Luis" in announcement.text
    for person in ("juan_pablo", "cecilia", "catalina", "luis"):
        assert any("Contacto con Entel" in m.text and m.buttons for m in to(outcome, person)), person
    assert any("Desactivar Timify" in m.text for m in to(outcome, "marcelo"))
    assert [m.text for m in to(outcome, "jaime") if "Cuenta lo que sabes" in m.text]
    assert crisis.tasks["chequeo"].state == TaskState.WAITING
    assert crisis.tasks["decretar"].owner == "jaime"


@pytest.mark.parametrize(("who", "text", "declares", "asks"), [
    ("jaime", "ALERTA ROJA", True, []),
    ("cecilia", "🚨 alerta roja!!", True, []),
    ("luis", "ALERTA ROJA", False, ["juan_pablo", "cecilia", "catalina", "jaime"]),
    ("marcelo", "alerta roja: no hay sistema", False, ["juan_pablo", "cecilia", "catalina", "jaime"]),
    ("jaime", "¿esto es una alerta roja?", False, ["jaime"]),
    ("luis", "¿esto es una alerta roja?", False, ["juan_pablo", "cecilia", "catalina", "jaime"]),
])
def test_who_may_declare(who: str, text: str, declares: bool, asks: list[str]) -> None:
    outcome = Memory().say(who, text)
    assert (outcome.crisis is not None) is declares
    confirmers = sorted(m.to for m in outcome.messages if m.kind == "proposal")
    assert confirmers == sorted(asks)
    for message in outcome.messages:
        if message.kind == "proposal":
            assert [b.action.kind for b in message.buttons] == [ActionKind.CONFIRM, ActionKind.DISMISS]


def test_confirming_a_proposal_declares_with_the_reporter_named() -> None:
    memory = Memory()
    proposal = memory.say("luis", "ALERTA ROJA: no carga la plataforma").proposals[0]
    outcome = memory.run(Press("cecilia", Action(ActionKind.CONFIRM, proposal.id), "test"))
    assert outcome.crisis is not None and outcome.crisis.declared_by == "cecilia" and outcome.crisis.reported_by == "luis"
    assert "Aviso de Luis" in to(outcome, GROUP)[0].text
    again = memory.run(Press("jaime", Action(ActionKind.CONFIRM, proposal.id), "test"))
    assert again.crisis is not None and again.crisis.id == outcome.crisis.id  # no second crisis
    assert "ya no aplica" in to(again, "jaime")[0].text


def test_dismissing_a_proposal_tells_the_reporter() -> None:
    memory = Memory()
    proposal = memory.say("luis", "ALERTA ROJA").proposals[0]
    outcome = memory.run(Press("jaime", Action(ActionKind.DISMISS, proposal.id), "test"))
    assert outcome.crisis is None
    assert "Jaime descartó" in to(outcome, "luis")[0].text


def test_a_second_alert_joins_the_open_crisis() -> None:
    memory = Memory()
    first = memory.say("jaime", "ALERTA ROJA").crisis
    outcome = memory.say("cecilia", "ALERTA ROJA: también cae el correo")
    assert outcome.crisis is first
    assert "Ya hay una crisis abierta" in to(outcome, "cecilia")[0].text
    assert "también cae el correo" in to(outcome, GROUP)[0].text
    assert [e.kind for e in outcome.log] == ["joined", "info"]


@pytest.mark.parametrize(("first", "second", "second_reply"), [
    ("cecilia", "luis", "ya la tomó Cecilia"),
    ("luis", "luis", "ya es tuya"),
])
def test_claiming_a_taken_task(first: str, second: str, second_reply: str) -> None:
    memory = Memory()
    memory.say("jaime", "ALERTA ROJA")
    memory.press(first, ActionKind.CLAIM, "entel")
    outcome = memory.press(second, ActionKind.CLAIM, "entel")
    assert second_reply in to(outcome, second)[0].text
    assert memory.world.crisis is not None and memory.world.crisis.tasks["entel"].owner == first


def test_only_responsibles_act_but_coordinators_may_act_for_them() -> None:
    memory = Memory()
    memory.say("jaime", "ALERTA ROJA")
    refused = memory.press("marcelo", ActionKind.COMPLETE, "banner")  # Marcelo is only in timify
    assert "No estás entre los responsables de la tarea 4" in to(refused, "marcelo")[0].text
    assert memory.world.crisis is not None and memory.world.crisis.tasks["banner"].state == TaskState.OPEN
    done = memory.press("juan_pablo", ActionKind.COMPLETE, "timify")  # coordinator, not in timify
    assert memory.world.crisis.tasks["timify"].state == TaskState.DONE
    [entry] = [e for e in done.log if e.kind == "completed"]
    assert entry.person == "juan_pablo" and entry.data["on_behalf"] is True


def test_a_task_with_an_input_asks_for_it_and_records_it() -> None:
    memory = Memory()
    memory.say("jaime", "ALERTA ROJA: caída total")
    asked = memory.press("luis", ActionKind.COMPLETE, "entel")
    assert "¿Qué número de ticket dio Entel?" in to(asked, "luis")[0].text
    memory.say("luis", "estado")  # a keyword is still a keyword
    answered = memory.say("luis", "  77-123 ")
    task = memory.world.crisis.tasks["entel"] if memory.world.crisis else None
    assert task is not None and task.state == TaskState.DONE and task.value == "77-123" and task.done_by == "luis"
    assert "número de ticket de Entel: 77-123" in to(answered, "luis")[0].text


def test_give_up_puts_the_task_back_and_tells_the_others() -> None:
    memory = Memory()
    memory.say("jaime", "ALERTA ROJA")
    memory.press("valeria", ActionKind.CLAIM, "banner")
    outcome = memory.press("valeria", ActionKind.GIVE_UP, "banner")
    task = memory.world.crisis.tasks["banner"] if memory.world.crisis else None
    assert task is not None and task.state == TaskState.OPEN and task.owner is None
    assert any("Valeria no puede con la tarea 4" in m.text for m in to(outcome, "luis"))
    kinds = [op.kind for op in outcome.timer_ops if isinstance(op, SetTimer)]
    assert kinds == [TimerKind.REMIND, TimerKind.REMIND, TimerKind.ESCALATE, TimerKind.DEADLINE]


def test_timers_only_act_on_the_state_they_were_set_for() -> None:
    memory = Memory()
    crisis = memory.say("jaime", "ALERTA ROJA").crisis
    assert crisis is not None
    memory.press("cecilia", ActionKind.CLAIM, "email")
    stale = memory.run(TimerFired(crisis.id, "email", TimerKind.REMIND, 1, START), minutes=10)
    assert stale.messages == [] and stale.log == []
    live = memory.run(TimerFired(crisis.id, "banner", TimerKind.REMIND, 1, START))
    assert {m.to for m in live.messages if "Recordatorio" in m.text} == {"juan_pablo", "cecilia", "catalina", "jaime", "luis", "valeria"}


def test_status_lists_every_task_with_state_owner_and_overdue() -> None:
    memory = Memory()
    memory.say("jaime", "ALERTA ROJA: caída")
    memory.press("cecilia", ActionKind.CLAIM, "entel")
    memory.world.now += timedelta(minutes=50)
    text = to(memory.say("luis", "estado"), "luis")[0].text
    assert "Decretada por Jaime" in text and "Situación: caída" in text
    assert "🟡 2 Contacto con Entel — Cecilia, hace 50 min · ⚠️ VENCIDA" in text
    assert "⬜ 4 Banner de emergencia en fullpyme.cl — sin tomar, hace 50 min · ⚠️ VENCIDA" in text
    assert "⏳ 7 Chequeo de las tareas — espera los pasos 2, 3, 4, 5, 6" in text  # step 1 is done
    assert "Total: 1 hecha · 1 en curso · 4 sin tomar · 1 esperando · 5 vencidas" in text


def test_closing_cancels_open_tasks_spawns_closing_ones_and_finishes_with_the_report() -> None:
    memory = Memory()
    memory.say("jaime", "ALERTA ROJA: caída")
    refused = memory.say("luis", "FIN DE LA CRISIS")
    assert memory.world.crisis is not None and memory.world.crisis.state == CrisisState.ACTIVE
    assert any(m.kind == "proposal" for m in refused.messages)
    asked = memory.say("catalina", "FIN DE LA CRISIS")  # work undone: the declarer is asked first
    assert memory.world.crisis is not None and memory.world.crisis.state == CrisisState.ACTIVE
    [question] = [m for m in to(asked, "catalina") if m.kind == "proposal"]
    closing = memory.run(Press("catalina", question.buttons[0].action, "test"))  # «Cerrar igual»
    crisis = closing.crisis
    assert crisis is not None and crisis.state == CrisisState.CLOSING
    assert crisis.tasks["banner"].state == TaskState.CANCELLED
    assert crisis.tasks["cierre_aviso"].state == TaskState.DONE  # the announcement is step 8a
    assert crisis.tasks["cierre_normalidad"].state == TaskState.WAITING
    assert crisis.tasks["cierre_banner"].state == TaskState.SKIPPED  # the banner never went up (step 4)
    assert any("Informar a los clientes" in m.text and m.buttons for m in to(closing, "valeria"))
    assert not any("Quitar el banner" in m.text for m in to(closing, "valeria"))
    for step in ("cierre_clientes", "cierre_email"):
        memory.press("valeria", ActionKind.COMPLETE, step)
    final = memory.press("luis", ActionKind.COMPLETE, "cierre_normalidad")
    assert final.crisis is not None and final.crisis.state == CrisisState.CLOSED
    [report] = [m for m in final.messages if m.kind == "report"]
    assert "2 no necesarias" in report.text and "No se hizo:\n• 2 Contacto con Entel" in report.text  # a summary
    assert "Decretó ALERTA ROJA" not in report.text  # not the bitácora (issue 11, point 6)
    assert memory.say("jaime", "estado").messages[0].text == "No hay ninguna crisis abierta."


def test_each_mode_acknowledgements_and_the_coordinator_closing_the_round() -> None:
    memory = Memory()
    memory.say("jaime", "ALERTA ROJA")
    memory.press("luis", ActionKind.ACK, "atencion")
    again = memory.press("luis", ActionKind.ACK, "atencion")
    assert "Ya habías confirmado" in to(again, "luis")[0].text
    assert memory.world.crisis is not None and memory.world.crisis.tasks["atencion"].acks == ["luis"]
    memory.press("juan_pablo", ActionKind.COMPLETE, "atencion")
    assert memory.world.crisis.tasks["atencion"].state == TaskState.DONE


def test_the_check_cannot_be_signed_before_steps_1_to_6() -> None:
    memory = Memory()
    memory.say("jaime", "ALERTA ROJA: caída")
    waiting = memory.press("claudia_martinez", ActionKind.COMPLETE, "chequeo")
    assert "aún no empieza" in to(waiting, "claudia_martinez")[0].text
    memory.run(Press("cecilia", Action.for_task(ActionKind.COMPLETE, memory.world.crisis.id, "entel"), "test", value="T-9"))  # type: ignore[union-attr]
    for step in ("atencion", "banner", "email", "timify"):
        memory.press("jaime", ActionKind.COMPLETE, step)
    crisis = memory.world.crisis
    assert crisis is not None and crisis.tasks["chequeo"].state == TaskState.OPEN
    card = [m for m in memory.outcomes[-1].messages if m.to == "claudia_martinez" and m.kind == "card"][0]
    assert "✅ 2 Contacto con Entel: Cecilia" in card.text and "T-9" in card.text
    signed = memory.press("claudia_martinez", ActionKind.COMPLETE, "chequeo")
    assert [e.kind for e in signed.log][:1] == ["signed"]


def test_only_declarers_confirm_a_proposal() -> None:
    memory = Memory()
    proposal = memory.say("luis", "ALERTA ROJA").proposals[0]
    outcome = memory.run(Press("marcelo", Action(ActionKind.CONFIRM, proposal.id), "test"))
    assert outcome.crisis is None
    assert to(outcome, "marcelo")[0].text == "Solo pueden confirmarlo quienes decretan la crisis: Juan Pablo, Cecilia, Catalina, Jaime."
