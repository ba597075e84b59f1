"""The manifest asks for what the code uses and no more; Slack settings turn the feature
on in `crisisbot serve` and make `crisisbot run` serve Slack instead of the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from starlette.routing import Route

from bot import cli
from bot.features import enabled_features
from handlers.slack.config import COMMAND
from handlers.slack.feature import EVENTS_PATH, SlackFeature
from handlers.slack.listeners.cases import CASE_COMMAND
from tests.support import ROOT, settings_for

MANIFEST = yaml.safe_load((ROOT / "slack" / "manifest.yml").read_text(encoding="utf-8"))


def test_manifest_points_everything_at_the_one_endpoint() -> None:
    settings = MANIFEST["settings"]
    urls = [settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"],
            *(c["url"] for c in MANIFEST["features"]["slash_commands"])]
    assert urls and all(url.endswith(EVENTS_PATH) for url in urls)
    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == [COMMAND, CASE_COMMAND]
    assert settings["interactivity"]["is_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def test_manifest_has_the_least_scopes_and_the_events_listened_to() -> None:
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted([
        "chat:write", "im:write", "users:read", "users:read.email", "commands",
        "channels:history", "groups:history", "im:history", "channels:read", "groups:read", "channels:join"])
    assert sorted(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == sorted([
        "message.channels", "message.groups", "message.im", "app_home_opened", "member_joined_channel",
        "member_left_channel", "channel_left"])
    assert "user" not in MANIFEST["oauth_config"]["scopes"]  # no user token


def test_slack_settings_turn_the_feature_on(tmp_path: Path) -> None:
    assert not any(isinstance(f, SlackFeature) for f in enabled_features(settings_for(tmp_path)))
    settings = settings_for(tmp_path, slack_bot_token="xoxb-1", slack_signing_secret="s", slack_crisis_channel="C1")
    [slack] = [f for f in enabled_features(settings) if isinstance(f, SlackFeature)]
    assert [(r.path, r.methods) for r in slack.routes() if isinstance(r, Route)] == [(EVENTS_PATH, {"POST"})]
    socket_only = settings_for(tmp_path, slack_bot_token="xoxb-1", slack_app_token="xapp-1")
    [slack] = [f for f in enabled_features(socket_only) if isinstance(f, SlackFeature)]
    assert slack.routes() == []  # without a signing secret there is no HTTP door
    assert not any(isinstance(f, SlackFeature) for f in enabled_features(settings_for(tmp_path, slack_bot_token="xoxb-1")))


def test_crisisbot_run_serves_slack_when_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[int | None] = []
    def serve(settings: object, port: int | None) -> int:
        served.append(port)
        return 0

    monkeypatch.setattr("bot.app.serve", serve)
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DATABASE_URL":
                        f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    assert cli.main(["run"]) == 0
    assert served == [None]
