"""Review of issue 12 with playbooks of our own, written from docs/cases.md alone: a loop back
that survives the database, a loop back's card shown in full on a phone or the terminal, a
task's input typed by its case field, and what `crisisbot check` says about numbers, options
and YAML an author gets wrong."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.loading import ConfigError, load_all
from handlers.terminal.transport import TerminalTransport
from tests.support import DIRECTORY, PLAYBOOK, Chat, RecordingTransport, settings_for

HELPDESK = """\
id: mesa_ti
name: Mesa de ayuda TI
kind: case
timezone: America/Santiago
case: {prefix: TI, openers: [ti_agente]}
fields:
  - {id: equipo, kind: text, label: equipo, required: true}
  - {id: telefono, kind: phone, label: teléfono de contacto}
  - id: resuelto
    kind: choice
    label: resuelto
    options: [{value: si, label: Sí}, {value: "no", label: "No"}]
declarers: [ti_agente]
coordinators: [ti_jefe]
roles: {ti_agente: Agente, ti_tecnico: Técnico, ti_jefe: Jefe}
steps:
  - id: registro
    number: "1"
    title: Registrar el contacto
    responsibles: [ti_agente]
    claimed_by_declarer: true
    input: {key: telefono, label: el teléfono, prompt: "¿Cuál es el teléfono?", example: "+56 9 1234 5678"}
  - id: terreno
    number: "2"
    title: Visita en terreno
    responsibles: [ti_tecnico]
  - id: verificar
    number: "3"
    kind: ask
    field: resuelto
    title: "¿Quedó resuelto?"
    responsibles: [ti_agente]
    options:
      - {value: si, label: Sí, goto: fin}
      - {value: "no", label: "No", goto: terreno}
  - {id: fin, number: F, kind: end, title: Resuelto, outcome: resuelto, responsibles: [ti_jefe]}
"""

PEOPLE = """
  - {id: ana_ti, name: Ana Soto, roles: [ti_agente], email: ana@review.example}
  - {id: beto_ti, name: Beto Díaz, roles: [ti_tecnico], email: beto@review.example}
  - {id: carla_ti, name: Carla Ruiz, roles: [ti_jefe], email: carla@review.example}
"""


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Chat]:
    playbook = tmp_path / "mesa_ti.yaml"
    playbook.write_text(HELPDESK, encoding="utf-8")
    directory = tmp_path / "directory.yaml"
    directory.write_text(DIRECTORY.read_text(encoding="utf-8").rstrip() + "\n" + PEOPLE, encoding="utf-8")
    transport = RecordingTransport(edits_in_place=False)  # like a phone or the terminal
    chat = await Chat.open(settings_for(tmp_path, playbooks=f"{PLAYBOOK},{playbook}", directory=directory),
                           transport=transport)
    try:
        yield chat
    finally:
        await chat.close()


async def _to_the_second_visit(desk: Chat) -> None:
    await desk.say("Ana Soto", "/caso mesa_ti equipo=PC-22")
    await desk.say("Ana Soto", "hecho TI-1 1")
    await desk.say("Ana Soto", "+56 9 1234 5678")
    await desk.say("Beto Díaz", "hecho TI-1 2")
    await desk.say("Ana Soto", "TI-1 No")  # back to step 2: its second visit


async def test_a_loop_back_goes_on_after_the_case_is_read_again(desk: Chat) -> None:
    # Each command reads the case from the database: the finished first visit is stored as
    # «terreno@1» and once made every later command on the case fail (KeyError).
    await _to_the_second_visit(desk)
    await desk.say("Beto Díaz", "hecho TI-1 2")
    assert desk.received("Beto Díaz", "✔️ Registrado: tarea 2 (Visita en terreno) hecha.")
    await desk.say("Ana Soto", "TI-1 Sí")
    await desk.say("Ana Soto", "estado TI-1")
    status = desk.inbox("Ana Soto")[-1].text
    assert status.count("✅ 2 Visita en terreno — Beto Díaz") == 2 and "🏁 Cerrado" in status


async def test_a_loop_back_card_is_shown_in_full_not_as_a_redraw(desk: Chat) -> None:
    # On the terminal (and WhatsApp) a card already seen is shown as one line «↻ title · state»:
    # the second visit's card must say again which step it is, with its buttons.
    await _to_the_second_visit(desk)
    out = io.StringIO()
    terminal = TerminalTransport(out, desk.rt.directory, desk.clock, ZoneInfo("America/Santiago"))
    beto = desk.pid("Beto Díaz")
    for message in desk.inbox("Beto Díaz"):
        await terminal.deliver(beto, message)
    last = out.getvalue().split("🤖 → Beto Díaz")[-1]
    assert "📋 Paso 2 · Visita en terreno" in last and "✅ 3 ¿Quedó resuelto? — Ana Soto" in last
    assert "↻" not in last and "[1] Lo tomo" in last


async def test_a_phone_input_refuses_words_and_says_why(desk: Chat) -> None:
    # docs/cases.md «Fields»: a value that does not fit is refused and the person told why.
    await desk.say("Ana Soto", "/caso mesa_ti equipo=PC-22")
    await desk.say("Ana Soto", "hecho TI-1 1")
    await desk.say("Ana Soto", "no sé")
    assert desk.inbox("Ana Soto")[-1].text == (
        "«no sé» no es un teléfono para «teléfono de contacto»: escribe de 6 a 15 dígitos, con + si quieres.")
    assert not desk.inbox("Beto Díaz")  # nothing recorded, the case did not move on
    await desk.say("Ana Soto", "+56 9 1234 5678")
    assert desk.received("Beto Díaz", "• teléfono de contacto: +56912345678")


CHECK_DIRECTORY = """\
people:
  - {id: ana, name: Ana, roles: [mesa], email: ana@example.com}
"""

CHECK_HEAD = """\
id: prueba
name: Prueba
kind: case
case: {prefix: P}
declarers: [mesa]
coordinators: [mesa]
roles: {mesa: Mesa}
fields:
  - {id: canal, kind: choice, label: canal, options: [{value: web, label: Web}, {value: fono, label: Fono}]}
steps:
"""

END = '  - {id: fin, number: F, kind: end, title: Fin, outcome: listo, responsibles: [mesa]}\n'


def problems(tmp_path: Path, text: str) -> list[str]:
    playbook = tmp_path / "prueba.yaml"
    playbook.write_text(text, encoding="utf-8")
    people = tmp_path / "directory.yaml"
    people.write_text(CHECK_DIRECTORY, encoding="utf-8")
    try:
        load_all(playbook, people)
    except ConfigError as exc:
        return [str(p).removeprefix(f"{playbook}:") for p in exc.problems]
    return []


def _ask(*options: str) -> str:
    rows = "".join(f"      - {{value: {o}, label: {o.title()}, goto: fin}}\n" for o in options)
    return f'  - id: a\n    number: "1"\n    kind: ask\n    field: canal\n    title: A\n    responsibles: [mesa]\n    options:\n{rows}'


def test_two_steps_with_one_number_are_refused(tmp_path: Path) -> None:
    steps = '  - {id: a, number: "1", title: A, responsibles: [mesa]}\n  - {id: b, number: "1", title: B, responsibles: [mesa]}\n'
    assert problems(tmp_path, CHECK_HEAD + steps + END) == [
        "12: paso 1: otro paso ya tiene el número «1» (línea 11); cada paso necesita el suyo"]


def test_an_option_twice_in_one_question_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path, CHECK_HEAD + _ask("web", "fono", "web") + END) == [
        "20: paso 1: la opción «web» está dos veces"]


def test_an_option_its_choice_field_cannot_hold_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path, CHECK_HEAD + _ask("web", "correo") + END) == [
        "19: paso 1: la opción «correo» no es una opción del campo «canal» (opciones: fono, web)"]


def test_a_lowercase_prefix_is_told_the_prefix_rule(tmp_path: Path) -> None:
    head = CHECK_HEAD.replace("prefix: P}", "prefix: ti9}")
    assert problems(tmp_path, head + _ask("web", "fono") + END) == [
        "4: case.prefix: «ti9» no vale: de 1 a 3 letras mayúsculas, como R o TI"]


def test_an_unquoted_no_is_told_to_quote_it(tmp_path: Path) -> None:
    head = CHECK_HEAD.replace("{value: fono, label: Fono}", "{value: no, label: Fono}")
    assert problems(tmp_path, head + _ask("web") + END) == [
        '9: fields.options.value: debe ser un texto: sin comillas, YAML lee no, yes, on, off, true y false '
        'como sí/no; escríbelo entre comillas, como "no"']
