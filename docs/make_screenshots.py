"""Regenerates docs/dashboard.png, docs/dashboard-phone.png and docs/report.png: a scripted
crisis on the real web app (uvicorn on 127.0.0.1, manual clock), photographed by Debian's
headless Chromium through Playwright.

    .venv/bin/python docs/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from flows.playbook import parse_duration  # noqa: E402
from tests.web.server import CHROMIUM, CHROMIUM_ARGS, Site, site  # noqa: E402

DOCS = ROOT / "docs"


async def advance(web: Site, duration: str) -> None:
    web.clock.advance(parse_duration(duration))
    await web.runtime.timers.sweep()
    await web.runtime.outbox.drain()


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with site(Path(tmp)) as web:
            await web.say("Luis", "🚨 alerta roja, no carga la plataforma")
            await web.press("Jaime", "Decretar ALERTA ROJA", containing="Luis escribió")
            await web.say("Jaime", "Se cayó el servidor principal a las 9:40; los clientes no pueden entrar a la plataforma.")
            await web.press("Jaime", "Enviar", containing="Se enviará a todos")  # the description is shown back first
            await advance(web, "3m")
            await web.say("Cecilia", "tomo 2")
            await advance(web, "6m")
            await web.say("Cecilia", "hecho 2")
            await web.say("Cecilia", "4455-AB")
            await web.say("Valeria", "tomo 4")
            await web.say("Marcelo", "tomo 6")
            await web.say("Marcelo", "hecho 6")
            for name in ("Luis", "Valeria", "Cecilia", "Marcelo"):
                await web.say(name, "leído 3")
            await web.say("Jaime", "banner: Estamos con problemas técnicos; ya trabajamos para resolverlos.")
            for _ in range(3):
                await advance(web, "10m")
            await web.say("Luis", "tomo 5")
            await advance(web, "19m")

            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                desk = await (await browser.new_context(viewport={"width": 1100, "height": 900})).new_page()
                await desk.goto(await web.panel_link("Juan Pablo"))
                await desk.wait_for_selector("#live-status.ok")
                await desk.screenshot(path=str(DOCS / "dashboard.png"), full_page=True)
                phone = await (await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)).new_page()
                await phone.goto(await web.panel_link("Jaime"))
                await phone.wait_for_selector("#live-status.ok")
                await phone.screenshot(path=str(DOCS / "dashboard-phone.png"))

                await web.say("Luis", "hecho 5")
                await web.press("Valeria", "Hecho", containing="¿Sigues en esto?")
                await web.say("Jaime", "hecho 3")
                await web.press("Jaime", "Dar por cumplido", containing="por todos?")
                await web.press("Claudia Martínez", "Firmar verificación", containing="Chequeo de las tareas")
                await advance(web, "5m")
                await web.say("Jaime", "FIN DE LA CRISIS")
                await advance(web, "4m")
                for number in ("8b", "8c", "8d"):
                    await web.say("Valeria", f"hecho {number}")
                await advance(web, "3m")
                await web.say("Claudia Riveros", "hecho 8e")
                await advance(web, "2m")
                await web.say("Juan Pablo", "hecho 8f")
                report = await (await browser.new_context(viewport={"width": 1100, "height": 900})).new_page()
                await report.goto(await web.panel_link("Jaime"))
                await report.goto(f"{web.url}/panel/informe/{await web.crisis_id()}")
                await report.screenshot(path=str(DOCS / "report.png"), full_page=True)
                await browser.close()


if __name__ == "__main__":
    asyncio.run(main())
