"""The views the bot opens and publishes (a step's modal, the App Home) stay within what
Slack takes (tests/slack/fake_slack.py `view_refusal`: 100 blocks, a modal's title, submit
and close of at most 24 characters): a view over them is refused and the person sees
nothing. In both languages, in a drill too (its mark adds characters)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.loading import load_all
from flows.crisis import Crisis, CrisisState, Task, TaskState
from handlers.slack.views import home_view, input_modal
from tests.slack.fake_slack import view_refusal
from tests.support import DIRECTORY, PLAYBOOK, START

PB, DIR = load_all(PLAYBOOK, DIRECTORY, "es")
assert DIR is not None


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("drill", [False, True])
def test_every_modal_a_step_opens_is_one_slack_takes(lang: str, drill: bool) -> None:
    steps = [step for step in PB.steps if step.input is not None]
    assert steps
    for step in steps:
        assert view_refusal(input_modal("20261130-ab12", step, lang, f"card:20261130-ab12/{step.id}", drill)) is None, step.id


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_home_of_somebody_holding_every_task_of_a_drill_is_one_slack_takes(lang: str) -> None:
    crisis = Crisis(id="20261130-ab12", playbook_id=PB.id, state=CrisisState.ACTIVE, declared_at=START,
                    declared_by="jaime", playbook_json=PB.model_dump_json(), drill=True)
    for step in PB.steps:
        crisis.tasks[step.id] = Task(step_id=step.id, state=TaskState.CLAIMED, activated_at=START, owner="jaime",
                                     claimed_at=START, deadline_at=START + timedelta(minutes=45))
    view = home_view(crisis, DIR, "jaime", START + timedelta(minutes=50), lang, ZoneInfo(PB.timezone))
    assert view_refusal(view) is None
    assert len(view["blocks"]) > 20  # every card is there
