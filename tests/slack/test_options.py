"""A case question's options in Slack (issue 12): up to 5 short ones as buttons, more or a
label over 75 characters as a static_select within Slack's limits (the fake refuses what
Slack refuses); the option chosen reaches the service as Press(CHOOSE, value)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.inbox import Taken
from flows.commands import Press
from flows.messages import Action
from handlers.slack.blocks import message_payloads
from tests.slack.fake_slack import TEAM, refusal
from tests.slack.harness import Workspace
from tests.unit.test_options import LABELS, options_card


def _elements(count: int) -> list[dict[str, Any]]:
    [payload] = message_payloads(options_card(count))
    assert refusal(payload) is None
    [actions] = [b for b in payload["blocks"] if b["type"] == "actions"]
    return list(actions["elements"])


def test_few_short_options_are_buttons() -> None:
    for count in (2, 4):
        elements = _elements(count)
        assert [e["type"] for e in elements] == ["button"] * count
        assert [e["text"]["text"] for e in elements] == LABELS[:count]


def test_many_or_long_options_are_a_select_within_limits() -> None:
    [select] = _elements(8)  # 8 options, one of 90+ characters
    assert select["type"] == "static_select" and select["placeholder"]["text"] == "Elige una opción"
    texts = [o["text"]["text"] for o in select["options"]]
    assert texts[:2] == ["1. Call Center", "2. Help Desk"]
    assert len(texts[7]) == 75 and texts[7].endswith("…")
    assert [o["value"] for o in select["options"]] == [f"op{i}" for i in range(1, 9)]


def _select(options: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "actions", "elements": [{"type": "static_select", "action_id": "crisis.choose:x",
                                             "placeholder": {"type": "plain_text", "text": "Elige"},
                                             "options": options}]}


def _option(text: str = "Call Center", value: str = "op1") -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def _buttons(count: int, label: str = "Sí") -> dict[str, Any]:
    return {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": label},
                                             "action_id": f"a{i}", "value": "v"} for i in range(count)]}


@pytest.mark.parametrize(("block", "refused"), [
    (_select([_option("o" * 76)]), True),
    (_select([_option(value="v" * 151)]), True),
    (_select([_option(value=f"v{i}") for i in range(101)]), True),
    (_select([_option("o" * 75, "v" * 150)] * 100), False),
    (_buttons(26), True),
    (_buttons(1, "b" * 76), True),
    (_buttons(25, "b" * 75), False),
])
def test_fake_slack_refuses_what_slack_refuses(block: dict[str, Any], refused: bool) -> None:
    assert (refusal({"text": "x", "blocks": [block]}) == "invalid_blocks") is refused


def test_choosing_in_the_select_presses_the_option(slack: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    handed: list[Press] = []

    async def take(command: Press, *args: Any, **kwargs: Any) -> Taken:
        handed.append(command)
        return Taken(None)

    monkeypatch.setattr(slack.rt.inbox, "take", take)
    [select] = _elements(8)
    [payload] = message_payloads(options_card(8))
    block_id = next(b["block_id"] for b in payload["blocks"] if b["type"] == "actions")
    user = slack.user("Cecilia")
    chosen = select["options"][2]
    body = {"type": "block_actions", "user": {"id": user, "username": "cecilia", "team_id": TEAM},
            "api_app_id": "A0CRISIS", "team": {"id": TEAM, "domain": "fullpyme"},
            "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "D0CECILIA"},
            "trigger_id": "1.2.abc", "actions": [{
                "type": "static_select", "action_id": select["action_id"], "block_id": block_id,
                "selected_option": chosen, "action_ts": f"{time.time():.6f}"}]}
    slack.interaction(body)
    cecilia = slack.rt.directory.find("Cecilia")[0].id
    assert handed == [Press(cecilia, Action.for_choice("R-12", "derivar", "op3"), "slack")]
