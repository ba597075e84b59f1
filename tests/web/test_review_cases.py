"""Review of the dashboard's cases (issue 12) as a coordinator reads them: cases never show
up as crises in the crisis panel (nor slow it down), a case page reads as chat does (an
option's label, not its id), and the queue fits a phone's width."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from flows.playbook import Playbook
from tests.persistence.cases_support import case_playbook, make_case, write_cases
from tests.support import START
from tests.web.server import Site

MIN = timedelta(minutes=1)


def choice_playbook() -> Playbook:
    """A case playbook with a choice field and a question (as seed 001's steps 1 and 1.1)."""
    return Playbook.model_validate({
        "id": "danos", "name": "Daños reiterados", "kind": "case", "case": {"prefix": "R"},
        "fields": [{"id": "contrato", "label": {"es": "Contrato", "en": "Contract"}, "required": True},
                   {"id": "vulnerabilidad", "label": {"es": "Vulnerabilidad", "en": "Vulnerability"}, "kind": "choice",
                    "options": [{"value": "2", "label": {"es": "2 Alta (24 h)", "en": "2 High (24 h)"}}]}],
        "declarers": ["declarantes"], "coordinators": ["coordinacion"],
        "roles": {"entel": "Call center", "coordinacion": "Coordinación", "declarantes": "Declarantes"},
        "steps": [
            {"id": "recibido", "number": "1", "title": "¿Quién recibió el reclamo?", "kind": "ask", "responsibles": ["entel"],
             "options": [{"value": "call_center", "label": {"es": "Call Center", "en": "Call centre"}}]},
            {"id": "revisar", "number": "2", "title": "Revisar orden", "responsibles": ["coordinacion"]},
            {"id": "fin", "number": "3", "title": "Fin", "kind": "end", "responsibles": ["coordinacion"], "outcome": "Resuelto"},
        ],
    })


@pytest.fixture
async def client(web: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web.url, timeout=10) as http:
        yield http


def with_cases(web: Site, playbook: Playbook) -> None:
    web.runtime.playbooks = {web.runtime.playbook.id: web.runtime.playbook, playbook.id: playbook}


async def login(web: Site, client: httpx.AsyncClient, path: str, person: str = "jaime") -> httpx.Response:
    entered = await client.get(web.web.links.personal(person, path).removeprefix(web.url))
    assert entered.status_code == 303
    return await client.get(entered.headers["location"])


async def test_the_crisis_panel_does_not_list_cases_as_crises(web: Site, client: httpx.AsyncClient) -> None:
    danos = case_playbook()
    with_cases(web, danos)
    await write_cases(web.runtime.db, [make_case(danos, n, START - n * MIN, by="luis") for n in range(1, 4)], START)
    panel = await login(web, client, "/panel")
    assert panel.status_code == 200
    assert "Todavía no hay crisis registradas" in panel.text  # three open cases, no crisis
    assert "case-danos-" not in panel.text and "Luis" not in panel.text and "Activa" not in panel.text


async def test_a_case_page_shows_option_labels_as_chat_does(web: Site, client: httpx.AsyncClient) -> None:
    playbook = choice_playbook()
    with_cases(web, playbook)
    fields: dict[str, Any] = {"contrato": "4452211", "vulnerabilidad": "2", "reiterado": False, "previos": 0}
    case = make_case(playbook, 1, START - 30 * MIN, step="revisar", done=[("recibido", "luis", "call_center")], fields=fields)
    await write_cases(web.runtime.db, [case], START)
    text = (await login(web, client, "/panel/casos/R-1")).text
    assert "<dd>2 Alta (24 h)</dd>" in text and "Registró: Call Center" in text
    assert "call_center" not in text and "<dd>2</dd>" not in text
    assert "<dt>Casos anteriores</dt>" in text and "<dt>Reiterado</dt>" in text  # the engine's fields, named as in chat
    assert text.index("<dt>Contrato</dt>") < text.index("<dt>Vulnerabilidad</dt>") < text.index("<dt>Reiterado</dt>")


async def test_the_queue_fits_a_phone(web: Site, browser: Any) -> None:
    danos = case_playbook()
    with_cases(web, danos)
    await write_cases(web.runtime.db, [make_case(danos, 1, START - 130 * MIN, due_at=START - 40 * MIN, step="revisar", owner="luis"),
                                       make_case(danos, 2, START - 20 * MIN, due_at=START + 90 * MIN)], START)
    context = await browser.new_context(viewport={"width": 375, "height": 700})
    page = await context.new_page()
    await page.goto(web.web.links.personal("jaime", "/panel/casos"))
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing cut off to the right
    due = page.locator('tr[data-case="R-2"] td.due')
    assert await due.is_visible()
    assert "Vence" in await due.evaluate("e => getComputedStyle(e, '::before').content")  # the column named on the card
    await context.close()
