"""The terminal during a drill (issue 14 point 2): a card seen before is shown again as one
line (title and new state), and a drill's still starts with its prefix."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flows.directory import Directory, Person
from flows.messages import OutMessage
from handlers.terminal.render import render
from tests.support import START

PREFIX = "🧪 SIMULACRO · "


def test_a_drill_card_updated_in_the_terminal_says_so_first() -> None:
    directory = Directory(people=[Person(id="luis", name="Luis")])
    card = OutMessage("luis", PREFIX + "📋 Paso 2 · Contacto con Entel\n• Llamar al 600\n🟡 La tomó Cecilia.",
                      ref="card:c1/entel", kind="card", drill=True)
    shown = render(card, directory, START, ZoneInfo("America/Santiago"), "es", update=True)
    assert shown.splitlines()[1] == "    " + PREFIX + "↻ 📋 Paso 2 · Contacto con Entel · 🟡 La tomó Cecilia."
    real = OutMessage("luis", "📋 Paso 2 · Contacto con Entel\n• Llamar al 600\n🟡 La tomó Cecilia.",
                      ref="card:c1/entel", kind="card")
    assert render(real, directory, START, ZoneInfo("America/Santiago"), "es", update=True).splitlines()[1] == (
        "    ↻ 📋 Paso 2 · Contacto con Entel · 🟡 La tomó Cecilia.")
