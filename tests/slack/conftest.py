from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.loading import load_all
from handlers.slack.people import Sleep
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import CHANNEL, OTHER_CHANNEL, Workspace, everyone, open_workspace, slack_settings
from tests.support import DIRECTORY, PLAYBOOK

OpenWorkspace = Callable[..., Workspace]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    _, directory = load_all(PLAYBOOK, DIRECTORY)
    assert directory is not None
    slack = FakeSlack(users=everyone(directory.people)).start()
    slack.add_channel(CHANNEL, "crisis")
    slack.add_channel(OTHER_CHANNEL, "general")
    try:
        yield slack
    finally:
        slack.stop()


@pytest.fixture
def open_slack(tmp_path: Path, fake: FakeSlack) -> Iterator[OpenWorkspace]:
    """Open the app with settings overrides."""
    clients: list[TestClient] = []

    def factory(sleep: Sleep | None = None, **overrides: Any) -> Workspace:
        """`sleep`: how the background lookups of people wait (default: for real)."""
        client, workspace = open_workspace(slack_settings(tmp_path, fake, **overrides), fake, sleep)
        clients.append(client)
        return workspace

    try:
        yield factory
    finally:
        for client in clients:
            client.__exit__(None, None, None)


@pytest.fixture
def slack(open_slack: OpenWorkspace) -> Workspace:
    return open_slack()
