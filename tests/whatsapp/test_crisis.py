"""A whole crisis run from phones: signed Twilio webhooks into the real app, the bot's
messages out to the fake Twilio API, read like a chat."""

from __future__ import annotations

import re
from pathlib import Path

from bot.routing import Router
from flows.commands import Press, Say
from flows.crisis import Crisis
from flows.messages import LogEntry
from persistence import repository as repo
from tests.support import DIRECTORY, RecordingTransport
from tests.whatsapp.conftest import OpenPhones
from tests.whatsapp.harness import TEMPLATES, Phones, buttons_of

EVERYBODY = ("Juan Pablo", "Cecilia", "Catalina", "Jaime", "Luis", "Valeria", "Claudia Riveros", "Claudia Martínez",
             "Marcelo")


def crisis_log(phones: Phones, crisis_id: str) -> list[LogEntry]:
    async def read() -> list[LogEntry]:
        async with phones.rt.db.connect() as conn:
            return await repo.crisis_log(conn, crisis_id)

    assert phones.client.portal is not None
    return phones.client.portal.call(read)


def crises(phones: Phones) -> list[Crisis]:
    async def read() -> list[Crisis]:
        async with phones.rt.db.connect() as conn:
            return await repo.list_crises(conn)

    assert phones.client.portal is not None
    return phones.client.portal.call(read)


def test_a_whole_crisis_from_whatsapp(phones: Phones) -> None:
    response = phones.write("Jaime", "ALERTA ROJA: caída del servidor")
    assert response.status_code == 200 and "<Response" in response.text  # empty TwiML: the work is queued

    # The bot's number stands in for the company group: everyone with WhatsApp gets the alert,
    # with their cards in the same message (a phone cannot edit what it got: one digest, bot/compact.py).
    for name in EVERYBODY:
        [alert] = phones.got(name, "🚨 ALERTA ROJA · decretada por Jaime a las 09:00.")
        assert "Situación: caída del servidor" in alert.text
    # Nobody but Jaime has written in the last 24 hours: they get the approved notice, one
    # short line each, saying what to write; the whole message comes when they answer.
    [cecilia_alert] = phones.got("Cecilia", "🚨 ALERTA ROJA")
    assert cecilia_alert.content_sid == TEMPLATES["twilio_content_notice"] and cecilia_alert.body is None
    assert cecilia_alert.variables["3"] == "Escribe tomo 2 · leído 3 · tomo 4 · tomo 5 · tomo 6."
    [jaime_alert] = phones.got("Jaime", "🚨 ALERTA ROJA")
    assert jaime_alert.content_sid is None and jaime_alert.body  # Jaime just wrote: a session message
    assert "📋 Paso 2 · Contacto con Entel" in "\n".join(phones.texts("Jaime"))

    # Cecilia does what the notice says: the whole message first (owed), then the question.
    phones.write("Cecilia", "hecho 2")
    whole = "\n".join(phones.texts("Cecilia")[1:-1])
    assert "📋 Paso 2 · Contacto con Entel\n• Llamar al 600 3600 106 (Entel). RUT 76.164.567-6." in whole
    assert "→ tomo 2 · hecho 2 · no puedo 2" in whole
    assert phones.texts("Cecilia")[-1] == "✍️ Tarea 2 (Contacto con Entel): ¿Qué número de ticket dio Entel? (ejemplo: 4455-AB)"
    phones.write("Cecilia", "4455")  # digits, yet an answer: she was asked, and it fits the example
    assert phones.texts("Cecilia")[-1] == "✔️ Registrado: tarea 2 (Contacto con Entel) hecha · el número de ticket de Entel: 4455"
    assert not phones.got("Luis", "Hecha por Cecilia")  # not a new message to every phone for each done

    for name, number in (("Valeria", "4"), ("Luis", "5"), ("Marcelo", "6")):
        phones.write(name, f"tomo {number}")
        [claimed] = phones.got(name, "🟡 Es tuya desde las 09:00")
        # after writing, a session quick reply with the buttons' own labels
        assert claimed.content_sid == TEMPLATES["twilio_content_buttons_2"]
        assert set(buttons_of(claimed)) == {"Hecho", "No puedo"}
        phones.tap(name, "Hecho", containing=f"Paso {number}")
        assert phones.texts(name)[-1].startswith(f"✔️ Registrado: tarea {number} ")

    # Step 3, everybody reads the protocol, as the arrow of their message says.
    for name in EVERYBODY:
        phones.write(name, "leído 3")
        assert phones.got(name, "Gracias, quedó registrado que leíste el paso 3."), (name, phones.texts(name)[-6:])
    checklist = phones.got("Claudia Riveros", "📋 Paso 7 · Chequeo de las tareas")[-1]
    assert "✅ 2 Contacto con Entel: Cecilia, 09:00 · el número de ticket de Entel: 4455" in checklist.text
    phones.tap("Claudia Riveros", "Firmar verificación")
    assert phones.texts("Claudia Riveros")[-1] == "✔️ Verificación firmada."

    phones.write("Jaime", "FIN DE LA CRISIS")  # nothing left open: no question, it closes
    for name in EVERYBODY:
        assert phones.got(name, "✅ FIN DE LA CRISIS · anunciado por Jaime")
    for number in ("8b", "8c", "8d", "8e"):
        phones.write("Claudia Martínez", f"hecho {number}")
    phones.advance("5m")
    phones.tap("Juan Pablo", "Hecho", containing="Volver a la normalidad")

    # The closing: a short summary on every phone, the bitácora only on demand; never a server command.
    for name in EVERYBODY:
        [closed] = phones.got(name, f"🏁 Crisis {crisis_id(phones)} cerrada a las 09:05. Duración: 5 min.")
        assert "Tareas: 13 hechas · 0 no necesarias · 0 sin realizar." in closed.text
        assert "Escribe «bitácora» para ver el registro completo." in closed.text
        assert len(closed.text.splitlines()) <= 8
        texts = phones.texts(name)
        assert all(len(text) <= 1600 and not re.search(r"crisisbot [a-z]", text) for text in texts)
    [closed_crisis] = crises(phones)
    assert closed_crisis.state.value == "closed"
    log = crisis_log(phones, closed_crisis.id)
    assert [e.channel for e in log if e.kind == "declared"] == ["whatsapp"]


def crisis_id(phones: Phones) -> str:
    [crisis] = crises(phones)
    return crisis.id


def test_the_same_crisis_on_every_channel(open_phones: OpenPhones, tmp_path: Path) -> None:
    """Declared on WhatsApp, followed on another channel by whoever prefers it, and the
    other way round: one engine, one database, each person on the channel they prefer."""
    text = DIRECTORY.read_text(encoding="utf-8")
    text = text.replace('whatsapp: "+56911110002"', 'whatsapp: "+56911110002"\n    prefer: [test]')  # Cecilia
    text = text.replace('whatsapp: "+56911110009"\n', "")  # Marcelo has no phone
    directory = tmp_path / "directory.yaml"
    directory.write_text(text, encoding="utf-8")
    recording = RecordingTransport()  # the other channel (like Slack or the terminal)

    class OtherChannel:
        name = "other"

        def transports(self) -> dict[str, RecordingTransport]:
            return {"test": recording}

        def routes(self) -> list[object]:
            return []

        async def start(self, runtime: object) -> None:
            pass

        async def stop(self) -> None:
            pass

    phones = open_phones(extra_features=[OtherChannel()], directory=directory)
    phones.write("Jaime", "ALERTA ROJA")
    assert not phones.twilio.to("+56911110002")  # Cecilia prefers the other channel
    cecilia_card = next(m for r, m in recording.sent if r == "cecilia" and "Contacto con Entel" in m.text)
    assert [b.label for b in cecilia_card.buttons] == ["Lo tomo", "Hecho", "No puedo"]
    assert any(r == "marcelo" and "Desactivar Timify" in m.text for r, m in recording.sent)  # no phone: other channel
    [luis] = phones.got("Luis", "🚨 ALERTA ROJA")  # Luis is reached on WhatsApp: the alert and his cards, as one
    assert "Escribe tomo 2 · leído 3" in luis.text
    # The other channel posts to the group itself, WhatsApp relays it person by person.
    assert any(r == "@group" and m.kind == "announcement" for r, m in recording.sent)

    # Cecilia claims on her channel. A phone cannot edit a sent card: Luis gets no new message
    # only to say so (bot/compact.py); he asks for the status from his phone: the same crisis.
    assert phones.client.portal is not None
    before = len(phones.texts("Luis"))
    phones.client.portal.call(phones.rt.service.handle, Press("cecilia", cecilia_card.buttons[0].action, "test"))
    phones.settle()
    assert len(phones.texts("Luis")) == before
    phones.write("Luis", "estado")
    status = phones.texts("Luis")[-1]
    assert "Contacto con Entel — Cecilia" in status
    # And the closing said on the other channel reaches the phones.
    asked = phones.client.portal.call(phones.rt.service.handle, Say("jaime", "FIN DE LA CRISIS", "test"))
    [question] = [m for m in asked.messages if m.to == "jaime" and m.kind == "proposal"]  # work undone: asked first
    phones.client.portal.call(phones.rt.service.handle, Press("jaime", question.buttons[0].action, "test"))
    phones.settle()
    assert phones.got("Valeria", "✅ FIN DE LA CRISIS · anunciado por Jaime")
    router: Router = phones.rt.service.router
    assert router.channel_for(phones.rt.directory["cecilia"]) == "test"
    assert router.channel_for(phones.rt.directory["luis"]) == "whatsapp"
