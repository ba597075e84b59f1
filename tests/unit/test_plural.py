"""A count of 1 reads in the singular, any other in the plural, in Spanish and English
(issue 11, «every message short, clear»): «1 hecha», «2 hechas», never «1 hechas»."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.loading import load_all
from flows.closing import closed_summary
from flows.credit import round_credit
from flows.crisis import Crisis, CrisisState, Task, TaskState
from flows.render import status_text, summary_text
from flows.report import compute
from handlers.web.views import crisis_view
from tests.support import DIRECTORY, PLAYBOOK, START, Chat

PB, DIR = load_all(PLAYBOOK, DIRECTORY, "es")
assert DIR is not None
TZ = ZoneInfo(PB.timezone)
NOW = START + timedelta(hours=1)
# n of each: done, not needed, not done, and taken but past its deadline
KINDS = [("decretar", "entel"), ("banner", "email"), ("timify", "chequeo"), ("cierre_aviso", "cierre_clientes")]


def crisis_with(n: int) -> Crisis:
    crisis = Crisis(id="c1", playbook_id=PB.id, state=CrisisState.ACTIVE, declared_at=START, declared_by="jaime",
                    playbook_json="{}", closed_at=NOW)
    done, skipped, cancelled, late = (steps[:n] for steps in KINDS)
    for step in done:
        crisis.tasks[step] = Task(step_id=step, state=TaskState.DONE, done_by="jaime", done_at=START)
    for step in skipped:
        crisis.tasks[step] = Task(step_id=step, state=TaskState.SKIPPED, done_by="jaime", skip_reason="no aplica")
    for step in cancelled:
        crisis.tasks[step] = Task(step_id=step, state=TaskState.CANCELLED)
    for step in late:
        crisis.tasks[step] = Task(step_id=step, state=TaskState.CLAIMED, owner="luis", claimed_at=START, deadline_at=START)
    return crisis


FORMS = {
    ("es", 1): ("Total: 1 hecha · 1 en curso · 0 sin tomar · 0 esperando · 1 vencida",
                "Tareas: 1 hecha · 1 no necesaria · 1 sin realizar.",
                "1 de 4 hecha · 1 abierta · 1 vencida"),
    ("es", 2): ("Total: 2 hechas · 2 en curso · 0 sin tomar · 0 esperando · 2 vencidas",
                "Tareas: 2 hechas · 2 no necesarias · 2 sin realizar.",
                "2 de 8 hechas · 2 abiertas · 2 vencidas"),
    ("en", 1): ("Total: 1 done · 1 in progress · 0 untaken · 0 waiting · 1 overdue",
                "Tasks: 1 done · 1 not needed · 1 not done.",
                "1 of 4 done · 1 open · 1 overdue"),
    ("en", 2): ("Total: 2 done · 2 in progress · 0 untaken · 0 waiting · 2 overdue",
                "Tasks: 2 done · 2 not needed · 2 not done.",
                "2 of 8 done · 2 open · 2 overdue"),
}


@pytest.mark.parametrize(("lang", "n"), sorted(FORMS))
def test_status_closing_summary_and_dashboard_counts_agree_with_the_number(lang: str, n: int) -> None:
    totals, closed, counts = FORMS[lang, n]
    crisis = crisis_with(n)
    assert totals in status_text(crisis, PB, DIR, NOW, lang, TZ).splitlines()
    assert closed in closed_summary(crisis, PB, [], lang, TZ, None).splitlines()
    assert summary_text(crisis, NOW, lang).endswith(" · " + counts)
    assert crisis_view(compute(crisis, PB, DIR, [], NOW), DIR, lang).counts == counts


@pytest.mark.parametrize(("lang", "acks", "status", "credit"), [
    ("es", ["jaime"], "1/9 confirmó", "Dado por cumplido por Jaime · 1/9 confirmó"),
    ("es", ["jaime", "luis"], "2/9 confirmaron", "Dado por cumplido por Jaime · 2/9 confirmaron"),
    ("en", ["jaime"], "1/9 confirmed", "Marked as fulfilled by Jaime · 1/9 confirmed"),
])
def test_a_round_for_all_staff_counts_who_read_it(lang: str, acks: list[str], status: str, credit: str) -> None:
    crisis = crisis_with(0)
    crisis.tasks["atencion"] = Task(step_id="atencion", state=TaskState.OPEN, acks=list(acks))
    assert any(line.endswith(" — " + status) for line in status_text(crisis, PB, DIR, NOW, lang, TZ).splitlines())
    closed = Task(step_id="atencion", state=TaskState.DONE, done_by="jaime", done_at=NOW, acks=list(acks))
    assert round_credit(DIR, PB.step("atencion"), closed, lang).startswith(credit + " · ")


def test_every_singular_has_its_plural_in_both_languages() -> None:
    """`tn` reads key_one or key_many: a pair with a half missing would fail only at a count."""
    from flows.texts import CATALOGS
    for lang, catalog in CATALOGS.items():
        ones = {k.removesuffix("_one") for k in catalog if k.endswith("_one")}
        manys = {k.removesuffix("_many") for k in catalog if k.endswith("_many")}
        assert ones == manys, lang


async def test_one_missing_from_a_round_is_asked_in_the_singular(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: se cayó el servidor")
    for name in ("Juan Pablo", "Luis", "Valeria", "Cecilia", "Catalina", "Claudia Riveros", "Claudia Martínez"):
        await chat.say(name, "leído 3")
    await chat.say("Jaime", "hecho 3")
    assert chat.inbox("Jaime")[-1].text.endswith("por todos? Falta 1: Marcelo.")
