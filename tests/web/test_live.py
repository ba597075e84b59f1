"""The live dashboard sends only what changed, compressed, says what happened in words for
screen readers, and never holds up a shutdown (issue 11, point 13); what its cards and
list say (who is missing, escalations, the crises with their description)."""

from __future__ import annotations

import asyncio
import gzip
import html as htmllib
import json
import re
import time
import zlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.web.server import Site, free_port, site
from tests.web.test_manage import card, open_panel


@pytest.fixture
async def client(web: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web.url, timeout=10) as http:
        yield http


async def next_live(lines: AsyncIterator[str]) -> dict[str, object]:
    """The next `live` event of the stream, decoded."""
    async for line in lines:
        if line == "event: live":
            break
    data = [line.removeprefix("data: ") async for line in _until_blank(lines)]
    event: dict[str, object] = json.loads("\n".join(data))
    return event


async def _until_blank(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    async for line in lines:
        if not line:
            return
        yield line


class WireEvents:
    """Reads a gzip-compressed event stream as it comes off the wire: each event with the
    number of compressed bytes that carried it."""

    def __init__(self, raw: AsyncIterator[bytes]) -> None:
        self.raw, self.unzip, self.text, self.carried = raw, zlib.decompressobj(16 + zlib.MAX_WBITS), "", 0

    async def next_live(self) -> tuple[dict[str, object], int]:
        while True:
            while "\n\n" not in self.text:
                chunk = await anext(self.raw)
                self.carried += len(chunk)
                self.text += self.unzip.decompress(chunk).decode()
            block, self.text = self.text.split("\n\n", 1)
            carried, self.carried = self.carried, 0
            lines = block.split("\n")
            if lines[0] == "event: live":
                return json.loads("\n".join(line.removeprefix("data: ") for line in lines[1:])), carried


async def test_an_update_carries_only_the_pieces_that_changed_and_says_what_happened(
    web: Site, client: httpx.AsyncClient,
) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    await open_panel(web, client, "Jaime")
    async with client.stream("GET", "/panel/eventos", headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["content-encoding"] == "gzip"
        events = WireEvents(response.aiter_raw())
        first, _ = await events.next_live()
        assert "Sin tomar" in str(first["full"])  # the whole live part, once
        await web.say("Valeria", "tomo 4")
        event, carried = await asyncio.wait_for(events.next_live(), 5)
        while "task:banner" not in event.get("parts", {}):  # the change-watcher may send one of its own first
            event, carried = await asyncio.wait_for(events.next_live(), 5)

    parts = event["parts"]
    assert isinstance(parts, dict) and "full" not in event
    assert "A cargo: <strong>Valeria</strong>" in parts["task:banner"]
    assert "task:email" not in parts and "task:entel" not in parts and "list" not in parts  # unchanged: not resent
    assert event["announce"] == "Tarea 4 tomada por Valeria"
    assert carried < 3000, carried  # bytes on the wire for the update (it was ~12 KB uncompressed)


async def test_pages_are_compressed(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    await open_panel(web, client, "Jaime")
    page = await client.get("/panel", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    raw = int(page.headers.get("content-length", "0"))
    assert 0 < raw < len(page.content) / 3
    assert gzip.decompress(gzip.compress(page.content))  # sanity: httpx gave the decoded page
    css = await client.get("/panel/static/panel.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["content-encoding"] == "gzip"


async def test_stopping_the_server_does_not_wait_for_an_open_dashboard(tmp_path: Path) -> None:
    """uvicorn waits for open responses before the app's shutdown; with no graceful
    timeout at all, only bot.app.Server's early closing ends the stream."""
    async with site(tmp_path, tick=30.0, stream_lifetime=60.0, watch_every=0.2, graceful=None) as web:
        async with httpx.AsyncClient(base_url=web.url, timeout=10) as http:
            await open_panel(web, http, "Jaime")
            async with http.stream("GET", "/panel/eventos") as response:
                lines = response.aiter_lines()
                await next_live(lines)
                started = time.monotonic()
                web.server.should_exit = True
                async for _ in lines:  # the stream ends (the server closes it)
                    pass
                await asyncio.wait_for(web.server.stopped.wait(), 5)
                assert time.monotonic() - started < 2.0
    assert free_port()


async def test_cards_say_who_is_missing_and_how_a_task_was_escalated(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    for name in ("Cecilia", "Luis", "Valeria"):
        await web.say(name, "leído 3")
    web.clock.advance(timedelta(minutes=35))  # past the escalation of the untaken tasks (30 min)
    await web.runtime.timers.sweep()
    page = htmllib.unescape(await open_panel(web, client, "Jaime"))

    round_card = card(page, "atencion")
    assert "Faltan: Juan Pablo, Catalina, Jaime, Claudia Riveros, Claudia Martínez, Marcelo" in round_card
    assert "⚠ Escalada 1 vez a Juan Pablo, Jaime" in card(page, "banner")


async def test_the_list_of_crises_shows_when_how_long_and_what(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: el servidor de pagos no responde desde las 8:40 y los clientes no pueden pagar "
                           "ni entrar a la plataforma; Entel investiga")
    page = htmllib.unescape(await open_panel(web, client, "Jaime"))
    listed = re.search(r'<div class="crisis-list" data-key="list">.*?</div>', page, re.DOTALL)
    assert listed
    row = listed.group(0)
    assert "23/11/2026 09:00" in row or "23/11 09:00" in row
    assert "Activa" in row and "Jaime" in row
    assert "el servidor de pagos no responde desde las 8:40" in row and "…" in row  # cut to one short line


async def test_late_and_overdue_tasks_say_so_in_words(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    await web.say("Cecilia", "tomo 4")
    web.clock.advance(timedelta(minutes=50))  # past the 45-minute deadline
    await web.say("Cecilia", "hecho 4")
    page = htmllib.unescape(await open_panel(web, client, "Jaime"))
    assert "⚠ atrasada" in card(page, "banner")  # done after its deadline: not only red
    assert "⚠ VENCIDA" in card(page, "email")  # nobody took it in time
