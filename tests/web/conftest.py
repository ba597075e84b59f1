from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.web.server import CHROMIUM, CHROMIUM_ARGS, Site, site


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[Site]:
    async with site(tmp_path, tick=30.0, stream_lifetime=30.0, watch_every=0.2) as running:
        yield running


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    """Debian's chromium driven by Playwright (no browser download)."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium) to run the browser tests")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()
