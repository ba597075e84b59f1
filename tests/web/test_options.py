"""A case question on the dashboard (issue 12): one button per option, in order, each
posting its CHOOSE action through the signed form."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.loading import load_playbook
from flows.commands import Press
from flows.crisis import Crisis, CrisisState, Task, TaskState
from flows.directory import Directory, Person
from flows.messages import Action
from handlers.web import actions
from handlers.web.forms import forms_for
from tests.support import START

PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "comteco_direccionamiento.yaml"
ANA = Person(id="ana", name="Ana", roles=["plat_asesor"])


def test_an_open_question_shows_one_button_per_option() -> None:
    playbook = load_playbook(PLAYBOOK)
    step = playbook.step("tramite_postventa")
    case = Crisis("c1", playbook.id, CrisisState.ACTIVE, START, "ana", "{}", kind="case", short_id="R-1",
                  tasks={step.id: Task(step.id, TaskState.OPEN)})
    forms = forms_for(case, playbook, Directory(people=[ANA]), "ana", "es", "csrf")
    options = forms.tasks[step.id].options
    assert len(options) == len(step.options) == 8
    assert [value for value, _ in options] == [o.value for o in step.options]
    assert options[0][1] == step.options[0].label.in_lang("es")


def test_an_option_posted_is_the_choose_press(monkeypatch: pytest.MonkeyPatch) -> None:
    handed: list[Press] = []

    async def handle(press: Press) -> None:
        handed.append(press)

    async def fresh(*args: Any) -> None:
        return None

    monkeypatch.setattr(actions, "stale", fresh)
    runtime: Any = SimpleNamespace(service=SimpleNamespace(handle=handle))
    form = {"kind": "choose", "crisis": "c1", "step": "tramite_postventa", "value": "llamadas"}
    assert asyncio.run(actions.press_from_form(runtime, ANA, form)) == []
    assert handed == [Press("ana", Action.for_choice("c1", "tramite_postventa", "llamadas"), "panel")]
