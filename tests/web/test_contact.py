"""The dashboard's «Contacto por persona» table over real HTTP, with the signed session
the other web tests use: a person nobody can reach is shown «sin contacto» in words."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.outbox import PermanentError
from flows.messages import OutMessage
from tests.web.server import Site


@pytest.fixture
async def client(web: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web.url, timeout=10) as http:
        yield http


def row(html: str, person: str) -> str:
    found = re.search(rf'<tr class="contact[^"]*" data-person="{person}">(.*?)</tr>', html, re.DOTALL)
    assert found, f"no row for {person}"
    return found.group(0)


async def test_the_dashboard_shows_who_cannot_be_reached(
    web: Site, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch,
) -> None:
    deliver = web.transport.deliver

    async def refusing(recipient: str, message: OutMessage) -> str | None:
        if recipient == "marcelo":
            raise PermanentError("channel_not_found")
        return await deliver(recipient, message)

    monkeypatch.setattr(web.transport, "deliver", refusing)
    await web.say("Jaime", "ALERTA ROJA: caída")
    await web.runtime.contact.settle()
    await web.runtime.outbox.drain()
    link = web.web.links.personal("jaime")
    await client.get(link.removeprefix(web.url))
    page = await client.get("/panel")
    assert page.status_code == 200
    lost = row(page.text, "marcelo")
    assert "lost" in lost and "SIN CONTACTO" in lost and "channel_not_found" in lost and "Marcelo" in lost
    fine = row(page.text, "cecilia")
    assert "entregado" in fine and "SIN CONTACTO" not in fine and "no lo informa" in fine
    assert "próximo aviso 09:10" in fine  # the first reminder of the tasks nobody took yet
    assert "⚠️ sin contacto: Marcelo" in page.text
    assert "Sin contacto con Marcelo" in page.text  # the bitácora
    whole = await client.get(f"/panel/crisis/{await web.crisis_id()}")
    assert "SIN CONTACTO" in row(whole.text, "marcelo")
