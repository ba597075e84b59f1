"""A drill on Slack (issue 14 point 2): what the transport draws from the database at
delivery time (the crisis channel's live announcement, a presser's card, the App Home, the
modal) says it is a drill as the engine's own messages do; the description's button still
opens its modal; what is about a real crisis is not marked."""

from __future__ import annotations

import json

from tests.slack.fake_slack import Message
from tests.slack.harness import Workspace

PREFIX = "🧪 SIMULACRO · "


def reads(message: Message) -> str:
    """What a person reads first (a card's first line is in bold: «*…*»)."""
    return message.shown.removeprefix("*")


def test_the_live_announcement_and_every_direct_message_of_a_drill_say_so(slack: Workspace) -> None:
    assert slack.write("Jaime", "SIMULACRO").status_code == 200
    live = slack.announcement()
    header = live.blocks[0]["text"]["text"]
    assert header.startswith(PREFIX + "🚨 ALERTA ROJA · Plan de contingencia FullPyme"), header
    assert live.text.startswith(PREFIX)  # the notification too

    # The declarer is asked for the description: the button and the modal, marked.
    [question] = slack.got("Jaime", "Cuenta lo que sabes de la crisis")
    assert reads(question).startswith(PREFIX) and list(question.buttons()) == ["✍️ Escribir la descripción"]
    slack.press("Jaime", "✍️ Escribir la descripción")
    modal = slack.latest_modal("Jaime")
    assert modal["blocks"][0]["text"]["text"].startswith(PREFIX)
    slack.submit("Jaime", "Cae el servidor principal")
    assert "Situación: Cae el servidor principal" in slack.announcement().shown
    assert slack.announcement().blocks[0]["text"]["text"].startswith(PREFIX)  # redrawn in place, still a drill

    # Cecilia takes Entel: her card is redrawn from the database, Luis's updated in place.
    slack.press("Cecilia", "Lo tomo", containing="Contacto con Entel")
    [card] = slack.got("Cecilia", "📋 Paso 2 · Contacto con Entel")
    assert reads(card).startswith(PREFIX + "📋 Paso 2 · Contacto con Entel") and "🟡 Es tuya" in card.shown
    [luis_card] = slack.got("Luis", "📋 Paso 2 · Contacto con Entel")
    assert reads(luis_card).startswith(PREFIX) and luis_card.updates >= 1
    for name in ("Jaime", "Cecilia", "Luis", "Valeria", "Marcelo"):
        unmarked = [m.shown[:80] for m in slack.dms(name) if not reads(m).startswith(PREFIX)]
        assert unmarked == [], (name, unmarked)


def test_the_app_home_of_a_drill_says_so(slack: Workspace) -> None:
    slack.write("Jaime", "SIMULACRO: sin internet")
    slack.open_home("Valeria")
    home = slack.fake.home_of(slack.user("Valeria"))
    assert home is not None and home["blocks"][0]["text"]["text"].startswith(PREFIX)
    sections = [b["text"]["text"] for b in home["blocks"] if b.get("type") == "section"]
    assert sections[0].startswith(PREFIX + "📊 Estado de la crisis")
    assert any(text.startswith(f"*{PREFIX}📋 Paso 4 · Banner de emergencia") for text in sections), sections
    slack.press_home("Valeria", "Lo tomo", containing="Banner")
    home = slack.fake.home_of(slack.user("Valeria"))
    assert home is not None and "🟡 Es tuya desde las 09:00." in json.dumps(home, ensure_ascii=False)
    assert home["blocks"][0]["text"]["text"].startswith(PREFIX)


def test_a_real_crisis_is_never_marked(slack: Workspace) -> None:
    slack.write("Jaime", "ALERTA ROJA: sin internet")
    assert not slack.announcement().blocks[0]["text"]["text"].startswith(PREFIX)
    slack.press("Cecilia", "Lo tomo", containing="Contacto con Entel")
    [card] = slack.got("Cecilia", "📋 Paso 2 · Contacto con Entel")
    assert reads(card).startswith("📋 Paso 2") and "🟡 Es tuya" in card.shown
    slack.open_home("Valeria")
    home = slack.fake.home_of(slack.user("Valeria"))
    assert home is not None and PREFIX not in json.dumps(home, ensure_ascii=False)
