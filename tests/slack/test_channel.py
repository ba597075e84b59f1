"""The bot not in the crisis channel: Slack answers `not_in_channel` (public) or
`channel_not_found` (private it cannot see). The bot joins a public channel when it may,
says clearly how to fix it, relays the group's messages by DM meanwhile and tells the
declarer; once invited, the channel gets the crisis again."""

from __future__ import annotations

import logging

import pytest

from tests.slack.conftest import OpenWorkspace
from tests.slack.fake_slack import BOT_USER, FakeSlack
from tests.slack.harness import CHANNEL, Workspace

EVERYONE = ("Juan Pablo", "Cecilia", "Catalina", "Jaime", "Luis", "Valeria", "Claudia Riveros", "Claudia Martínez",
            "Marcelo")
ANNOUNCED = "🚨 ALERTA ROJA · decretada por Jaime a las 09:00."


def _warnings(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)


def _relayed_to_everyone(slack: Workspace, fragment: str) -> None:
    for name in EVERYONE:
        assert len(slack.got(name, fragment)) == 1, name


def _member_joined(slack: Workspace) -> None:
    slack.fake.set_member(CHANNEL, True)
    event = {"type": "member_joined_channel", "user": BOT_USER, "channel": CHANNEL, "channel_type": "C",
             "team": "T0FULLPYME", "event_ts": "1.2"}
    slack.post(slack.event_body(event), "application/json")


def test_a_public_channel_is_joined_at_start_up(fake: FakeSlack, open_slack: OpenWorkspace) -> None:
    fake.set_member(CHANNEL, False)
    slack = open_slack()
    assert [c.args["channel"] for c in fake.called("conversations.join")] == [CHANNEL]
    slack.dm("Jaime", "ALERTA ROJA")
    assert "Decretada por Jaime" in slack.announcement().shown
    assert not slack.got("Luis", ANNOUNCED) and not slack.got("Jaime", "No estoy en el canal")


def test_not_invited_the_group_is_relayed_by_dm_the_declarer_told_until_the_bot_is_invited(
        fake: FakeSlack, open_slack: OpenWorkspace, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    fake.set_member(CHANNEL, False)
    fake.scopes.discard("channels:join")
    slack = open_slack()
    warned = _warnings(caplog)
    assert f"not in the crisis channel {CHANNEL}" in warned and "/invite @crisisbot" in warned
    assert "channels:join" in warned
    slack.dm("Jaime", "ALERTA ROJA: sin internet")
    assert slack.channel() == []
    _relayed_to_everyone(slack, ANNOUNCED)
    [told] = slack.got("Jaime", "No estoy en el canal de crisis #crisis")
    assert "/invite @crisisbot" in told.shown and "por mensaje directo" in told.shown
    assert not [c for c in fake.refused() if c.error == "not_in_channel"]  # relayed, not refused one by one

    _member_joined(slack)  # somebody typed /invite @crisisbot
    assert "Situación: sin internet" in slack.announcement().shown  # the channel gets the crisis as it is now
    slack.write("Jaime", "FIN DE LA CRISIS")
    slack.press("Jaime", "Cerrar igual")  # work still open: asked first (issue 11 point 1)
    assert any("FIN DE LA CRISIS · anunciado por Jaime" in m.shown for m in slack.channel())
    assert not slack.got("Luis", "FIN DE LA CRISIS · anunciado por Jaime")
    assert len(slack.got("Jaime", "No estoy en el canal de crisis")) == 1


def test_a_private_channel_the_bot_cannot_see(fake: FakeSlack, open_slack: OpenWorkspace,
                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    fake.add_channel(CHANNEL, "crisis-privada", private=True, member=False)
    slack = open_slack()
    warned = _warnings(caplog)
    assert "channel_not_found" in warned and "/invite @crisisbot" in warned
    assert not fake.called("conversations.join")  # a private channel cannot be joined
    slack.dm("Jaime", "ALERTA ROJA")
    _relayed_to_everyone(slack, ANNOUNCED)
    assert slack.got("Jaime", f"No estoy en el canal de crisis {CHANNEL}")


def test_removed_from_the_channel_during_a_crisis(slack: Workspace, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    slack.dm("Jaime", "ALERTA ROJA")
    assert "Decretada por Jaime" in slack.announcement().shown
    slack.fake.set_member(CHANNEL, False)  # somebody removed the bot, and Slack's event got lost
    slack.press("Valeria", "Lo tomo", containing="Banner")  # the live summary: refused, and that says it
    assert [c.error for c in slack.fake.refused()] == ["not_in_channel"]
    assert "not in the crisis channel" in _warnings(caplog)
    assert slack.got("Jaime", "No estoy en el canal de crisis #crisis")
    slack.dm("Jaime", "FIN DE LA CRISIS")
    slack.press("Jaime", "Cerrar igual")  # work still open: asked first (issue 11 point 1)
    _relayed_to_everyone(slack, "FIN DE LA CRISIS · anunciado por Jaime")
    assert len(slack.fake.refused()) == 1  # known now: relayed without trying the channel again
