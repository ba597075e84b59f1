"""The report's three forms: Markdown, HTML with its SVG chart, CSV of the bitácora."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

from bot.report import csv_report, html_report, markdown_report
from tests.support import Chat
from tests.unit.test_report import play_known_crisis, report_of


async def test_markdown_states_the_crisis_the_figures_each_task_and_the_sign_off(chat: Chat) -> None:
    await play_known_crisis(chat)
    report = await report_of(chat)
    text = markdown_report(report, chat.rt.directory, "es")
    assert text.startswith(f"# Informe de la crisis {report.crisis.id}\n")
    for row in (
        "| **Inicio** | 23/11/2026 09:00 |", "| **Fin** | 23/11/2026 09:56 |", "| **Duración** | 56 min |",
        "| **Decretada por** | Jaime |", "| **FIN DE LA CRISIS anunciado por** | Jaime (23/11/2026 09:52) |",
        "| **Tiempo hasta la primera respuesta** | 2 min |",
        "| **Tiempo hasta completar todas las tareas de la crisis** | 52 min |",
        "| **Tareas hechas a tiempo** | 83 % (10 de 12) |",
        "| 2 | Contacto con Entel | Juan Pablo, Cecilia, Catalina, Jaime, Luis | Cecilia | 2 min | 7 min | 0 | 0 | a tiempo |",
        "| 5 | Email masivo | Juan Pablo, Cecilia, Catalina, Jaime, Luis, Valeria | Luis | 37 min | 37 min | 2 | 1 | a tiempo |",
        "| 4 | Banner de emergencia en fullpyme.cl | Juan Pablo, Cecilia, Catalina, Jaime, Luis, Valeria | Valeria | 7 min | 52 min | 0 | 0 | **atrasada** |",
        "## Verificación (paso 7: Chequeo de las tareas)", "**Firmada por Claudia Martínez el 23/11/2026 09:52.**",
        "- ✅ 2 Contacto con Entel: Cecilia, 09:07 · el número de ticket de Entel: 4455-AB",
        "· Claudia Martínez · test · Firmó la verificación de los pasos 1, 2, 3, 4, 5, 6",
    ):
        assert row in text, row
    assert "Mensaje entregado" not in text  # deliveries are counted, not listed


async def test_markdown_in_english(chat: Chat) -> None:
    await play_known_crisis(chat)
    text = markdown_report(await report_of(chat), chat.rt.directory, "en")
    assert "| **Tasks done on time** | 83 % (10 of 12) |" in text
    assert "**Signed by Claudia Martínez on 2026-11-23 09:52.**" in text


async def test_csv_has_every_entry_of_the_bitacora(chat: Chat) -> None:
    await play_known_crisis(chat)
    report = await report_of(chat)
    text = csv_report(report, chat.rt.directory, "es")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Fecha y hora", "Persona", "Canal", "Evento", "Paso", "Descripción", "Detalle"]
    assert len(rows) == len(report.entries) + 1
    assert any(r[3] == "Mensaje entregado" for r in rows[1:])  # receipts: here, and only here
    entel = next(r for r in rows if r[3] == "Tarea hecha con dato" and r[4] == "2")
    assert entel[:3] == ["2026-11-23 09:07:00", "Cecilia", "test"]
    assert "4455-AB" in entel[5] and "valor: 4455-AB" in entel[6]


async def test_html_has_the_figures_the_table_the_sign_off_and_a_gantt_chart(chat: Chat) -> None:
    await play_known_crisis(chat)
    report = await report_of(chat)
    html = html_report(report, chat.rt.directory, "es")
    assert "<title>Informe de la crisis" in html and "83 % (10 de 12)" in html
    assert "Firmada por Claudia Martínez el 23/11/2026 09:52." in html
    svg = re.search(r"<svg.*?</svg>", html, re.DOTALL)
    assert svg is not None
    root = ET.fromstring(svg.group(0))  # well-formed XML
    ns = {"s": "http://www.w3.org/2000/svg"}
    rows = root.findall("s:g[@class='task']", ns)
    assert [g.get("data-step") for g in rows] == [s.id for s in report.playbook.steps]
    late = {g.get("data-step") for g in rows if g.find("s:rect[@class='late']", ns) is not None}
    assert late == {"atencion", "banner"}
    email = next(g for g in rows if g.get("data-step") == "email")
    assert len(email.findall("s:circle[@class='reminder']", ns)) == 2
    assert len(email.findall("s:path[@class='escalation']", ns)) == 1
    assert root.find("s:line[@class='fin']", ns) is not None


async def test_html_escapes_what_people_wrote(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: <script>alert(1)</script> caída")
    report = await report_of(chat)
    html = html_report(report, chat.rt.directory, "es")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; caída" in html
