"""The score of a drill (flows/drill_score.py) against timings computed by hand: each step's
deadline from the playbook (its `deadline`, else its `escalate_after`), the time it took,
who answered first and who never did, and what never reached people."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.loading import load_all
from flows.contact import Queued
from flows.crisis import Crisis, CrisisState, Task, TaskState
from flows.drill_score import ImproveKind, StepResult, score
from flows.drill_summary import chat_text
from flows.messages import GROUP, LogEntry
from flows.playbook import PolicyOverride
from tests.support import DIRECTORY, PLAYBOOK, START

BASE, DIR = load_all(PLAYBOOK, DIRECTORY, "es")
assert DIR is not None
OVERRIDES = {  # None: no deadline and no escalation in the default policy below
    "decretar": PolicyOverride(deadline=timedelta(minutes=10)),
    "entel": PolicyOverride(deadline=timedelta(minutes=10)),
    "atencion": PolicyOverride(deadline=timedelta(minutes=15)),
    "banner": PolicyOverride(deadline=timedelta(minutes=15)),
    "email": None,
    "timify": PolicyOverride(escalate_after=timedelta(minutes=20), escalate_to=["coordinacion"]),
}
PB = BASE.model_copy(update={
    "policy": BASE.policy.model_copy(update={"deadline": None, "escalate_after": None}),
    "steps": [s.model_copy(update={"policy": OVERRIDES[s.id]}) if s.id in OVERRIDES else s for s in BASE.steps],
})


def m(n: float) -> timedelta:
    return timedelta(minutes=n)


def entry(kind: str, at: float, person: str | None = None, **data: object) -> LogEntry:
    return LogEntry(at=START + m(at), kind=kind, person=person, channel="test", crisis_id="d1", data=dict(data))


def drill(closing_at: float | None = 60, closed_at: float | None = 70) -> Crisis:
    """Activated at 09:00: 1 done at once · 2 taken at 2 min, done at 4 (deadline 10) · round
    3 read by Luis and Marcelo, closed for all by Jaime at 12 (15) · 4 done at 25 (15: 10 min
    late) · 5 done at 20 (no deadline) · 6 never done (escalate_after 20) · 7 never active."""
    crisis = Crisis(id="d1", playbook_id=PB.id, state=CrisisState.CLOSED, declared_at=START, declared_by="catalina",
                    playbook_json=PB.model_dump_json(), drill=True,
                    closing_at=START + m(closing_at) if closing_at is not None else None,
                    closed_at=START + m(closed_at) if closed_at is not None else None)

    def task(step: str, state: TaskState, done: float | None = None, by: str | None = None, **kw: object) -> None:
        crisis.tasks[step] = Task(step_id=step, state=state, activated_at=None if step == "chequeo" else START,
                                  done_at=START + m(done) if done is not None else None, done_by=by, **kw)  # type: ignore[arg-type]

    task("decretar", TaskState.DONE, 0, "catalina")
    task("entel", TaskState.DONE, 4, "luis")
    task("atencion", TaskState.DONE, 12, "jaime", acks=["luis", "marcelo", "jaime"])
    task("banner", TaskState.DONE, 25, "valeria")
    task("email", TaskState.DONE, 20, "cecilia")
    task("timify", TaskState.CANCELLED)
    task("chequeo", TaskState.CANCELLED)
    return crisis


LOG = [
    entry("declared", 0, "catalina"),
    entry("completed_value", 0, "catalina", step="decretar"),
    entry("claimed", 2, "luis", step="entel"),
    entry("completed_value", 4, "luis", step="entel"),
    entry("acked", 3, "luis", step="atencion"),
    entry("acked", 5, "marcelo", step="atencion"),
    entry("completed", 12, "jaime", step="atencion"),
    entry("completed", 20, "cecilia", step="email"),
    entry("claimed", 21, "valeria", step="banner"),
    entry("completed", 25, "valeria", step="banner"),
    # deliveries: two failures to Marcelo; three WhatsApp messages to Luis, two read (one twice)
    entry("delivery_failed", 1, None, to="marcelo", via="whatsapp", error="63016"),
    entry("whatsapp_failed", 2, None, to="marcelo", sid="SM9", status="undelivered", error="30008"),
    *(entry("delivered", 1 + i, None, to="luis", via="whatsapp", outbox=i) for i in range(3)),
    entry("delivered", 1, None, to=GROUP, via="slack", outbox=9),
    entry("whatsapp_read", 5, None, to="luis", sid="SM1"),
    entry("whatsapp_read", 6, None, to="luis", sid="SM2"),
    entry("whatsapp_read", 7, None, to="luis", sid="SM2"),
]


def test_each_step_against_its_deadline_and_the_share_within() -> None:
    result = score(drill(), PB, LOG, DIR, queued=[Queued("valeria", "whatsapp", START + m(59))])
    by = {s.step.id: s for s in result.steps}
    assert [s.step.id for s in result.steps] == ["decretar", "entel", "atencion", "banner", "email", "timify", "chequeo"]
    assert (by["entel"].deadline, by["entel"].taken, by["entel"].result) == (m(10), m(4), StepResult.WITHIN)
    assert (by["entel"].first_by, by["entel"].first_at) == ("luis", START + m(2))
    assert by["entel"].silent == ("juan_pablo", "cecilia", "catalina", "jaime")
    assert (by["atencion"].taken, by["atencion"].result, by["atencion"].first_by) == (m(12), StepResult.WITHIN, "luis")
    assert by["atencion"].silent == ("juan_pablo", "cecilia", "catalina", "valeria", "claudia_riveros", "claudia_martinez")
    assert (by["banner"].taken, by["banner"].result, by["banner"].late_by) == (m(25), StepResult.LATE, m(10))
    assert (by["email"].deadline, by["email"].result) == (None, StepResult.NO_DEADLINE)
    assert (by["timify"].deadline, by["timify"].result, by["timify"].first_by) == (m(20), StepResult.NOT_DONE, None)
    assert by["chequeo"].result == StepResult.NO_DEADLINE and by["chequeo"].silent == ()  # no deadline here
    assert by["decretar"].silent == () and by["decretar"].result == StepResult.WITHIN  # the declarer's own step
    # 1, 2, 3 within; 4 late; 6 not done; 5 and 7 (no deadline in this playbook) not scored: 3 of 5
    assert (result.within, len(result.scored), result.percent) == (3, 5, 60)


def test_messages_undelivered_and_unread_per_person() -> None:
    result = score(drill(), PB, LOG, DIR, queued=[Queued("valeria", "whatsapp", START + m(59))])
    assert [(p.person, p.undelivered, p.unread) for p in result.people] == [
        ("luis", 0, 1), ("valeria", 1, 0), ("marcelo", 2, 0)]


def test_what_to_improve_comes_in_order_and_reads_short_in_chat() -> None:
    result = score(drill(), PB, LOG, DIR)
    kinds = [i.kind for i in result.improve]
    assert kinds[:2] == [ImproveKind.LATE, ImproveKind.NOT_DONE]
    silent = [i.person for i in result.improve if i.kind == ImproveKind.SILENT]
    # the round's silent and step 6's (nobody answered it); those on 2 steps first
    assert silent == ["cecilia", "catalina", "valeria", "claudia_riveros", "juan_pablo", "jaime", "claudia_martinez", "marcelo"]
    assert kinds[-2:] == [ImproveKind.UNDELIVERED, ImproveKind.UNREAD]
    text = chat_text(result, DIR, "es", "https://crisis.example/panel/informe/d1")
    assert text.splitlines() == [
        "📊 Resultado del simulacro d1: 60 % de los pasos dentro de su plazo (3 de 5).",
        "Para mejorar:",
        "• Paso 4 (Banner de emergencia en fullpyme.cl): 10 min tarde (plazo 15 min).",
        "• Paso 6 (Desactivar Timify): no se hizo dentro de su plazo (20 min).",
        "• Cecilia no respondió (pasos 3, 6).",
        "… y 9 puntos más en el informe.",
        "📄 Informe del simulacro: https://crisis.example/panel/informe/d1",
    ]
    english = chat_text(result, DIR, "en", None).splitlines()
    assert english[0] == "📊 Drill d1 result: 60 % of the steps within their deadline (3 of 5)."
    assert english[2] == "• Step 4 (Emergency banner on fullpyme.cl): 10 min late (deadline 15 min)."


def test_a_drill_cut_short_counts_what_it_did_not_do_as_not_done() -> None:
    """Ended by a real crisis at 18 min (no closing): 4 (15 min from 09:00, passed) and 6
    (20 min, not yet) were not done: both count, as not within (review of issue 14: a drill
    ended early scored 100 %)."""
    crisis = drill(closing_at=None, closed_at=18)
    crisis.tasks["banner"] = Task(step_id="banner", state=TaskState.CANCELLED, activated_at=START)
    crisis.tasks["email"] = Task(step_id="email", state=TaskState.CANCELLED, activated_at=START)
    result = score(crisis, PB, LOG[:7], DIR)
    by = {s.step.id: s.result for s in result.steps}
    assert by["banner"] == StepResult.NOT_DONE and by["timify"] == StepResult.NOT_DONE
    assert (result.within, len(result.scored), result.percent) == (3, 5, 60)
    # what to improve says which was overdue and which the drill's end cut short
    steps = {i.step.id: i.kind for i in result.improve if i.step is not None}
    assert steps == {"banner": ImproveKind.NOT_DONE, "timify": ImproveKind.UNFINISHED}
    text = chat_text(result, DIR, "es", None)
    assert "• Paso 6 (Desactivar Timify): no se terminó antes del fin del simulacro (plazo 20 min)." in text


def test_a_step_never_reached_counts_as_not_done() -> None:
    """Step 7 (its deadline: 30 min here) waits on 6, never done: it was never reached, so it
    was not done within its deadline, and counts; nobody is blamed for not answering it."""
    pb = PB.model_copy(update={"steps": [s.model_copy(update={"policy": PolicyOverride(deadline=m(30))})
                                         if s.id == "chequeo" else s for s in PB.steps]})
    crisis = drill()
    crisis.playbook_json = pb.model_dump_json()
    result = score(crisis, pb, LOG, DIR)
    by = {s.step.id: s for s in result.steps}
    assert by["chequeo"].result == StepResult.NOT_DONE and by["chequeo"].silent == ()
    assert (result.within, len(result.scored), result.percent) == (3, 6, 50)


def test_the_closing_phase_is_never_scored_and_nothing_scored_is_none() -> None:
    crisis = drill()
    crisis.tasks = {"cierre_clientes": Task(step_id="cierre_clientes", state=TaskState.DONE, activated_at=START,
                                            done_at=START + m(200), done_by="cecilia")}
    result = score(crisis, PB, [], DIR)
    assert result.steps == () and result.percent is None
    assert chat_text(result, DIR, "es", None).splitlines()[0] == "📊 Resultado del simulacro d1: ningún paso con plazo que evaluar."


def test_an_open_drill_needs_a_time_to_be_measured_at() -> None:
    crisis = drill(closing_at=None, closed_at=None)
    with pytest.raises(ValueError):
        score(crisis, PB, LOG, DIR)
    assert score(crisis, PB, LOG, DIR, now=START + m(30)).percent == 60
