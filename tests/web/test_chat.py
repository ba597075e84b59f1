"""What the chat says about the managers' view: «panel», the Panel button on «estado»,
the report link after «informe» and when the crisis closes, and «banner: texto»."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from flows.commands import Press
from flows.messages import Action, ActionKind, Button, OutMessage
from handlers.web.links import SignedLinks
from tests.support import PLAYBOOK, Chat, settings_for
from tests.web.server import SECRET

BASE = "http://bot.example"


@pytest.fixture
async def linked(tmp_path: Path) -> AsyncIterator[tuple[Chat, SignedLinks]]:
    chat = await Chat.open(settings_for(tmp_path))
    links = SignedLinks(SECRET, BASE, link_minutes=30)
    chat.rt.service.links = links
    try:
        yield chat, links
    finally:
        await chat.close()


def link_in(message: OutMessage) -> str:
    return next(word for word in message.text.split() if word.startswith(BASE))


async def test_panel_gives_declarers_coordinators_and_checkers_a_personal_link(linked: tuple[Chat, SignedLinks]) -> None:
    chat, links = linked
    for name, person in (("Jaime", "jaime"), ("Catalina", "catalina"), ("Claudia Martínez", "claudia_martinez")):
        await chat.say(name, "panel")
        (answer,) = chat.received(name, "Tu enlace personal al panel")
        assert "vale 30 min" in answer.text
        grant = links.read_link(link_in(answer).removeprefix(f"{BASE}/panel/acceso/"))
        assert (grant.person_id, grant.path) == (person, "/panel")


async def test_panel_is_refused_politely_to_others(linked: tuple[Chat, SignedLinks]) -> None:
    chat, _ = linked
    await chat.say("Luis", "panel")
    assert [m.text for m in chat.inbox("Luis")] == [
        "El panel web es solo para quienes decretan, coordinan o verifican la crisis. Escribe «estado» para ver cómo va."]


async def test_without_a_served_dashboard_the_bot_says_so(chat: Chat) -> None:
    await chat.say("Jaime", "panel")
    assert chat.received("Jaime", "El panel web no está disponible desde aquí")


async def test_the_status_answer_has_a_panel_button_for_viewers_only(linked: tuple[Chat, SignedLinks]) -> None:
    chat, links = linked
    await chat.say("Jaime", "ALERTA ROJA: caída")
    await chat.say("Juan Pablo", "estado")
    status = chat.received("Juan Pablo", "Estado de la crisis")[-1]
    (button,) = status.buttons
    assert button.label == "Panel" and button.action.kind == ActionKind.PANEL
    assert button.url is not None and links.read_link(button.url.rsplit("/", 1)[1]).person_id == "juan_pablo"
    await chat.say("Luis", "estado")
    assert chat.received("Luis", "Estado de la crisis")[-1].buttons == ()
    # a transport without links presses it: the bot answers with the link
    await chat.rt.service.handle(Press("juan_pablo", button.action, "test"))
    await chat.rt.outbox.drain()
    assert chat.received("Juan Pablo", "Tu enlace personal al panel")


def test_a_url_button_survives_the_outbox() -> None:
    button = Button("Panel", Action(ActionKind.PANEL, "x"), url="http://bot.example/panel/acceso/t")
    message = OutMessage("jaime", "estado", (button,))
    assert OutMessage.from_json(message.to_json()) == message
    plain = OutMessage("jaime", "x", (Button("Hecho", Action(ActionKind.COMPLETE, "c/s")),))
    assert "url" not in plain.to_json()["buttons"][0]


async def test_informe_in_chat_is_short_and_adds_the_report_link(linked: tuple[Chat, SignedLinks]) -> None:
    chat, links = linked
    await chat.say("Jaime", "ALERTA ROJA: caída")
    await chat.say("Jaime", "informe")  # the status, short; the whole log is «bitácora»
    (status,) = chat.received("Jaime", "📊 Estado de la crisis")
    assert chat.received("Jaime", "Escribe «bitácora»") and not chat.received("Jaime", "📒 Bitácora de la crisis")
    (answer,) = chat.received("Jaime", "Informe completo")
    crisis_id = status.text.split()[5]  # "📊 Estado de la crisis <id>"
    grant = links.read_link(link_in(answer).rsplit("/", 1)[1])
    assert grant.path == f"/panel/informe/{crisis_id}"
    await chat.say("Luis", "informe")
    assert chat.received("Luis", "📊 Estado de la crisis") and not chat.received("Luis", "Informe completo")
    await chat.say("Luis", "bitácora")
    assert chat.received("Luis", "📒 Bitácora de la crisis")


async def test_the_closing_message_links_to_the_report(linked: tuple[Chat, SignedLinks]) -> None:
    chat, _ = linked
    await chat.say("Jaime", "ALERTA ROJA: caída")
    await chat.say("Jaime", "FIN DE LA CRISIS")
    await chat.press("Jaime", "Cerrar igual", containing="¿Cerrar igual?")  # work is still open
    for number in ("8b", "8c", "8d", "8e"):
        await chat.say("Jaime", f"hecho {number}")
    await chat.say("Jaime", "hecho 8f")
    (closed,) = chat.received("grupo", "🏁 Crisis")
    crisis_id = closed.text.split()[2]
    assert f"📄 Informe completo: {BASE}/panel/informe/{crisis_id}" in closed.text


async def test_a_declarer_sets_the_public_banner_message(linked: tuple[Chat, SignedLinks]) -> None:
    chat, _ = linked
    await chat.say("Jaime", "banner: hola")
    assert chat.received("Jaime", "No hay una crisis activa, así que el banner no está visible")
    await chat.say("Jaime", "ALERTA ROJA: caída")
    await chat.say("Jaime", "banner")
    default = chat.rt.playbook.banner.message
    assert chat.received("Jaime", f"El banner de emergencia está visible en el sitio con el mensaje: «{default}».")
    await chat.say("Luis", "banner: todo mal")
    assert chat.received("Luis", "Solo quienes decretan la crisis pueden cambiar el mensaje público del banner")
    await chat.say("Cecilia", "Banner:  Volvemos   pronto ")
    assert chat.received("Cecilia", "📣 Listo: el banner del sitio ahora dice «Volvemos pronto».")
    await chat.say("Luis", "banner")
    assert chat.received("Luis", "con el mensaje: «Volvemos pronto»")
    await chat.say("Jaime", "bitácora")
    assert chat.received("Jaime", "Cambió el mensaje público del banner: «Volvemos pronto»")


async def test_the_playbook_may_let_the_bot_do_the_banner_steps(tmp_path: Path) -> None:
    data = yaml.safe_load(PLAYBOOK.read_text(encoding="utf-8"))
    data["banner"] = {"message": "En mantención", "auto_steps": ["banner", "cierre_banner"]}
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    chat = await Chat.open(settings_for(tmp_path, playbook=playbook))
    try:
        await chat.say("Jaime", "ALERTA ROJA: caída")
        (announcement,) = chat.received("grupo", "🚨 ALERTA ROJA")
        assert "• 2 Contacto con Entel" in announcement.text and "Banner de emergencia" not in announcement.text
        assert not chat.received("Valeria", "Banner de emergencia")  # nobody is asked to do it
        await chat.say("Jaime", "estado")
        assert "✅ 4 Banner de emergencia en fullpyme.cl — crisisbot, 09:00" in chat.received("Jaime", "Estado")[-1].text
        await chat.say("Jaime", "FIN DE LA CRISIS")
        await chat.press("Jaime", "Cerrar igual", containing="¿Cerrar igual?")  # work is still open
        (closing,) = chat.received("grupo", "FIN DE LA CRISIS · anunciado")
        assert "8c" not in closing.text and "8b Informar a los clientes" in closing.text
        await chat.say("Jaime", "bitácora")
        log = chat.received("Jaime", "📒 Bitácora")[-1].text
        assert "crisisbot · test · Banner de emergencia visible en el sitio: tarea 4 (Banner de emergencia en fullpyme.cl) hecha" in log
        assert "Banner de emergencia retirado del sitio: tarea 8c (Quitar el banner de fullpyme.cl) hecha" in log
    finally:
        await chat.close()


def test_an_unknown_banner_step_is_a_problem_of_the_playbook(tmp_path: Path) -> None:
    from bot.loading import ConfigError, load_all
    from tests.support import DIRECTORY

    text = PLAYBOOK.read_text(encoding="utf-8").replace("  auto_steps: []", "  auto_steps: [banner, quitar_banner]")
    playbook = tmp_path / "playbook.yaml"
    playbook.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_all(playbook, DIRECTORY)
    (problem,) = raised.value.problems
    assert problem.line == text.splitlines().index("  auto_steps: [banner, quitar_banner]") + 1
    assert "el paso 'quitar_banner' es desconocido" in problem.message
