"""`/crisis simulacro [texto]` (issue 14 point 1) into the real Bolt app: what typing
SIMULACRO does, by the same people, with the same answers (now, announced ahead,
cancelled), read back from the fake Slack Web API."""

from __future__ import annotations

from tests.slack.harness import Workspace


def test_slash_simulacro_starts_a_drill_with_its_description(slack: Workspace) -> None:
    response = slack.command("Jaime", "simulacro se cae el servidor principal")
    assert response.status_code == 200
    assert response.json()["text"] == "Listo: te respondo por mensaje directo."
    live = slack.announcement()
    assert "🧪 SIMULACRO · " in live.shown, live.shown[:200]
    assert "se cae el servidor principal" in live.shown
    [card] = slack.got("Cecilia", "📋 Paso 2 · Contacto con Entel")
    assert "🧪 SIMULACRO · 📋 Paso 2" in card.shown


def test_slash_simulacro_is_refused_to_who_may_not_declare(slack: Workspace) -> None:
    slack.command("Luis", "simulacro")
    assert slack.got("Luis", "Solo pueden iniciar un simulacro quienes decretan la crisis:")
    assert [m for m in slack.channel() if m.thread_ts is None] == []


def test_slash_simulacro_ahead_announces_it_and_cancelar_tells_the_same_people(slack: Workspace) -> None:
    slack.command("Jaime", "simulacro el 26/11 a las 10:00 caída de la web")
    [post] = [m for m in slack.channel() if "Simulacro programado" in m.shown]
    assert post.shown.startswith("🧪 Simulacro programado para el jueves 26 de noviembre a las 10:00, anunciado por Jaime")
    assert slack.got("Valeria", "🧪 Simulacro programado para el jueves 26 de noviembre a las 10:00")
    assert slack.got("Jaime", "✅ Simulacro programado para el jueves 26 de noviembre a las 10:00")
    slack.command("Cecilia", "simulacro cancelar")
    assert slack.got("Valeria", "🧪 Simulacro anulado: el del jueves 26 de noviembre a las 10:00 ya no se hará.")
    assert any("Simulacro anulado" in m.shown for m in slack.channel())


def test_the_usage_lists_simulacro(slack: Workspace) -> None:
    usage = slack.command("Luis", "").json()["text"]
    assert "/crisis simulacro" in usage
