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
from starlette.responses import HTMLResponse
from starlette.routing import Route

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
    await expect(email.locator(".overdue-chip")).to_have_text("VENCIDA", timeout=TIMEOUT)
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
        after = await visit()
        await after.wait_for_timeout(200)
        assert await after.locator("#crisisbot-banner").count() == 0
        assert await after.locator("h1").inner_text() == "FullPyme"
