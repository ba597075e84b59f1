"""Review of cases (issue 12) on Slack along paths tests/slack/test_cases.py does not take."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.loading import load_all
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import CHANNEL, open_workspace, slack_settings
from tests.slack.test_cases import Comteco, slack_user
from tests.support import PLAYBOOK, ROOT, SHIPPED_DIRECTORY


def open_comteco(tmp_path: Path, unknown: tuple[str, ...] = ()) -> tuple[Comteco, FakeSlack]:
    _, directory = load_all(PLAYBOOK, SHIPPED_DIRECTORY)
    assert directory is not None
    fake = FakeSlack(users={p.email.lower(): slack_user(p) for p in directory.people
                            if p.email and p.id not in unknown}).start()
    fake.add_channel(CHANNEL, "crisis")
    settings = slack_settings(tmp_path, fake, directory=SHIPPED_DIRECTORY, playbooks=str(ROOT / "playbooks" / "*.yaml"))
    client, workspace = open_workspace(settings, fake)
    return Comteco(client, fake, workspace.clock, workspace.feature), fake


@pytest.fixture
def comteco(tmp_path: Path) -> Iterator[Comteco]:
    ws, fake = open_comteco(tmp_path)
    try:
        yield ws
    finally:
        ws.client.__exit__(None, None, None)
        fake.stop()


def test_helpdesk_path_from_a_public_channel_with_two_cases_open(comteco: Comteco) -> None:
    """`/caso r contrato=… vulnerabilidad=4` in the public channel: answered by DM only; the
    help-desk path 1 → 9 → 10 «No» → 11 by buttons, kept by the agent who opened it; «mis
    casos» in the DM; a second `/caso` for the same contract opens nothing and names R-1; a
    second contract opens R-2, and a bare «2» in the Slack DM presses nothing (Slack reads
    buttons, not typed numbers: the answer says to use them)."""
    response = comteco.case_command("Marco Flores", "r contrato=4452211 vulnerabilidad=4")
    assert response.json() == {"text": "Listo: te respondo por mensaje directo.", "response_type": "ephemeral"}
    assert not comteco.channel()  # nothing about the case in the public channel
    assert comteco.got("Marco Flores", "📁 Caso R-1 abierto (Daños reiterados COMTECO). Vence 25/11 08:00.")  # 48 h
    comteco.press("Marco Flores", "Help Desk")
    comteco.press("Marco Flores", "Hecho", containing="Paso 9 · Recibir el reclamo de daño técnico")
    [card] = comteco.got("Marco Flores", "📋 Paso 10 · ¿La asistencia en línea lo solucionó?")
    assert list(card.buttons()) == ["Sí, solucionado", "No"] and "🟡 Es tuya desde las 08:00." in card.shown
    comteco.press("Marco Flores", "No", containing="Paso 10")
    assert comteco.got("Marco Flores", "📋 Paso 11 · ¿A quién va la orden de trabajo?")

    comteco.case_command("Marco Flores", "r contrato=4452211 vulnerabilidad=4")
    assert comteco.dms("Marco Flores")[-1].shown == (
        "Ya hay un caso abierto para contrato 4452211: R-1 (abierto 08:00 por Marco Flores). Escribe «estado R-1».")
    comteco.case_command("Marco Flores", "r contrato=999 vulnerabilidad=1")
    assert comteco.got("Marco Flores", "📁 Caso R-2 abierto (Daños reiterados COMTECO). Vence 23/11 20:00.")
    comteco.dm("Marco Flores", "mis casos")
    assert comteco.dms("Marco Flores")[-1].shown.splitlines() == [
        "*Tus casos abiertos (2):*",
        "• R-1 (Daños reiterados COMTECO) — ➡️ Paso 11 · ¿A quién va la orden de trabajo?: lo tiene Marco Flores,"
        " hace 0 min · vence 25/11 08:00",
        "• R-2 (Daños reiterados COMTECO) — ➡️ Paso 1 · ¿Quién recibió el reclamo?: lo tiene Marco Flores,"
        " hace 0 min · vence 23/11 20:00"]
    comteco.dm("Marco Flores", "2")
    assert comteco.dms("Marco Flores")[-1].shown == "No entendí. Usa los botones de tus tareas o escribe «estado» o «ayuda»."
    comteco.dm("Marco Flores", "R-1 1")  # the case named: its question's first option
    assert comteco.dms("Marco Flores")[-1].shown == (
        "🏁 Caso R-1 cerrado: derivado a procedimientos técnicos (Atención Daños Técnicos, OPR-PAS-P04)")
    assert comteco.got("Marco Flores", "✅ Paso 11: elegiste «Planta externa (PEX)».")
    assert not [m for m in comteco.dms("Daniela Vargas") if "R-" in m.shown]  # Marco kept both cases
    assert comteco.fake.refused() == []


def to_coordination_step_16(ws: Comteco) -> None:
    """Lucía (retention) takes R-1 from the complaint to step 16, the retention coordinator's."""
    ws.dm("Lucía Gutiérrez", "RECLAMO REITERADO 4452211 vulnerabilidad=3")
    ws.press("Lucía Gutiérrez", "Retención (Mezanine)")
    ws.press("Lucía Gutiérrez", "Hecho", containing="Paso 12")
    ws.submit("Lucía Gutiérrez", "sin internet")
    ws.press("Lucía Gutiérrez", "Cerrada sin solución", containing="Paso 13")
    ws.press("Lucía Gutiérrez", "Hecho", containing="Paso 15")
    ws.submit("Lucía Gutiérrez", "SOL-1")


def test_a_case_handed_to_someone_slack_cannot_reach_is_told_to_the_coordinators(tmp_path: Path) -> None:
    """Step 16 goes to Verónica Torrico, the only retention coordinator, whom Slack does not
    know (users.lookupByEmail: users_not_found): the case's coordinators are told, naming
    her and her phone, as for a crisis (bot/contact.py), instead of nobody until the deadline."""
    ws, fake = open_comteco(tmp_path, unknown=("veronica_torrico",))
    try:
        to_coordination_step_16(ws)
        assert [c.method for c in fake.refused()] == ["users.lookupByEmail"]
        ws.advance("11m")  # policy.contact_after (10m)
        assert ws.client.portal is not None
        ws.client.portal.call(ws.rt.contact.settle)  # the «sin contacto» watcher has looked
        ws.settle()  # and what it found is delivered
        for coordinator in ("Mónica Saavedra", "Ramiro Céspedes"):
            [told] = ws.got(coordinator, "Verónica Torrico")
            assert told.shown.startswith("⚠️") and "+59171110008" in told.shown, told.shown
        [told] = ws.got("Mónica Saavedra", "Verónica Torrico")
        assert told.shown.endswith("Es por el caso R-1: escribe «estado R-1» para ver qué le toca.")
        [told] = ws.got("Ramiro Céspedes", "Verónica Torrico")  # lang: en
        assert told.shown.endswith("It is about case R-1: write «status R-1» to see what is theirs.")
    finally:
        ws.client.__exit__(None, None, None)
        fake.stop()
