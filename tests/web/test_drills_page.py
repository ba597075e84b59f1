"""Drills on the dashboard (issue 14 point 4), over real HTTP: their own page per playbook
with each drill's score and a chart over drills; the list of crises leaves them out; a
drill's report carries its score."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from persistence.database import reading
from persistence.drill_runs import list_drills
from tests.web.server import Site


@pytest.fixture
async def client(web: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web.url, timeout=10) as http:
        yield http


async def close_everything(web: Site, by: str) -> None:
    """FIN DE LA CRISIS (confirmed when work is undone), then every closing task needed."""
    await web.say(by, "FIN DE LA CRISIS")
    if any("¿Cerrar igual?" in m.text for r, m in web.transport.sent[-3:] if r == web.pid(by)):
        await web.press(by, "Cerrar igual", containing="¿Cerrar igual?")
    for number in ("8b", "8c", "8d", "8e"):
        await web.say("Cecilia", f"hecho {number}")
    await web.say("Juan Pablo", "hecho 8f")


async def test_drills_have_their_own_page_with_scores_and_a_chart_and_stay_out_of_the_crises(
    web: Site, client: httpx.AsyncClient,
) -> None:
    # Drill 1: step 1 at once, 2 done at 4 min, 3-6 never (FIN at 50 min), 7 never reached: 2 of 7 within, 29 %
    await web.say("Catalina", "SIMULACRO: prueba uno")
    web.clock.advance(timedelta(minutes=4))
    await web.say("Luis", "hecho 2")
    await web.say("Luis", "ticket 11-A")
    web.clock.advance(timedelta(minutes=46))
    await close_everything(web, "Catalina")
    # Drill 2, a day later: 1-6 within their deadlines, 7 (the sign-off) not done at FIN: 6 of 7, 86 %
    web.clock.advance(timedelta(days=1))
    await web.say("Jaime", "SIMULACRO: prueba dos")
    web.clock.advance(timedelta(minutes=2))
    await web.say("Luis", "hecho 2")
    await web.say("Luis", "ticket 22-B")
    for name, number in (("Valeria", "4"), ("Luis", "5"), ("Marcelo", "6")):
        await web.say(name, f"hecho {number}")
    await web.say("Jaime", "hecho 3")
    await web.press("Jaime", "Dar por cumplido", containing="por todos?")
    await close_everything(web, "Jaime")
    # A real crisis afterwards
    web.clock.advance(timedelta(hours=1))
    await web.say("Jaime", "ALERTA ROJA: se cayó el servidor de verdad")
    async with reading(web.runtime.db) as conn:
        drills = [crisis.id for crisis, _ in await list_drills(conn, web.runtime.playbook.id)]
    assert len(drills) == 2
    newest, oldest = drills
    real = await web.crisis_id()
    assert real not in drills

    await client.get((await web.panel_link("Juan Pablo")).removeprefix(web.url))
    panel = await client.get("/panel")
    assert real in panel.text and not any(d in panel.text for d in drills)  # the list of crises leaves drills out
    assert 'href="/panel/simulacros"' in panel.text

    page = await client.get("/panel/simulacros")
    assert page.status_code == 200
    html = page.text
    assert "Simulacros · Plan de contingencia FullPyme" in html
    rows = re.findall(r'<tr class="drill-row" data-drill="([^"]+)">(.*?)</tr>', html, re.S)
    assert [d for d, _ in rows] == [newest, oldest]  # newest first
    assert "Jaime" in rows[0][1] and "86 % (6 de 7 pasos dentro de su plazo)" in rows[0][1]
    assert "Catalina" in rows[1][1] and "29 % (2 de 7 pasos dentro de su plazo)" in rows[1][1]
    assert real not in html
    points = re.findall(r'<g class="drill-point" data-drill="([^"]+)" data-percent="(\d+)">', html)
    assert points == [(oldest, "29"), (newest, "86")]  # the chart over drills, oldest on the left
    assert '<path d="M' in html and 'class="trend"' in html

    report = await client.get(f"/panel/informe/{oldest}")
    assert "Informe del simulacro" in report.text and "Resultado del simulacro" in report.text
    assert "29 % (2 de 7 pasos dentro de su plazo)" in report.text
    markdown = await client.get(f"/panel/informe/{oldest}.md")
    assert "## Resultado del simulacro" in markdown.text
    assert "| 2 | Contacto con Entel | 45 min | 4 min | Dentro de plazo | Luis (a los 4 min) |" in markdown.text


async def test_the_drills_page_is_not_public_and_knows_its_playbooks(web: Site, client: httpx.AsyncClient) -> None:
    assert (await client.get("/panel/simulacros")).status_code == 403
    await client.get((await web.panel_link("Juan Pablo")).removeprefix(web.url))
    empty = await client.get("/panel/simulacros")
    assert "Aún no hay simulacros de este procedimiento." in empty.text
    unknown = await client.get("/panel/simulacros/no_existe")
    assert unknown.status_code == 404 and "No hay un procedimiento «no_existe»." in unknown.text
