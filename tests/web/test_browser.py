"""The dashboard and the banner in a real headless Chromium (Debian's package, driven by
Playwright), against the real app served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from playwright.async_api import expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from handlers.web.banner import SNIPPET
from handlers.web.links import SignedLinks
from tests.web.server import SECRET, Site, free_port, serving

TIMEOUT = 10_000  # ms


async def test_a_signed_link_opens_the_dashboard_with_the_tasks(web: Site, browser: Any) -> None:
    await web.say("Jaime", "ALERTA ROJA: se cayó el servidor principal")
    link = await web.panel_link("Juan Pablo")
    page = await (await browser.new_context(viewport={"width": 390, "height": 844})).new_page()  # a phone
    response = await page.goto(link)
    assert response.status == 200 and page.url == f"{web.url}/panel"
    await page.wait_for_selector("#live-status.ok", timeout=TIMEOUT)  # the live stream is connected
    assert await page.locator("header .viewer").inner_text() == "Juan Pablo · Salir"
    assert "se cayó el servidor principal" in await page.locator("#crisis").inner_text()
    titles = await page.locator("li.task .title").all_inner_texts()
    assert titles[:3] == ["1 Decretar la alerta", "2 Contacto con Entel", "3 Atención al cliente, todas las áreas"]
    entel = page.locator("li.task[data-step=entel]")
    assert await entel.locator(".chip.state").inner_text() == "Sin tomar"
    assert "Responsables: Juan Pablo, Cecilia, Catalina, Jaime, Luis" in await entel.inner_text()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on a phone (the chart scrolls in its own box)
    cookies = await page.context.cookies()
    assert [(c["name"], c["httpOnly"], c["path"]) for c in cookies] == [("crisisbot_panel", True, "/panel")]


async def test_a_button_pressed_in_chat_changes_the_page_without_a_reload(web: Site, browser: Any) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    page = await browser.new_page()
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    await page.goto(await web.panel_link("Jaime"))
    await page.wait_for_selector("#live-status.ok", timeout=TIMEOUT)
    await page.evaluate("window.__sameDocument = 'yes'")
    entel = page.locator("li.task[data-step=entel]")
    assert await entel.locator(".chip.state").inner_text() == "Sin tomar"

    await web.press("Cecilia", "Lo tomo", containing="Contacto con Entel")

    await expect(entel.locator(".chip.state")).to_have_text("En curso", timeout=TIMEOUT)
    await expect(entel).to_contain_text("A cargo: Cecilia")
    await expect(page.locator("ol.timeline")).to_contain_text("Tomó la tarea 2 (Contacto con Entel)")

    web.clock.advance(timedelta(minutes=50))  # past the 45-minute deadline
    await web.runtime.timers.sweep()
    email = page.locator("li.task[data-step=email]")
    await expect(email.locator(".overdue-chip")).to_have_text("⚠ VENCIDA", timeout=TIMEOUT)  # in words, not only red
    await expect(email.locator(".task-detail")).to_have_css("color", "rgb(197, 48, 48)")  # overdue in red

    assert await page.evaluate("window.__sameDocument") == "yes"
    assert navigations == [f"{web.url}/panel"]  # the signed link's redirect, and nothing since


async def test_an_expired_link_is_refused(web: Site, browser: Any) -> None:
    expired = SignedLinks(SECRET, web.url, clock=lambda: time.time() - 3 * 3600).personal("jaime")
    page = await browser.new_page()
    response = await page.goto(expired)
    assert response.status == 403
    assert await page.locator("h1").inner_text() == "Acceso denegado"
    assert "Este enlace ya venció" in await page.locator("main").inner_text()
    assert await page.context.cookies() == []
    response = await page.goto(f"{web.url}/panel")
    assert response.status == 403


@contextlib.asynccontextmanager
async def company_website(bot_url: str) -> AsyncIterator[str]:
    """A page of our own, on another origin, that embeds the banner with one tag."""

    async def home(request: Request) -> HTMLResponse:
        return HTMLResponse(f"""<!doctype html><html lang="es"><head><meta charset="utf-8"><title>FullPyme</title></head>
<body><h1>FullPyme</h1><p>Software para pymes.</p>
<script src="{bot_url}/banner.js" async></script></body></html>""")

    port = free_port()
    async with serving(Starlette(routes=[Route("/", home)]), port):
        yield f"http://localhost:{port}/"


async def test_the_banner_shows_on_a_website_during_a_crisis_and_not_after_it(web: Site, browser: Any) -> None:
    async with company_website(web.url) as website:
        async def visit() -> Any:
            page = await (await browser.new_context()).new_page()  # a new visitor: nothing cached
            async with page.expect_response(f"{web.url}/banner.json", timeout=TIMEOUT) as answer:
                await page.goto(website)
            response = await answer.value
            assert response.headers["access-control-allow-origin"] == "*"
            return page

        quiet = await visit()
        await quiet.wait_for_timeout(200)
        assert await quiet.locator("#crisisbot-banner").count() == 0

        await web.say("Jaime", "ALERTA ROJA: base de datos caída")
        await web.say("Jaime", "banner: Tenemos problemas técnicos; estamos trabajando para resolverlos.")
        during = await visit()
        banner = during.locator("#crisisbot-banner")
        await banner.wait_for(timeout=TIMEOUT)
        assert await banner.inner_text() == "⚠️ Tenemos problemas técnicos; estamos trabajando para resolverlos."
        assert await banner.get_attribute("role") == "alert"
        assert await during.evaluate("document.body.firstElementChild.id") == "crisisbot-banner"

        await web.say("Jaime", "FIN DE LA CRISIS")
        await web.press("Jaime", "Cerrar igual", containing="¿Cerrar igual?")  # work is still open
        after = await visit()
        await after.wait_for_timeout(200)
        assert await after.locator("#crisisbot-banner").count() == 0
        assert await after.locator("h1").inner_text() == "FullPyme"


async def test_a_live_update_keeps_focus_typing_and_the_chart_scroll_and_is_announced(web: Site, browser: Any) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    page = await (await browser.new_context(viewport={"width": 390, "height": 844})).new_page()  # a phone
    await page.goto(await web.panel_link("Jaime"))
    await page.wait_for_selector("#live-status.ok", timeout=TIMEOUT)
    chart = page.locator(".chart")
    at_end = "el => el.scrollLeft > 0 && el.scrollLeft + el.clientWidth >= el.scrollWidth - 4"
    assert await chart.evaluate(at_end)  # the newest minutes first
    await chart.evaluate("el => { el.scrollLeft = 120; }")  # the manager looks back
    banner = page.locator("li.task[data-step=banner]")
    await banner.locator("summary").click()
    reason = banner.locator("input[name=value]").last  # «No necesaria, porque…»
    await reason.click()
    await reason.type("ya estaba")

    await web.press("Valeria", "Lo tomo", containing="Banner de emergencia")

    await expect(banner.locator(".chip.state")).to_have_text("En curso", timeout=TIMEOUT)
    await expect(page.locator("#announce")).to_have_text("Tarea 4 tomada por Valeria")
    assert await page.locator("#announce").get_attribute("aria-live") == "polite"
    assert await page.evaluate("document.activeElement.name") == "value"
    assert await page.evaluate("document.activeElement.closest('[data-key]').dataset.key") == "task:banner"
    assert await page.evaluate("document.activeElement.value") == "ya estaba"
    assert await banner.locator("details").evaluate("d => d.open")
    assert await chart.evaluate("el => el.scrollLeft") == 120
    await page.keyboard.type(" antes")  # typing goes on where it was
    assert await reason.input_value() == "ya estaba antes"


@contextlib.asynccontextmanager
async def flaky_bot(answers: list[tuple[int, str]]) -> AsyncIterator[str]:
    """The bot's banner.js behind a proxy whose banner.json answers what the test says:
    answers[-1] is the current (status, body)."""

    async def snippet(request: Request) -> Response:
        return Response(SNIPPET, media_type="application/javascript; charset=utf-8",
                        headers={"Access-Control-Allow-Origin": "*"})

    async def state(request: Request) -> Response:
        status, body = answers[-1]
        kind = "application/json" if body.startswith("{") else "text/html"
        return Response(body, status_code=status, media_type=kind, headers={"Access-Control-Allow-Origin": "*"})

    port = free_port()
    async with serving(Starlette(routes=[Route("/banner.js", snippet), Route("/banner.json", state)]), port):
        yield f"http://127.0.0.1:{port}"


async def test_the_banner_stays_up_when_the_bot_cannot_answer(browser: Any) -> None:
    answers = [(200, '{"active": true, "message": "Estamos con problemas técnicos."}')]
    async with flaky_bot(answers) as bot, company_website(bot) as website:
        page = await (await browser.new_context()).new_page()
        await page.clock.install()
        await page.goto(website)
        banner = page.locator("#crisisbot-banner")
        await expect(banner).to_have_text("⚠️ Estamos con problemas técnicos.", timeout=TIMEOUT)

        async def next_check() -> int:
            async with page.expect_response(f"{bot}/banner.json", timeout=TIMEOUT) as answer:
                await page.clock.run_for(61_000)
            status: int = (await answer.value).status
            await page.wait_for_timeout(100)
            return status

        for proxy_answer in ((502, "<html>Bad Gateway</html>"), (200, "<html>Mantención</html>"), (503, "")):
            answers.append(proxy_answer)
            assert await next_check() == proxy_answer[0]
            await expect(banner).to_have_text("⚠️ Estamos con problemas técnicos.")  # the last known banner stays
        answers.append((200, '{"active": false, "message": ""}'))
        await next_check()
        await expect(banner).to_have_count(0)  # only the bot saying «no crisis» takes it down
