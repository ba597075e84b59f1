"""Review of the managers' dashboard (issue 11, point 13): a manager's actions tried with
stale forms, repeated submits, bad and hostile inputs, over real HTTP. No 500s, and an
answer in words on the page."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.web.server import Site
from tests.web.test_manage import act, bitacora, card, chat_of, open_panel, token


@pytest.fixture
async def client(web: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web.url, timeout=10) as http:
        yield http


async def submit(web: Site, client: httpx.AsyncClient, page: str, step: str, kind: str, value: str = "") -> None:
    """Send the form `kind` of step `step`'s card as the browser would: every hidden field
    it carries, and `value` in its field."""
    for form in re.findall(r"<form .*?</form>", page, re.DOTALL):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
        if fields.get("kind") == kind and fields.get("step") == step:
            answer = await client.post("/panel/accion", data={**fields, "value": value})
            assert answer.status_code == 303
            await web.runtime.outbox.drain()
            return
    raise AssertionError(f"no {kind} form on step {step}'s card")


async def notice(client: httpx.AsyncClient) -> list[str]:
    """What the page says, once, about the last action («Resultado»)."""
    page = htmllib.unescape((await client.get("/panel")).text)
    found = re.search(r'id="notice">(.*?)</section>', page, re.DOTALL)
    return re.findall(r"<p>(.*?)</p>", found.group(1), re.DOTALL) if found else []


async def test_a_form_drawn_before_someone_took_the_task_does_not_do_it_over_them(
        web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    page = await open_panel(web, client, "Jaime")  # step 4 is untaken: no «La tiene…» on its form
    await web.say("Valeria", "tomo 4")  # meanwhile, in chat
    told_before = len(chat_of(web, "Valeria"))

    await submit(web, client, page, "banner", "done")

    assert await notice(client) == ["La tarea 4 cambió mientras mirabas: ahora la tiene Valeria. "
                                    "Revisa su tarjeta y vuelve a intentarlo."]
    fresh = (await client.get("/panel")).text
    assert "A cargo: <strong>Valeria</strong>" in card(fresh, "banner")
    assert len(chat_of(web, "Valeria")) == told_before  # nobody told anything: nothing happened
    assert "La tiene Valeria: quedará hecha por ti (Jaime)" in card(fresh, "banner")
    await submit(web, client, fresh, "banner", "done")  # now Jaime saw who holds it
    assert "Hecha" in card((await client.get("/panel")).text, "banner")
    assert any("Jaime marcó hecha la tarea 4" in text for text in chat_of(web, "Valeria"))


async def test_a_stale_hand_over_or_not_needed_is_not_obeyed_either(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    page = await open_panel(web, client, "Jaime")
    await web.say("Cecilia", "tomo 6")

    await submit(web, client, page, "timify", "skip", "ya estaba caído")
    assert await notice(client) == ["La tarea 6 cambió mientras mirabas: ahora la tiene Cecilia. "
                                    "Revisa su tarjeta y vuelve a intentarlo."]
    await submit(web, client, page, "timify", "assign", "marcelo")
    assert "A cargo: <strong>Cecilia</strong>" in card((await client.get("/panel")).text, "timify")


async def test_a_note_from_the_page_of_a_closed_crisis_stays_out_of_the_next_one(
        web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída A")
    old_page = await open_panel(web, client, "Jaime")
    await web.say("Jaime", "FIN DE LA CRISIS")
    await web.press("Jaime", "Cerrar igual", containing="¿Cerrar igual?")
    for number in ("8a", "8b", "8d", "8f"):  # the closing steps (8c, 8e undo what was never done)
        await web.say("Jaime", f"hecho {number}")
    await web.say("Cecilia", "ALERTA ROJA: caída B")
    assert "caída B" in (await client.get("/panel")).text  # a new crisis

    await act(client, old_page, "note", value="Entel vuelve a las 14:00", web=web)  # the tab left open since A

    assert await notice(client) == ["Esa crisis ya no está abierta."]
    assert "Entel vuelve a las 14:00" not in await bitacora(web, client)  # B's bitácora


async def test_a_value_that_does_not_fit_changes_nothing_and_asks_nothing_in_chat(
        web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    page = await open_panel(web, client, "Jaime")
    before = len(chat_of(web, "Jaime"))

    await submit(web, client, page, "entel", "done", "no sé, Entel no contesta")

    assert await notice(client) == ["Eso no parece el número de ticket de Entel. Ejemplo: 4455-AB. Escríbelo de nuevo."]
    assert "Sin tomar" in card((await client.get("/panel")).text, "entel")  # not taken by a refused form
    assert not any("¿Qué número de ticket dio Entel?" in text for text in chat_of(web, "Jaime")[before:])
    await web.say("Jaime", "4455-AB")  # so his next line in chat is not taken as the ticket
    assert "Sin tomar" in card((await client.get("/panel")).text, "entel")


async def test_hostile_and_broken_forms_get_words_never_a_500(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    page = await open_panel(web, client, "Jaime")
    crisis = await web.crisis_id()

    await act(client, page, "note", value='<script>alert("x")</script><img src=x onerror=alert(1)>', web=web)
    for path in ("/panel", f"/panel/crisis/{crisis}", f"/panel/informe/{crisis}"):
        raw = (await client.get(path)).text
        assert "<script>alert" not in raw and "<img src=x" not in raw, path
    assert '📝 Nota: <script>alert("x")</script>' in await bitacora(web, client)  # shown as text

    await act(client, page, "note", value="x" * 200_000, web=web)  # past the textarea's maxlength, by hand
    assert "x" * 1000 in await bitacora(web, client) and "x" * 1001 not in await bitacora(web, client)

    await act(client, page, "done", "banner", web=web)
    await act(client, page, "done", "banner", web=web)  # a double submit
    assert await notice(client) == ["La tarea 4 ya está hecha (por Jaime a las 09:00)."]

    await act(client, page, "skip", "timify", "   ", web=web)
    assert await notice(client) == ["Para marcar la tarea 6 como no necesaria, di por qué."]
    await act(client, page, "assign", "timify", "nadie", web=web)
    assert await notice(client) == ["La tarea 6 solo puede quedar a cargo de sus responsables: "
                                    "Cecilia, Catalina, Jaime, Valeria, Claudia Riveros, Marcelo."]
    await act(client, page, "done", "no-such-step", web=web)  # forged
    assert await notice(client) == ["El formulario venció o no es válido. Vuelve a intentarlo desde esta página."]

    csrf = token(page)
    for broken in (
        {"content": b"\xff\xfe\x00", "headers": {"content-type": "application/x-www-form-urlencoded"}},
        {"json": {"kind": "note", "csrf": csrf}},
        {"data": {"csrf": csrf, "kind": "complete", "crisis": crisis, "step": "banner"}},  # not a dashboard action
        {"data": {"csrf": csrf, "kind": "note", "crisis": crisis}, "files": {"value": ("a.txt", b"hola")}},
    ):
        answer = await client.post("/panel/accion", **broken)  # type: ignore[arg-type]
        assert answer.status_code in (303, 400, 403), (broken, answer.status_code)
    assert (await client.get("/panel/accion")).status_code == 405
    note = {"csrf": csrf, "kind": "note", "crisis": crisis, "value": "x"}
    for site_ in ("cross-site", "same-site"):  # a sandboxed frame elsewhere also says «Origin: null»
        forged = await client.post("/panel/accion", data=note, headers={"Origin": "null", "Sec-Fetch-Site": site_})
        assert forged.status_code == 403 and "venció o no es válido" in forged.text


async def test_a_form_sent_from_a_real_browser_is_obeyed(web: Site, browser: Any) -> None:
    """Chromium sends «Origin: null» with a form on a page served with «Referrer-Policy:
    no-referrer»; the form is still this site's (Sec-Fetch-Site says so) and must work."""
    await web.say("Jaime", "ALERTA ROJA: caída")
    page = await (await browser.new_context(viewport={"width": 390, "height": 844})).new_page()  # a phone
    await page.goto(await web.panel_link("Jaime"))
    await page.wait_for_selector("#live-status.ok", timeout=10_000)

    await page.locator("#note-text").fill("<b>Entel</b> vuelve a las 14:00")
    await page.locator("form.note-form button[type=submit]").click()

    await expect(page.locator("#notice")).to_have_text("Resultado 📝 Nota añadida a la bitácora.", timeout=10_000)
    banner = page.locator("li.task[data-step=banner]")
    await banner.locator("summary").click()
    await banner.locator("select[name=value]").select_option("valeria")
    await banner.locator("form:has(input[name=kind][value=assign]) button").click()
    await expect(page.locator("#notice")).to_contain_text("quedó a cargo de Valeria", timeout=10_000)
    await expect(page.locator("li.task[data-step=banner] .chip.state")).to_have_text("En curso")
    assert "📝 Nota: <b>Entel</b> vuelve a las 14:00" in htmllib.unescape(
        await (await page.request.get(f"{web.url}/panel/crisis/{await web.crisis_id()}")).text())
