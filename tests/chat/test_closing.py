"""The end of a crisis and who gets the credit, read like the chat (issue 11, points 6, 7
and 10): a short closing message with its figures and the report's link, never a server
command; «Dado por cumplido por Jaime · 4/9 confirmaron» instead of «hecha por»; nobody
escalated about themselves; a check-in that asks for what is missing; «informe» once the
crisis is over."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bot.report import markdown_report
from bot.runtime import Runtime
from flows.clock import ManualClock
from handlers.terminal.session import TerminalSession
from tests.support import DIRECTORY, ROOT, START, Chat, RecordingTransport, settings_for
from tests.unit.test_report import report_of

SERVER_COMMAND = re.compile(r"crisisbot\s+[a-z]")  # «crisisbot informe …», «crisisbot serve»
EVERYONE = ("Juan Pablo", "Cecilia", "Catalina", "Jaime", "Luis", "Valeria", "Claudia Riveros", "Claudia Martínez",
            "Marcelo")


class FakeLinks:
    """The dashboard's addresses, as `crisisbot serve` gives them (handlers/web/links.py)."""

    ttl_minutes = 30

    def personal(self, person_id: str, path: str = "/panel") -> str:
        return f"https://crisis.example{path}?para={person_id}"

    def page(self, path: str) -> str:
        return f"https://crisis.example{path}"


async def crisis_tasks_done(chat: Chat, readers: tuple[str, ...] = ("Luis", "Valeria", "Cecilia", "Marcelo")) -> None:
    """Steps 1-6 done by typing; step 3 read by `readers`, then closed by Jaime if some are missing."""
    await chat.say("Jaime", "ALERTA ROJA: se cayó el servidor")
    await chat.say("Cecilia", "hecho 2")
    await chat.say("Cecilia", "4455-AB")
    for name, number in (("Valeria", "4"), ("Luis", "5"), ("Marcelo", "6")):
        await chat.say(name, f"hecho {number}")
    for name in readers:
        await chat.say(name, "leído 3")
    if len(readers) < len(EVERYONE):
        await chat.say("Jaime", "hecho 3")
        await chat.press("Jaime", "Dar por cumplido", containing="por todos?")


async def to_the_end(chat: Chat) -> None:
    await crisis_tasks_done(chat)
    await chat.say("Claudia Riveros", "hecho 7")
    await chat.say("Jaime", "FIN DE LA CRISIS")
    await chat.advance("5m")
    for number in ("8b", "8c", "8d", "8e"):
        await chat.say("Cecilia", f"hecho {number}")
    await chat.say("Juan Pablo", "hecho 8f")


async def test_the_group_gets_a_short_closing_with_figures_and_the_report_link(chat: Chat) -> None:
    chat.rt.service.links = FakeLinks()
    await to_the_end(chat)
    [closing] = [m for m in chat.inbox("grupo") if m.kind == "report"]
    lines = closing.text.splitlines()
    assert lines[0].startswith("🏁 Crisis ") and lines[0].endswith("cerrada a las 09:05. Duración: 5 min.")
    assert "Tareas: 13 hechas · 0 no necesarias · 0 sin realizar." in lines
    assert "Recordatorios: 0 · escalamientos: 0." in lines
    assert lines[-1].startswith("📄 Informe completo: https://crisis.example/panel/informe/")
    assert len(lines) <= 6 and "Marcó hecha" not in closing.text and "Mensaje entregado" not in closing.text


async def test_informe_right_after_closing_gives_the_last_crisis(chat: Chat) -> None:
    chat.rt.service.links = FakeLinks()
    await to_the_end(chat)
    await chat.say("Claudia Martínez", "informe")  # she may see the dashboard: a personal link
    answer = chat.inbox("Claudia Martínez")[-1].text
    assert answer.startswith("🏁 Crisis ") and "Duración: 5 min." in answer
    assert "para=claudia_martinez" in answer and "No hay ninguna crisis abierta" not in answer
    await chat.say("Luis", "bitácora")  # he may not: the summary and the bitácora in chat
    summary, log = (m.text for m in chat.inbox("Luis")[-2:])
    assert summary.startswith("🏁 Crisis ") and "https://" not in summary
    assert "· Jaime · test · Decretó ALERTA ROJA" in log and "Mensaje entregado" not in log
    await chat.say("Luis", "estado")
    assert chat.inbox("Luis")[-1].text == "No hay ninguna crisis abierta."


async def test_a_round_closed_by_a_coordinator_says_so_and_who_is_missing(chat: Chat) -> None:
    await crisis_tasks_done(chat)
    # Jaime closed it: he counts as having read it, never among those missing (F1 review)
    credit = "Dado por cumplido por Jaime · 5/9 confirmaron · faltan: Juan Pablo, Catalina, Claudia Riveros, Claudia Martínez"
    await chat.say("Juan Pablo", "estado")
    status = chat.inbox("Juan Pablo")[-1].text
    assert f"✅ 3 Atención al cliente, todas las áreas — {credit}" in status
    checklist = chat.received("Claudia Riveros", "📋 Paso 7 · Chequeo de las tareas")[-1].text
    assert f"✅ 3 Atención al cliente, todas las áreas: {credit}" in checklist
    assert not [m for m in chat.inbox("Luis") if "Paso 3" in m.text and "Hecha por" in m.text]
    report = markdown_report(await report_of(chat), chat.rt.directory, "es")
    assert f"| {credit} |" in report


async def test_a_round_everybody_read_is_confirmed_by_all_not_done_by_the_last_reader(chat: Chat) -> None:
    await crisis_tasks_done(chat, readers=EVERYONE)
    await chat.say("Juan Pablo", "estado")
    status = chat.inbox("Juan Pablo")[-1].text
    assert "✅ 3 Atención al cliente, todas las áreas — Confirmado por todos (9/9)" in status
    assert not [m for m in chat.inbox("Luis") if "Paso 3" in m.text and "Hecha por Marcelo" in m.text]


async def test_a_check_in_asks_for_the_missing_description_and_nobody_is_escalated_about_themselves(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA")
    await chat.advance("10m")  # step 1's deadline: the description is what is missing
    [checkin] = chat.received("Jaime", "⌛ La tarea 1 (Decretar la alerta) pasó su plazo y aún falta la descripción de la crisis.")
    assert "Cuenta qué falla, desde cuándo y a quién afecta." in checkin.text
    assert not chat.received("Jaime", "¿Sigues en esto?")
    await chat.advance("10m")
    assert chat.received("Juan Pablo", "🔺 Jaime aún no entrega la descripción de la crisis (tarea 1, Decretar la alerta)")
    assert not chat.received("Jaime", "🔺 Jaime")  # Jaime coordinates too, but not about himself
    await chat.say("Jaime", "Se cayó el servidor principal")  # taken as the answer (shown before it is shared)
    assert "Se cayó el servidor principal" in chat.inbox("Jaime")[-1].text


async def test_an_escalation_about_the_only_coordinator_goes_to_the_declarers(tmp_path: Path) -> None:
    text = DIRECTORY.read_text(encoding="utf-8").replace(
        "roles: [declarantes, coordinacion, entel, web, email_masivo, chequeo, cierre]",
        "roles: [declarantes, entel, web, email_masivo, chequeo, cierre]")
    directory = tmp_path / "dir.yaml"
    directory.write_text(text, encoding="utf-8")
    chat = await Chat.open(settings_for(tmp_path, directory=directory))
    try:
        await chat.say("Jaime", "ALERTA ROJA")
        await chat.advance("10m")
        await chat.advance("10m")
        for name in ("Juan Pablo", "Cecilia", "Catalina"):
            assert chat.received(name, "🔺 Jaime aún no entrega la descripción de la crisis"), name
        assert not chat.received("Jaime", "🔺 Jaime")
    finally:
        await chat.close()


async def test_no_message_of_the_whole_simulacro_names_a_server_command(tmp_path: Path) -> None:
    transport = RecordingTransport(name="terminal")
    runtime = await Runtime.build(settings_for(tmp_path), transports={"terminal": transport}, clock=ManualClock(START))
    session = TerminalSession(runtime, io.StringIO(), echo=False)
    await runtime.start()
    try:
        for line in (ROOT / "examples" / "simulacro.txt").read_text(encoding="utf-8").splitlines():
            await session.process(line)
        await session.process("Luis: informe")
    finally:
        await runtime.stop()
    assert [m for _, m in transport.sent if m.kind == "report"], "the simulacro closes the crisis"
    commands = [(to, m.text) for to, m in transport.sent if SERVER_COMMAND.search(m.text)]
    assert commands == []


async def test_crisisbot_informe_lists_newest_first_with_date_state_and_description(chat: Chat) -> None:
    from bot.report import crisis_listing

    await to_the_end(chat)
    await chat.advance("1h")
    await chat.say("Catalina", "ALERTA ROJA: " + "no hay internet en la oficina de Santiago ni en la de Concepción desde las diez")
    newest, oldest = await crisis_listing(chat.rt.db, "es")
    assert newest.split()[1:5] == ["2026-11-23", "10:05", "activa", "no"]
    assert newest.endswith("ni en la de Conce…") and "desde las diez" not in newest
    assert oldest.split()[1:] == ["2026-11-23", "09:00", "cerrada", "se", "cayó", "el", "servidor"]
