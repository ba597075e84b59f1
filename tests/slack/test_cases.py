"""Cases (issue 12) driven from Slack: `/caso` as Slack posts it, a question's options as
buttons or a static_select, a case task's value through the modal, the hand-off card to the
next role, «estado R-1»; seeds 004 and 001 with the shipped directory."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.loading import load_all
from tests.slack.fake_slack import TEAM, FakeSlack, Message
from tests.slack.harness import CHANNEL, Workspace, open_workspace, slack_settings
from tests.support import PLAYBOOK, ROOT, SHIPPED_DIRECTORY


def slack_user(person: Any) -> str:
    """A person's Slack id: the directory's slack_id, else the harness's."""
    return str(person.slack_id) if person.slack_id else "U" + person.id.replace("_", "").upper()


class Comteco(Workspace):
    """The workspace with the shipped directory (FullPyme and COMTECO people)."""

    def user(self, name: str) -> str:
        people = self.rt.directory.find(name)
        assert len(people) == 1, name
        return slack_user(people[0])

    def case_command(self, name: str, text: str, channel: str = CHANNEL) -> Any:
        """`/caso <text>` as Slack posts a slash command (form-encoded, signed)."""
        form = self.command_form(name, text, channel)
        form.update(command="/caso", channel_name="crisis" if channel == CHANNEL else "directmessage")
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded")

    def find_select(self, name: str, containing: str) -> tuple[Message, dict[str, Any], dict[str, Any]]:
        for message in reversed(self.dms(name)):
            if containing not in message.shown:
                continue
            for block in message.blocks:
                for element in block.get("elements", []) if block.get("type") == "actions" else []:
                    if element.get("type") == "static_select":
                        return message, block, element
        raise AssertionError(f"{name} has no select with {containing!r}")

    def select(self, name: str, containing: str, option_text: str) -> Any:
        """Choose `option_text` in the select of the newest message with `containing`, as Slack posts it."""
        message, block, element = self.find_select(name, containing)
        [option] = [o for o in element["options"] if o["text"]["text"] == option_text]
        user = self.user(name)
        payload = {
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
            "api_app_id": "A0CRISIS", "token": "verification-token-unused",
            "container": {"type": "message", "message_ts": message.ts, "channel_id": message.channel, "is_ephemeral": False},
            "trigger_id": f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(8)}",
            "team": {"id": TEAM, "domain": "comteco"}, "enterprise": None, "is_enterprise_install": False,
            "channel": {"id": message.channel, "name": "directmessage"},
            "message": {"type": "message", "user": "U0BOT", "bot_id": "B0BOT", "text": message.text,
                        "blocks": message.blocks, "ts": message.ts},
            "state": {"values": {block["block_id"]: {element["action_id"]: {"type": "static_select",
                                                                             "selected_option": option}}}},
            "response_url": f"{self.fake.api_url}response/{secrets.token_hex(4)}",
            "actions": [{"type": "static_select", "action_id": element["action_id"], "block_id": block["block_id"],
                         "selected_option": option, "placeholder": element["placeholder"],
                         "action_ts": f"{time.time():.6f}"}],
        }
        return self.interaction(payload)


@pytest.fixture
def comteco(tmp_path: Path) -> Iterator[Comteco]:
    _, directory = load_all(PLAYBOOK, SHIPPED_DIRECTORY)
    assert directory is not None
    fake = FakeSlack(users={p.email.lower(): slack_user(p) for p in directory.people if p.email}).start()
    fake.add_channel(CHANNEL, "crisis")
    settings = slack_settings(tmp_path, fake, directory=SHIPPED_DIRECTORY, playbooks=str(ROOT / "playbooks" / "*.yaml"))
    client, workspace = open_workspace(settings, fake)
    try:
        yield Comteco(client, fake, workspace.clock, workspace.feature)
    finally:
        client.__exit__(None, None, None)
        fake.stop()


def test_a_004_case_from_caso_to_its_desk(comteco: Comteco) -> None:
    """Seed 004 at the front desk: 3 options as buttons, 5B's 8 as a static_select whose choice ends the case."""
    response = comteco.case_command("Silvia Guzmán", "direccionamiento")
    assert response.status_code == 200 and "mensaje directo" in response.json()["text"]
    assert comteco.got("Silvia Guzmán", "📁 Caso D-1 abierto (Información y direccionamiento COMTECO).")
    [card] = comteco.got("Silvia Guzmán", "📋 Paso 1 · ¿Qué necesita el cliente?")
    assert list(card.buttons()) == ["Información general", "Ubicar funcionario", "Trámite específico"]
    comteco.press("Silvia Guzmán", "Trámite específico")
    assert comteco.got("Silvia Guzmán", "✅ Paso 1: elegiste «Trámite específico».")
    [card] = comteco.got("Silvia Guzmán", "📋 Paso 1 · ")
    assert card.buttons() == {} and "✅ Hecha por Silvia Guzmán a las 08:00." in card.shown  # no stale buttons
    [card] = comteco.got("Silvia Guzmán", "📋 Paso 5 · ¿Qué tipo de trámite?")
    assert list(card.buttons()) == ["A. Venta de servicios", "B. Post venta", "C. Baja de servicios"]
    assert "• el cliente pide: Trámite específico" in card.shown  # what earlier steps recorded
    comteco.press("Silvia Guzmán", "B. Post venta")

    # eight options: one static_select, numbered, no buttons
    message, _, select = comteco.find_select("Silvia Guzmán", "📋 Paso 5B · Post venta: ¿qué pide el cliente?")
    assert message.buttons() == {}
    assert [o["text"]["text"] for o in select["options"]] == [
        "1. Llamadas entr./Fiscalía", "2. Excedentes o mora", "3. Certificados PAC", "4. Traslado o salientes",
        "5. HSPA+ o decodificador", "6. Modem, ONU o DTH", "7. Reclamo o consumo", "8. Gestión de reclamo"]
    assert select["placeholder"]["type"] == "plain_text"
    comteco.select("Silvia Guzmán", "📋 Paso 5B", "8. Gestión de reclamo")
    assert comteco.got("Silvia Guzmán", "✅ Paso 5B: elegiste «Gestión de reclamo».")
    assert comteco.dms("Silvia Guzmán")[-1].shown == "🏁 Caso D-1 cerrado: BOI (Back Office Incidencias)"
    [card] = comteco.got("Silvia Guzmán", "📋 Paso 5B · ")
    assert not [b for b in card.blocks if b.get("type") == "actions"]  # the select is gone once chosen
    comteco.dm("Silvia Guzmán", "estado D-1")
    assert "🏁" in comteco.dms("Silvia Guzmán")[-1].shown and "BOI" in comteco.dms("Silvia Guzmán")[-1].shown
    assert comteco.fake.refused() == []
    assert not comteco.channel()  # a case never posts to the group
    # Silvia kept the customer's case: the other adviser never had its cards, nor any redraw of them
    assert not [m.shown for m in comteco.dms("Andrés Ticona") if "D-1" in m.shown]


def test_a_001_case_handed_over_with_its_fields(comteco: Comteco) -> None:
    """Seed 001 from the call center to its supervisor: the value of a task through the modal,
    the next role's card with the case's fields, «estado R-1», the value asked in chat."""
    comteco.dm("Ximena Quispe", "RECLAMO REITERADO 4452211 vulnerabilidad=2")
    assert comteco.got("Ximena Quispe", "📁 Caso R-1 abierto (Daños reiterados COMTECO). Vence 24/11 08:00.")
    comteco.press("Ximena Quispe", "Call Center")
    comteco.press("Ximena Quispe", "Hecho", containing="Recepcionar la llamada")
    modal = comteco.latest_modal("Ximena Quispe")
    assert modal["title"]["text"] == "Completar tarea 2"
    assert "¿Cuál es el número telefónico del servicio?" in str(modal["blocks"])
    comteco.submit("Ximena Quispe", "4425 2211")
    assert comteco.got("Ximena Quispe", "✔️ Registrado: tarea 2 (Recepcionar la llamada del cliente) hecha")
    comteco.press("Ximena Quispe", "Atendido sin solución")
    comteco.press("Ximena Quispe", "No está cerrada")
    message, _, select = comteco.find_select("Ximena Quispe", "📋 Paso 7 · Formulario «Reclamos Varios»")
    assert len(select["options"]) == 13
    comteco.select("Ximena Quispe", "Formulario", "4. Abonado ausente")

    # the hand-off: the supervisor's card carries the case's fields and what was recorded
    [card] = comteco.got("Patricia Rojas", "📋 Paso 8 · Gestionar el daño con la unidad involucrada")
    for line in ("📁 Caso R-1 · Daños reiterados COMTECO", "• contrato: 4452211", "• teléfono: 44252211",
                 "• vulnerabilidad (Anexo 2): 2 Alta (24 h)", "• motivo: Abonado ausente",
                 "✅ 5 ¿La orden del último daño está cerrada? — Ximena Quispe 08:00 · No está cerrada",
                 "⏰ Vence 24/11 08:00"):
        assert line in card.shown, line
    assert list(card.buttons()) == ["Lo tomo", "Hecho", "No puedo"]

    comteco.dm("Ximena Quispe", "estado R-1")
    status = comteco.dms("Ximena Quispe")[-1].shown
    assert "Abierto por Ximena Quispe el 23/11 08:00" in status
    assert "➡️ Paso 8 · Gestionar el daño con la unidad involucrada: sin tomar (Patricia Rojas)" in status

    # the modal cannot open (an expired trigger): the value is asked in chat and typed in the DM
    comteco.press("Patricia Rojas", "Lo tomo", containing="Paso 8")
    comteco.fake.fail_next("views.open", status=200, error="expired_trigger_id", retry_after=None)
    comteco.press("Patricia Rojas", "Hecho", containing="Paso 8")
    assert comteco.got("Patricia Rojas", "¿A qué unidad lo reportaste?")
    comteco.dm("Patricia Rojas", "Mesa de pruebas")
    assert comteco.got("Patricia Rojas", "✔️ Registrado: tarea 8 (Gestionar el daño con la unidad involucrada) hecha")
    closed = "🏁 Caso R-1 cerrado: derivado a procedimientos técnicos (Atención Daños Técnicos, OPR-PAS-P04)"
    assert comteco.got("Ximena Quispe", closed) and comteco.got("Patricia Rojas", closed)
    assert [c for c in comteco.fake.refused() if c.method != "views.open"] == []
    assert not [m for m in comteco.dms("Rodrigo Mamani") if "R-1" in m.shown]  # Ximena kept her call's steps
