from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import Chat, settings_for

os.environ.setdefault("CRISISBOT_TESTING", "1")


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    conversation = await Chat.open(settings_for(tmp_path))
    try:
        yield conversation
    finally:
        await conversation.close()
