"""The web routes over real HTTP (uvicorn on 127.0.0.1): access through signed links, the
pages, the reports, the server-sent events and the public banner."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from handlers.web.links import COOKIE, SignedLinks
from tests.web.server import SECRET, Site


@pytest.fixture
async def client(web: Site) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web.url, timeout=10) as http:
        yield http


def old_links(web: Site, hours: float) -> SignedLinks:
    """Signs with the right key, as if it were `hours` ago."""
    return SignedLinks(SECRET, web.url, clock=lambda: time.time() - hours * 3600)


async def enter(client: httpx.AsyncClient, link: str) -> httpx.Response:
    return await client.get(link.removeprefix(str(client.base_url)))


async def test_the_dashboard_is_never_public(web: Site, client: httpx.AsyncClient) -> None:
    for path in ("/panel", "/panel/eventos", "/panel/crisis/x", "/panel/informe/x", "/panel/informe/x.csv"):
        response = await client.get(path)
        assert response.status_code == 403, path
    page = await client.get("/panel")
    assert "Escribe «panel» al bot en el chat para recibir tu enlace personal." in page.text
    assert page.headers["cache-control"] == "no-store"


async def test_a_signed_link_opens_a_session(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: se cayó el servidor")
    link = await web.panel_link("Juan Pablo")
    response = await enter(client, link)
    assert response.status_code == 303 and response.headers["location"] == "/panel"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "Path=/panel" in cookie
    assert "samesite=lax" in cookie.lower() and "Max-Age=43200" in cookie
    page = await client.get("/panel")
    assert page.status_code == 200
    for text in ("Contacto con Entel", "Banner de emergencia en fullpyme.cl", "se cayó el servidor", "Juan Pablo"):
        assert text in page.text
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_expired_tampered_and_foreign_links_are_refused(web: Site, client: httpx.AsyncClient) -> None:
    expired = old_links(web, hours=3).personal("jaime")
    response = await enter(client, expired)
    assert response.status_code == 403 and "Este enlace ya venció" in response.text
    good = web.web.links.personal("jaime")
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    response = await enter(client, tampered)
    assert response.status_code == 403 and "no es válido" in response.text
    forged = SignedLinks("another-key", web.url).personal("jaime")
    assert (await enter(client, forged)).status_code == 403
    luis = web.web.links.personal("luis")  # signed, but Luis may not see the dashboard
    response = await enter(client, luis)
    assert response.status_code == 403 and "Tu rol no da acceso" in response.text
    assert COOKIE not in client.cookies


async def test_a_link_never_sends_elsewhere(web: Site, client: httpx.AsyncClient) -> None:
    for path in ("https://evil.example/", "//evil.example/panel", "/panel//evil.example", "/admin"):
        response = await enter(client, web.web.links.personal("jaime", path))
        assert response.headers["location"] == "/panel", path


async def test_an_old_session_is_over(web: Site, client: httpx.AsyncClient) -> None:
    client.cookies.set(COOKIE, old_links(web, hours=13).session_value("jaime"), path="/panel")
    response = await client.get("/panel")
    assert response.status_code == 403 and "Tu sesión terminó" in response.text
    client.cookies.set(COOKIE, old_links(web, hours=11).session_value("jaime"), path="/panel")
    assert (await client.get("/panel")).status_code == 200


async def test_reports_and_crisis_pages(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    await web.say("Cecilia", "tomo 2")
    crisis_id = await web.crisis_id()
    await enter(client, web.web.links.personal("claudia_martinez", f"/panel/informe/{crisis_id}"))
    html = await client.get(f"/panel/informe/{crisis_id}")
    assert html.status_code == 200 and "<svg" in html.text and f"Informe de la crisis {crisis_id}" in html.text
    markdown = await client.get(f"/panel/informe/{crisis_id}.md")
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    assert "| 2 | Contacto con Entel |" in markdown.text
    table = await client.get(f"/panel/informe/{crisis_id}.csv")
    assert table.headers["content-type"] == "text/csv; charset=utf-8"
    assert table.headers["content-disposition"] == f'attachment; filename="bitacora-{crisis_id}.csv"'
    assert "Tomó la tarea 2 (Contacto con Entel)" in table.text
    page = await client.get(f"/panel/crisis/{crisis_id}")
    assert "Tomó la tarea 2 (Contacto con Entel)" in page.text and "Decretó ALERTA ROJA" in page.text
    missing = await client.get("/panel/informe/20000101-0000")
    assert missing.status_code == 404 and "No existe la crisis 20000101-0000" in missing.text


async def live_event(lines: AsyncIterator[str]) -> str:
    """The next `live` event of the stream: its data lines, joined."""
    assert await anext(lines) == "event: live"
    data: list[str] = []
    async for line in lines:
        if not line:
            break
        data.append(line.removeprefix("data: "))
    return "\n".join(data)


async def test_the_events_stream_sends_the_live_part_rendered(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    await enter(client, web.web.links.personal("jaime"))
    async with client.stream("GET", "/panel/eventos") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.aiter_lines()
        assert await anext(lines) == "retry: 2000"
        assert await anext(lines) == ""
        first = await live_event(lines)
        assert "Sin tomar" in first
        await web.say("Cecilia", "tomo 2")
        # The next events (the change-watcher may add one of its own in between) show her claim.
        for _ in range(3):
            second = await live_event(lines)
            if "🟡 Cecilia, hace 0 min" in second:
                break
        assert "🟡 Cecilia, hace 0 min" in second


async def test_the_public_banner_follows_the_crisis(web: Site, client: httpx.AsyncClient) -> None:
    response = await client.get("/banner.json")
    assert response.json() == {"active": False, "message": ""}
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "public, max-age=30"
    await web.say("Jaime", "ALERTA ROJA: el servidor de Entel no responde (ticket interno 55)")
    state = (await client.get("/banner.json")).json()
    assert state == {"active": True, "message": web.runtime.playbook.banner.message}  # no internal detail
    await web.say("Jaime", "banner: Tenemos problemas para ingresar a la plataforma.")
    assert (await client.get("/banner.json")).json()["message"] == "Tenemos problemas para ingresar a la plataforma."
    await web.say("Jaime", "FIN DE LA CRISIS")
    await web.press("Jaime", "Cerrar igual", containing="¿Cerrar igual?")  # work is still open
    assert (await client.get("/banner.json")).json() == {"active": False, "message": ""}


async def test_the_banner_snippet(client: httpx.AsyncClient) -> None:
    response = await client.get("/banner.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/javascript; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert 'new URL("banner.json", script.src)' in response.text and "textContent" in response.text


async def test_the_check_sign_off_shows_on_the_dashboard_and_in_the_report(web: Site, client: httpx.AsyncClient) -> None:
    await web.say("Jaime", "ALERTA ROJA: caída")
    await web.say("Jaime", "hecho 2")
    await web.say("Jaime", "T-42")
    for number in ("3", "4", "5", "6"):
        await web.say("Jaime", f"hecho {number}")
        if number == "3":  # closing the all-staff round for everyone asks first
            await web.press("Jaime", "Dar por cumplido", containing="por todos?")
    await enter(client, web.web.links.personal("jaime"))
    before = await client.get("/panel")
    assert "Verificación (paso 7: Chequeo de las tareas)" in before.text and "Sin firmar." in before.text
    await web.press("Claudia Martínez", "Firmar verificación", containing="Chequeo de las tareas")
    after = await client.get("/panel")
    assert "Firmada por Claudia Martínez el 23/11/2026 09:00." in after.text
    assert "el número de ticket de Entel: T-42" in after.text
    report = await client.get(f"/panel/informe/{await web.crisis_id()}")
    assert "Firmada por Claudia Martínez el 23/11/2026 09:00." in report.text


async def read_event(lines: AsyncIterator[str]) -> str:
    assert await anext(lines) == "event: live"
    data: list[str] = []
    async for line in lines:
        if not line:
            break
        data.append(line.removeprefix("data: "))
    return "\n".join(data)


async def test_changes_made_by_another_process_reach_the_page(web: Site, client: httpx.AsyncClient) -> None:
    """A `crisisbot run` beside `crisisbot serve` on the same database: no hook is shared."""
    from bot.runtime import Runtime
    from flows.commands import Say
    from tests.support import RecordingTransport

    other = await Runtime.build(web.settings, transports={"test": RecordingTransport()}, clock=web.clock)
    try:
        await enter(client, web.web.links.personal("jaime"))
        async with client.stream("GET", "/panel/eventos") as response:
            lines = response.aiter_lines()
            assert await anext(lines) == "retry: 2000" and await anext(lines) == ""
            assert "No hay ninguna crisis abierta." in await read_event(lines)
            await other.service.handle(Say("jaime", "ALERTA ROJA: desde otro proceso", "terminal"))
            assert "desde otro proceso" in await asyncio.wait_for(read_event(lines), 5)  # well before the 30 s tick
    finally:
        await other.stop()


def test_personal_links_stay_out_of_the_access_log(web: Site) -> None:
    import logging

    link = web.web.links.personal("jaime")
    path = link.removeprefix(web.url)
    record = logging.LogRecord("uvicorn.access", logging.INFO, "h11_impl.py", 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5555", "GET", path, "1.1", 303), None)
    for handler_filter in logging.getLogger("uvicorn.access").filters:
        handler_filter.filter(record)
    assert record.getMessage() == '127.0.0.1:5555 - "GET /panel/acceso/… HTTP/1.1" 303'
