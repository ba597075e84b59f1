"""Acting from the dashboard (issue 11, point 13) over real HTTP: a manager hands a task to
someone, marks it done or not needed with a reason, adds a note, corrects a value; each is
in the bitácora with «panel» as its channel, and the people concerned hear of it in chat."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.web.server import Site


@pytest.fixture
async def client(web: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web.url, timeout=10) as http:
        yield http


async def open_panel(web: Site, client: httpx.AsyncClient, name: str) -> str:
    """`name` opens their personal link: the dashboard's HTML."""
    client.cookies.clear()
    link = web.web.links.personal(web.pid(name))
    await client.get(link.removeprefix(web.url))
    page = await client.get("/panel")
    assert page.status_code == 200
    return page.text


def card(page: str, step: str) -> str:
    found = re.search(rf'<li class="task[^"]*"[^>]*data-key="task:{step}".*?</li>', page, re.DOTALL)
    assert found, f"no card for {step}"
    return htmllib.unescape(found.group(0))


def token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no form on the page"
    return found.group(1)


async def act(client: httpx.AsyncClient, page: str, kind: str, step: str = "", value: str = "",
              web: Site | None = None) -> httpx.Response:
    """Send one of the page's forms (its token and crisis), as the browser would."""
    crisis = re.search(r'name="crisis" value="([^"]+)"', page)
    assert crisis
    answer = await client.post("/panel/accion", data={"csrf": token(page), "crisis": crisis.group(1), "step": step,
                                                      "kind": kind, "value": value})
    if web is not None:
        await web.runtime.outbox.drain()  # what the bot says in chat about it
    return answer


async def bitacora(web: Site, client: httpx.AsyncClient) -> str:
    return htmllib.unescape((await client.get(f"/panel/crisis/{await web.crisis_id()}")).text)


def chat_of(web: Site, name: str) -> list[str]:
    pid = web.pid(name)
    return [m.text for to, m in web.transport.sent if to == pid]


async def test_a_coordinator_hands_a_task_to_a_responsible(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    page = await open_panel(web, client, "Jaime")
    assert "Dejar a cargo de" in card(page, "banner")

    answer = await act(client, page, "assign", "banner", "valeria", web)

    assert answer.status_code == 303 and answer.headers["location"] == "/panel#task-banner"
    after = await client.get("/panel")
    assert "Listo: la tarea 4 (Banner de emergencia en fullpyme.cl) quedó a cargo de Valeria." in htmllib.unescape(after.text)
    assert "A cargo: <strong>Valeria</strong>" in card(after.text, "banner")
    told = [m for to, m in web.transport.sent if to == "valeria" and "Jaime te asignó la tarea 4" in m.text]
    assert told and told[-1].fresh and any(b.label == "Hecho" for b in told[-1].buttons)
    log = await bitacora(web, client)
    assert re.search(r"<strong>Jaime</strong> · Dejó la tarea 4 \(Banner de emergencia en fullpyme.cl\) a cargo de Valeria", log)
    csv = (await client.get(f"/panel/informe/{await web.crisis_id()}.csv")).text
    assert any("panel" in line and "Valeria" in line for line in csv.splitlines())


async def test_not_needed_with_a_reason_and_a_note_from_the_dashboard(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    await web.say("Valeria", "tomo 6")
    page = await open_panel(web, client, "Juan Pablo")
    assert (await act(client, page, "skip", "timify", "")).status_code == 303  # no reason: asked for one
    assert "Para marcar la tarea 6 como no necesaria, di por qué." in htmllib.unescape((await client.get("/panel")).text)

    await act(client, page, "skip", "timify", "Timify ya estaba caído", web)
    await act(client, page, "note", value="Entel dice que vuelve a las 14:00")

    after = await client.get("/panel")
    assert "No necesaria" in card(after.text, "timify")
    assert any("Juan Pablo marcó tu tarea 6 (Desactivar Timify) como no necesaria: Timify ya estaba caído" in text
               for text in chat_of(web, "Valeria"))
    log = await bitacora(web, client)
    assert "La tarea 6 (Desactivar Timify) quedó como no necesaria: Timify ya estaba caído" in log
    assert "📝 Nota: Entel dice que vuelve a las 14:00" in log
    await web.say("Cecilia", "nota: el proveedor confirma la caída")  # the same from chat
    assert "📝 Nota: el proveedor confirma la caída" in await bitacora(web, client)


async def test_done_for_someone_else_says_so_and_the_log_names_who_did_it(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    await web.say("Cecilia", "tomo 4")
    page = await open_panel(web, client, "Jaime")
    assert "La tiene Cecilia: quedará hecha por ti (Jaime), y la bitácora lo dirá." in card(page, "banner")

    await act(client, page, "done", "banner", web=web)

    log = await bitacora(web, client)
    assert "<strong>Jaime</strong> · Marcó hecha la tarea 4 (Banner de emergencia en fullpyme.cl)" in log
    assert any("Jaime" in text and "tarea 4" in text for text in chat_of(web, "Cecilia")[-3:])  # who held it is told


async def test_correcting_a_recorded_value_from_the_dashboard(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    await web.say("Cecilia", "hecho 2")
    await web.say("Cecilia", "T-42")
    page = await open_panel(web, client, "Jaime")
    assert "Corregir" in card(page, "entel")

    await act(client, page, "correct", "entel", "T-43", web)

    assert "T-43" in card((await client.get("/panel")).text, "entel")
    assert "T-43" in await bitacora(web, client)
    assert any("T-43" in text for text in chat_of(web, "Cecilia"))  # who recorded it is told


async def test_without_rights_a_clear_refusal_and_nothing_changes(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    page = await open_panel(web, client, "Claudia Martínez")  # checks step 7: sees the page, not step 4's work
    assert "Dejar a cargo de" not in card(page, "banner")

    answer = await act(client, page, "assign", "banner", "valeria")  # forged by hand

    assert answer.status_code == 303
    refused = htmllib.unescape((await client.get("/panel")).text)
    assert "No estás entre los responsables de la tarea 4 (Juan Pablo, Cecilia, Catalina, Jaime, Luis, Valeria)." in refused
    assert "Sin tomar" in card(refused, "banner")
    stolen = re.sub(r'name="csrf" value="[^"]+"', 'name="csrf" value="forged"', page)
    assert (await act(client, stolen, "assign", "banner", "valeria")).status_code == 403
    other_site = await client.post("/panel/accion", headers={"Origin": "https://evil.example"},
                                   data={"csrf": token(page), "crisis": "x", "step": "banner", "kind": "note", "value": "x"})
    assert other_site.status_code == 403 and "venció o no es válido" in other_site.text
    client.cookies.clear()
    assert (await client.post("/panel/accion", data={"kind": "note"})).status_code == 403


async def test_a_responsible_acts_on_their_own_tasks_only(web: Site, client: httpx.AsyncClient) -> None:
    """Claudia Riveros checks step 7 (she sees the dashboard) and is one of Timify's people."""
    await web.say("Jaime", "ALERTA ROJA: caída")
    page = await open_panel(web, client, "Claudia Riveros")
    timify = card(page, "timify")
    assert '<option value="claudia_riveros">Claudia Riveros (yo)</option>' in timify  # she may take it herself
    assert '<option value="marcelo">' not in timify  # not give it to others

    await act(client, page, "assign", "timify", "marcelo", web)  # forged: refused in words
    refused = htmllib.unescape((await client.get("/panel")).text)
    assert "Solo quien decreta o coordina puede asignar la tarea 6 a otra persona. Puedes tomarla tú." in refused

    await act(client, page, "assign", "timify", "claudia_riveros", web)  # takes it
    mine = await client.get("/panel")
    assert "A cargo: <strong>Claudia Riveros</strong>" in card(mine.text, "timify")
    assert '<option value="marcelo">Marcelo</option>' in card(mine.text, "timify")  # now she may hand it over
    await act(client, mine.text, "assign", "timify", "marcelo", web)
    assert "A cargo: <strong>Marcelo</strong>" in card((await client.get("/panel")).text, "timify")
    assert any("Claudia Riveros te asignó la tarea 6" in text for text in chat_of(web, "Marcelo"))
