"""Injects (issue 14 point 3), read like the chat: a drill's scripted events reach whom they
name at their time on the drill's clock and not before; somebody made «unavailable» is not
reached any more, so «sin contacto» and the escalation ladder do their work; a second
incident reaches the group; and the injects stop when the drill ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.drill_script import parse_script
from flows.commands import StartDrill
from flows.drill_injects import TIMER_STEP
from flows.messages import GROUP
from persistence import repository as repo
from persistence.database import reading
from tests.support import PLAYBOOK, Chat, directory_with, settings_for

PREFIX = "🧪 SIMULACRO · "
ENTEL = PREFIX + "📣 Paso 2 (Contacto con Entel): Entel no contesta"

SCRIPT = """\
injects:
  - at: 5m
    to_step: "2"
    text: Entel no contesta
  - at: 8m
    unavailable: luis
  - at: 20m
    incident: {es: También se cayó el correo, en: Email is down too}
"""


@pytest.fixture
async def drill_chat(tmp_path: Path) -> AsyncIterator[Chat]:
    """The FullPyme plan with the script above as its own `drill.injects`, Luis reading English."""
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(PLAYBOOK.read_text(encoding="utf-8") + "drill:\n  " + SCRIPT.replace("\n", "\n  "), encoding="utf-8")
    directory = directory_with(tmp_path, {"Luis": "lang: en"})
    chat = await Chat.open(settings_for(tmp_path, playbook=playbook, directory=directory))
    try:
        yield chat
    finally:
        await chat.close()


async def bitacora(chat: Chat, crisis_id: str | None = None) -> list[tuple[str, dict[str, object]]]:
    async with reading(chat.rt.db) as conn:
        crisis_id = crisis_id or await repo.open_crisis_id(conn, chat.rt.playbook.id)
        assert crisis_id is not None
        return [(e.kind, dict(e.data)) for e in await repo.crisis_log(conn, crisis_id)]


async def test_the_message_reaches_whoever_holds_step_2_at_5_minutes_and_not_before(drill_chat: Chat) -> None:
    chat = drill_chat
    await chat.say("Catalina", "SIMULACRO: cae el servidor principal")
    await chat.say("Cecilia", "tomo 2")
    await chat.advance("4m")
    assert not [m for _, m in chat.transport.sent if "Entel no contesta" in m.text]
    await chat.advance("1m")
    assert [m.text for m in chat.received("Cecilia", "Entel no contesta")] == [ENTEL]
    for other in ("Juan Pablo", "Catalina", "Jaime", "Luis", "Valeria"):  # she holds it: only she is told
        assert not chat.received(other, "Entel no contesta"), other
    log = await bitacora(chat)
    assert ("inject_text_step", {"text": "Entel no contesta", "names": "Cecilia", "step": "entel"}) in log
    await chat.say("Jaime", "bitácora")
    assert "Inyección en el paso 2 (Contacto con Entel): «Entel no contesta» a Cecilia" in chat.inbox("Jaime")[-1].text
    await chat.advance("1h")
    assert len(chat.received("Cecilia", "Entel no contesta")) == 1  # once


async def test_nobody_holds_step_2_so_its_responsibles_are_told_each_in_their_language(drill_chat: Chat) -> None:
    chat = drill_chat
    await chat.say("Catalina", "SIMULACRO")
    await chat.advance("5m")
    for name in ("Juan Pablo", "Cecilia", "Catalina", "Jaime"):
        assert [m.text for m in chat.received(name, "Entel no contesta")] == [ENTEL], name
    [english] = chat.received("Luis", "Entel no contesta")
    assert english.text == "🧪 DRILL · 📣 Step 2 (Contact Entel): Entel no contesta"
    assert not chat.received("Valeria", "Entel no contesta")  # not a responsible of step 2


async def test_an_unavailable_responsible_is_not_reached_and_the_coordinators_take_over(drill_chat: Chat) -> None:
    chat = drill_chat
    await chat.say("Catalina", "SIMULACRO: cae el servidor principal")
    await chat.say("Luis", "take 2")  # Luis holds step 2; at +8 min the script makes him unavailable
    await chat.advance("8m")  # the +5 and the +8 injects fire together
    await chat.settle_contact()
    # what was said to him before +8 still reaches him
    assert [m.text for m in chat.received("Luis", "Entel no contesta")] == [
        "🧪 DRILL · 📣 Step 2 (Contact Entel): Entel no contesta"]
    [notice] = chat.received("Luis", "no longer available")
    assert notice.text.startswith("🧪 DRILL · 📵 In this drill you are no longer available")
    seen = len(chat.inbox("Luis"))
    assert not [m for _, m in chat.transport.sent if "No consigo contactar a Luis" in m.text]  # nothing failed yet
    # +45: step 2 is past its deadline: «¿Sigues en esto?» to Luis is not delivered, and the
    # coordinators hear that he cannot be reached
    await chat.advance("37m")
    await chat.settle_contact()
    assert len(chat.inbox("Luis")) == seen
    for coordinator in ("Juan Pablo", "Jaime"):
        [lost] = chat.received(coordinator, "No consigo contactar a Luis")
        assert lost.text == (PREFIX + "⚠️ No consigo contactar a Luis (no disponible en el simulacro). "
                             "Avísale por otra vía (teléfono +56911110005).")
    assert not chat.received("Cecilia", "No consigo contactar a Luis")  # not a coordinator
    log = await bitacora(chat)
    assert ("delivery_failed", {"to": "luis", "via": "simulacro", "error": "no disponible"}) in log
    assert any(kind == "contact_lost" and data["who"] == "luis" for kind, data in log)
    # +55: no answer to the check-in: the escalation ladder goes on to the coordinators,
    # who finish it for him (the stand-in)
    await chat.advance("10m")
    await chat.settle_contact()
    [escalated] = chat.received("Jaime", "Luis aún no entrega")
    assert escalated.text == (PREFIX + "🔺 Luis aún no entrega el número de ticket de Entel (tarea 2, Contacto con "
                              "Entel), vencida hace 10 min.")
    assert chat.received("Juan Pablo", "Luis aún no entrega")
    await chat.say("Jaime", "hecho 2")  # the coordinator stands in for him
    await chat.press("Jaime", "Sí, la hice yo")
    await chat.say("Jaime", "4455-AB")
    assert chat.inbox("Jaime")[-2].text == (PREFIX + "✔️ Registrado: tarea 2 (Contacto con Entel) hecha · el número de "
                                            "ticket de Entel: 4455-AB")
    assert len(chat.inbox("Luis")) == seen  # nor that Jaime did it for him
    assert len(chat.inbox("Luis")) == seen  # still nothing reaches him
    await chat.say("Jaime", "estado")
    assert "⚠️ sin contacto: Luis" in chat.inbox("Jaime")[-1].text


async def test_what_an_unavailable_person_does_is_still_taken_but_not_answered(drill_chat: Chat) -> None:
    chat = drill_chat
    await chat.say("Catalina", "SIMULACRO")
    await chat.advance("8m")
    seen = len(chat.inbox("Luis"))
    await chat.say("Luis", "take 2")
    assert len(chat.inbox("Luis")) == seen  # his «Registrado» is not delivered
    await chat.say("Jaime", "estado")
    [status] = chat.received("Jaime", "📊")
    assert "2 Contacto con Entel — Luis" in status.text  # but he holds it


async def test_a_second_incident_reaches_the_group_at_its_time(drill_chat: Chat) -> None:
    chat = drill_chat
    await chat.say("Catalina", "SIMULACRO")
    await chat.advance("19m")
    assert not chat.received("grupo", "Segundo incidente")
    await chat.advance("1m")
    [incident] = chat.received("grupo", "Segundo incidente")
    assert incident.text == PREFIX + "🚨 Segundo incidente: También se cayó el correo"
    assert dict(incident.langs)["en"] == "🧪 DRILL · 🚨 Second incident: Email is down too"
    assert ("inject_incident", {"text": "También se cayó el correo", "seq": 2}) in await bitacora(chat)


async def test_a_drill_file_s_injects_replace_the_playbook_s(drill_chat: Chat) -> None:
    chat = drill_chat
    script = parse_script("injects:\n  - at: 3m\n    to: valeria\n    text: El banner no carga\n", "guion.yaml")
    await chat.rt.service.handle(StartDrill(chat.pid("Jaime"), "guion propio", "test", script))
    await chat.advance("3m")
    assert [m.text for m in chat.received("Valeria", "banner no carga")] == [PREFIX + "📣 El banner no carga"]
    await chat.advance("30m")
    assert not [m for _, m in chat.transport.sent if "Entel no contesta" in m.text or "Segundo incidente" in m.text]


async def test_the_injects_stop_when_the_drill_is_closed(drill_chat: Chat) -> None:
    chat = drill_chat
    await chat.say("Jaime", "SIMULACRO: ensayo corto")
    async with reading(chat.rt.db) as conn:
        drill_id = await repo.open_crisis_id(conn, chat.rt.playbook.id)
    await chat.say("Jaime", "FIN DE LA CRISIS")
    await chat.press("Jaime", "Cerrar igual")
    for step in ("8b", "8d", "8f"):  # 8c and 8e undo steps never done: not needed
        await chat.say("Jaime", f"hecho {step}")
    async with reading(chat.rt.db) as conn:
        assert await repo.open_crisis_id(conn, chat.rt.playbook.id) is None  # closed
        assert drill_id is not None and not [t for t in await repo.pending_timers(conn, drill_id) if t.step_id == TIMER_STEP]
    await chat.advance("30m")
    assert not [m for _, m in chat.transport.sent if "Entel no contesta" in m.text or "Segundo incidente" in m.text]


async def test_the_injects_stop_when_a_real_crisis_ends_the_drill(drill_chat: Chat) -> None:
    chat = drill_chat
    await chat.say("Catalina", "SIMULACRO")
    async with reading(chat.rt.db) as conn:
        drill_id = await repo.open_crisis_id(conn, chat.rt.playbook.id)
        assert drill_id is not None
        assert [t.seq for t in await repo.pending_timers(conn, drill_id) if t.step_id == TIMER_STEP] == [0, 1, 2]
    await chat.advance("2m")
    await chat.say("Jaime", "ALERTA ROJA: se cayó de verdad")
    await chat.press("Jaime", "🚨 Crisis real")
    async with reading(chat.rt.db) as conn:
        assert not [t for t in await repo.pending_timers(conn, drill_id) if t.step_id == TIMER_STEP]
    await chat.advance("30m")
    assert not [m for _, m in chat.transport.sent if "Entel no contesta" in m.text or "Segundo incidente" in m.text]
    for name in ("Luis", "Juan Pablo"):  # nobody is unavailable in the real crisis
        assert not chat.received(name, "No consigo contactar")
    assert not [m for to, m in chat.transport.sent if to == GROUP and "no longer available" in m.text]


async def test_a_real_crisis_reported_by_somebody_unavailable_still_reaches_everybody(drill_chat: Chat) -> None:
    """«Unavailable» is part of the drill; a real emergency is not. What is about a real crisis
    (the question «¿crisis real…?», the proposal to the declarers, the drill's end) reaches
    whoever the drill took out (review of issue 14: it used to vanish without a trace)."""
    chat = drill_chat
    await chat.say("Jaime", "SIMULACRO: cae la web")
    await chat.advance("9m")  # Luis unavailable since +8
    await chat.say("Luis", "RED ALERT: real fire in the office")
    [question] = chat.received("Luis", "Is it a real crisis or part of the drill?")
    assert not question.text.startswith("🧪")
    await chat.press("Luis", "🚨 Real crisis")
    [proposal] = chat.received("Jaime", "Luis dice que es una crisis REAL, no parte del simulacro: «RED ALERT: real fire in the office»")
    await chat.press("Jaime", "Decretar ALERTA ROJA")
    assert chat.received("grupo", "🚨 El simulacro terminó: Jaime decretó una crisis real")
    async with reading(chat.rt.db) as conn:
        crisis = await repo.load_crisis(conn, await repo.open_crisis_id(conn, chat.rt.playbook.id) or "")
    assert crisis is not None and not crisis.drill and crisis.reported_by == chat.pid("Luis")
    cards = [m.text for m in chat.inbox("Luis") if m.text.startswith("📋 Step 2")]  # the real crisis's, unmarked
    assert cards, [m.text[:60] for m in chat.inbox("Luis")[-5:]]


async def test_the_score_does_not_blame_whom_an_inject_made_unavailable(drill_chat: Chat) -> None:
    """Luis is out from +8 min by the script: the messages not sent to him, and his silence,
    are the drill's doing (review of issue 14), so «what to improve» does not name him."""
    chat = drill_chat
    await chat.say("Jaime", "SIMULACRO: cae la web")
    await chat.advance("9m")
    await chat.advance("50m")  # reminders and escalations to everybody, Luis's not sent
    await chat.say("Jaime", "FIN DE LA CRISIS")
    await chat.press("Jaime", "Cerrar igual")
    for number in ("8b", "8c", "8d", "8e"):
        await chat.say("Cecilia", f"hecho {number}")
    await chat.say("Juan Pablo", "hecho 8f")
    async with reading(chat.rt.db) as conn:
        drill = (await repo.list_crises(conn))[0]
        log = await repo.crisis_log(conn, drill.id)
    from flows.drill_score import ImproveKind, score
    from flows.playbook import Playbook

    result = score(drill, Playbook.from_frozen(drill.playbook_json), log, chat.rt.directory)
    assert any(e.kind == "delivery_failed" and e.data.get("to") == "luis" for e in log)  # he was not reached
    named = {i.person for i in result.improve if i.kind in (ImproveKind.SILENT, ImproveKind.UNDELIVERED)}
    assert "luis" not in named and named  # others are still named
