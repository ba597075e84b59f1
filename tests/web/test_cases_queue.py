"""The dashboard's queue of open cases (/panel/casos) and a case's page, over real HTTP:
overdue first, 50 per page, the case with its fields, steps and bitácora, never public."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from flows.messages import LogEntry
from tests.persistence.cases_support import case_playbook, make_case, write_cases
from tests.support import START
from tests.web.server import Site

MIN = timedelta(minutes=1)


@pytest.fixture
async def client(web: Site) -> AsyncIterator[httpx.AsyncClient]:
    web.runtime.playbooks = {web.runtime.playbook.id: web.runtime.playbook, "danos": case_playbook()}
    async with httpx.AsyncClient(base_url=web.url, timeout=10) as http:
        yield http


async def login(web: Site, client: httpx.AsyncClient, person: str = "jaime", path: str = "/panel/casos") -> httpx.Response:
    link = web.web.links.personal(person, path)
    entered = await client.get(link.removeprefix(web.url))
    assert entered.status_code == 303
    return await client.get(entered.headers["location"])


def case_ids(html: str) -> list[str]:
    return re.findall(r'data-case="([A-Z]+-\d+)"', html)


async def test_the_queue_shows_overdue_cases_first_and_marked(web: Site, client: httpx.AsyncClient) -> None:
    danos = case_playbook()
    await write_cases(web.runtime.db, [
        make_case(danos, 1, START - 3 * 60 * MIN),  # no due time
        make_case(danos, 2, START - 130 * MIN, due_at=START + 90 * MIN, step="revisar", owner="luis"),
        make_case(danos, 3, START - 60 * MIN, due_at=START - 40 * MIN),
        make_case(danos, 4, START - 60 * MIN, closed=True),
    ], START)
    page = await login(web, client)
    assert page.status_code == 200
    assert case_ids(page.text) == ["R-3", "R-2", "R-1"]  # the closed R-4 is not in the queue
    overdue = page.text.split('data-case="R-3"')[1].split("</tr>")[0]
    assert "Vencido hace 40 min" in overdue and "sin tomar" in overdue and "1 Registrar reclamo" in overdue
    taken = page.text.split('data-case="R-2"')[1].split("</tr>")[0]
    assert "hace 2 h 10 min" in taken and "Luis" in taken and "2 Revisar orden" in taken
    assert "10:30" in taken  # due 13:30 UTC is 10:30 for Jaime (America/Santiago)
    assert 'class="case-row overdue"' in page.text and 'class="case-row"' in page.text
    assert "3 casos abiertos" in page.text and 'href="/panel/casos/R-3"' in page.text
    panel = await client.get("/panel")
    assert 'href="/panel/casos"' in panel.text and "Casos abiertos" in panel.text


async def test_the_queue_pages_by_50_with_next_and_previous_links(web: Site, client: httpx.AsyncClient) -> None:
    danos = case_playbook()
    await write_cases(web.runtime.db, [make_case(danos, n, START - n * MIN) for n in range(1, 61)], START)
    first = await login(web, client)
    assert case_ids(first.text) == [f"R-{n}" for n in range(60, 10, -1)]  # oldest first, 50 of them
    assert "Página 1 de 2" in first.text and "Anteriores" not in first.text
    second = await client.get(re.findall(r'href="([^"]+)" rel="next"', first.text)[0].replace("&amp;", "&"))
    assert case_ids(second.text) == [f"R-{n}" for n in range(10, 0, -1)]
    assert "Página 2 de 2" in second.text and "Siguientes" not in second.text
    back = await client.get(re.findall(r'href="([^"]+)" rel="prev"', second.text)[0].replace("&amp;", "&"))
    assert case_ids(back.text) == case_ids(first.text)


async def test_a_case_page_shows_its_fields_steps_and_bitacora(web: Site, client: httpx.AsyncClient) -> None:
    danos = case_playbook()
    case = make_case(danos, 12, START - 90 * MIN, due_at=START + 60 * MIN, step="revisar",
                     done=[("registrar", "luis", "orden 778")], fields={"contrato": "4452211", "reiterado": True})
    note = LogEntry(at=START - 30 * MIN, kind="note", person="jaime", channel="test", crisis_id=case.id,
                    data={"text": "Cliente llamó de nuevo"})
    await write_cases(web.runtime.db, [case], START, log=[note])
    page = await login(web, client, path="/panel/casos/r-12")  # any case of letters
    assert page.status_code == 200
    text = page.text
    for expected in ("Caso R-12", "Contrato", "4452211", "reiterado", "Sí",  # fields, a bool in words
                     "Registrar reclamo", "Luis", "Registró: orden 778",  # the step done, who, what it recorded
                     "2 Revisar orden · a cargo: sin tomar",  # the live step
                     "Vence el", "Cliente llamó de nuevo"):
        assert expected in text, expected
    missing = await client.get("/panel/casos/R-99")
    assert missing.status_code == 404 and "No hay ningún caso R-99." in missing.text


async def test_an_english_viewer_reads_the_queue_in_english(web: Site, client: httpx.AsyncClient) -> None:
    directory = web.runtime.directory
    people = [p.model_copy(update={"lang": "en"}) if p.id == "jaime" else p for p in directory.people]
    web.runtime.directory = directory.model_copy(update={"people": people})
    await write_cases(web.runtime.db, [make_case(case_playbook(), 1, START - 70 * MIN, due_at=START - 5 * MIN)], START)
    page = await login(web, client)
    row = page.text.split('data-case="R-1"')[1].split("</tr>")[0]
    assert "Overdue by 5 min" in row and "not taken" in row and "1 Record the complaint" in row and "1 h 10 min ago" in row
    assert "1 open case" in page.text


async def test_cases_are_never_public(web: Site, client: httpx.AsyncClient) -> None:
    await write_cases(web.runtime.db, [make_case(case_playbook(), 1, START - MIN)], START)
    for path in ("/panel/casos", "/panel/casos/R-1", "/panel/casos?playbook=danos&pagina=2"):
        response = await client.get(path)
        assert response.status_code == 403, path
        assert "R-1" not in response.text and "Registrar reclamo" not in response.text
    luis = web.web.links.personal("luis", "/panel/casos")  # signed, but Luis may not see the dashboard
    response = await client.get(luis.removeprefix(web.url))
    assert response.status_code == 403 and "Tu rol no da acceso" in response.text
