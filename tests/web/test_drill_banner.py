"""The public banner and the dashboard during a drill, over real HTTP (issue 14 point 2):
/banner.json stays down (the snippet a website embeds shows nothing) for the whole drill;
the dashboard's page of the drill says it is a drill and what the public banner would have
shown, in the reader's language; a real crisis puts it up at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.support import directory_with
from tests.web.server import Site, site

BANNER_ES = "Estamos con problemas técnicos"  # the start of the playbook's public message
WOULD = "«Estamos con problemas técnicos y ya estamos trabajando para resolverlos. Gracias por tu paciencia.»"


@pytest.fixture
async def english_reader(tmp_path: Path) -> AsyncIterator[Site]:
    """The site with Juan Pablo (a dashboard viewer) reading English."""
    directory = directory_with(tmp_path, {"Juan Pablo": "lang: en"})
    async with site(tmp_path, tick=30.0, stream_lifetime=30.0, watch_every=0.2,
                    settings={"directory": directory}) as running:
        yield running


async def banner(client: httpx.AsyncClient) -> dict[str, object]:
    response = await client.get("/banner.json")
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == "*"
    state: dict[str, object] = response.json()
    return state


async def page(web: Site, client: httpx.AsyncClient, name: str) -> str:
    link = await web.panel_link(name)
    assert (await client.get(link.removeprefix(web.url))).status_code == 303
    response = await client.get("/panel")
    assert response.status_code == 200
    return response.text


async def test_the_banner_stays_down_for_a_whole_drill_and_the_dashboard_says_it_would_have_shown(
        english_reader: Site) -> None:
    web = english_reader
    async with httpx.AsyncClient(base_url=web.url, timeout=10) as client:
        await web.say("Jaime", "SIMULACRO: cae el servidor")
        assert await banner(client) == {"active": False, "message": ""}
        await web.say("Valeria", "hecho 4")  # the banner step done: a real crisis would publish it now
        assert await banner(client) == {"active": False, "message": ""}
        snippet = await client.get("/banner.js")
        assert snippet.status_code == 200 and "javascript" in snippet.headers["content-type"]
        assert BANNER_ES not in snippet.text  # the snippet carries no message of its own: it reads banner.json

        jaime = await page(web, client, "Jaime")
        assert "🧪 SIMULACRO · Activa" in jaime
        assert f"El banner público habría mostrado: {WOULD} (simulacro: no se publica)" in jaime
        assert "Banner público visible" not in jaime
        client.cookies.clear()
        juan_pablo = await page(web, client, "Juan Pablo")
        assert "🧪 DRILL · Active" in juan_pablo
        assert f"The public banner would have shown: {WOULD} (drill: not published)" in juan_pablo

        # A real crisis ends the drill: the banner is up at once.
        await web.say("Jaime", "ALERTA ROJA: se cayó de verdad")
        await web.press("Jaime", "🚨 Crisis real", containing="¿Es una crisis real o parte del simulacro?")
        state = await banner(client)
        assert state["active"] is True and str(state["message"]).startswith(BANNER_ES), state
        client.cookies.clear()
        jaime = await page(web, client, "Jaime")
        assert "Banner público visible" in jaime and "habría mostrado" not in jaime
