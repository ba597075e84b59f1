"""Fixtures of the chat tests that run the case procedures beside the crisis (issue 12)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import Chat, cases_settings


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Chat]:
    """A bot running every shipped playbook with the shipped directory (everybody)."""
    chat = await Chat.open(cases_settings(tmp_path))
    try:
        yield chat
    finally:
        await chat.close()
