"""A whole crisis run from phones: signed Twilio webhooks into the real app, the bot's
messages out to the fake Twilio API, read like a chat."""

from __future__ import annotations

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

    # The bot's number stands in for the company group: everyone with WhatsApp gets the alert.
    for name in EVERYBODY:
        [alert] = phones.got(name, "🚨 ALERTA ROJA · decretada por Jaime a las 09:00.")
        assert "Situación: caída del servidor" in alert.text
    # Nobody but Jaime has written in the last 24 hours: they get approved templates.
    [cecilia_alert] = phones.got("Cecilia", "🚨 ALERTA ROJA")
    assert cecilia_alert.content_sid == TEMPLATES["twilio_content_notice"] and cecilia_alert.body is None
    [jaime_alert] = phones.got("Jaime", "🚨 ALERTA ROJA")
    assert jaime_alert.content_sid is None and jaime_alert.body  # Jaime just wrote: a session message

    # The task card, as the approved quick reply "Lo tomo / Hecho / No puedo".
    [card] = phones.got("Cecilia", "📋 Paso 2 · Contacto con Entel")
    assert card.content_sid == TEMPLATES["twilio_content_task"]
    assert "Llamar al 600 3600 106 (Entel). RUT 76.164.567-6." in card.text
    crisis_id = card.variables["3"].split(":")[1].split("/")[0]
    assert buttons_of(card) == {"Lo tomo": f"claim:{crisis_id}/entel", "Hecho": f"done:{crisis_id}/entel",
                                "No puedo": f"cantdo:{crisis_id}/entel"}

    # "Hecho" on a task that needs a value: the question, then the next message is the answer.
    phones.tap("Cecilia", "Hecho", containing="Contacto con Entel")
    assert phones.got("Cecilia", "✍️ Tarea 2 (Contacto con Entel): ¿Qué número de ticket dio Entel?")
    phones.write("Cecilia", "4455")  # digits, yet an answer, not "button 4455"
    assert phones.got("Cecilia", "✔️ Registrado: tarea 2 (Contacto con Entel) hecha · el número de ticket de Entel: 4455")
    assert phones.got("Luis", "✅ Hecha por Cecilia a las 09:00 · el número de ticket de Entel: 4455")

    for name, step in (("Valeria", "Banner"), ("Luis", "Email masivo"), ("Marcelo", "Desactivar Timify")):
        phones.tap(name, "Lo tomo", containing=step)
        assert phones.got(name, "es tuya")
        phones.tap(name, "Hecho", containing=step)
    # Someone who has written since gets session quick replies with the buttons' own labels.
    [claimed] = phones.got("Valeria", "🟡 Es tuya desde las 09:00")
    assert claimed.content_sid == TEMPLATES["twilio_content_buttons_2"]
    assert buttons_of(claimed) == {"Hecho": f"done:{crisis_id}/banner", "No puedo": f"cantdo:{crisis_id}/banner"}

    # Step 3, everybody reads the protocol: a quick reply where they had one; where the
    # card came as a template (outside the window) its options are numbered: "1".
    for name in EVERYBODY:
        card3 = phones.got(name, "📋 Paso 3 · Atención al cliente")[-1]
        if buttons_of(card3):
            phones.tap(name, "Leído", containing="Atención al cliente")
        elif name == "Claudia Martínez":
            phones.write(name, "leído 3")
        else:
            assert card3.content_sid == TEMPLATES["twilio_content_notice"]
            assert card3.variables["3"] == "Responde 1 para confirmar que lo leíste."  # one line, WhatsApp's rule
            phones.write(name, "1")  # the other cards were taken since: "1" is this one's
        assert phones.got(name, "Gracias, quedó registrado que leíste el paso 3."), (name, phones.texts(name)[-6:])
    checklist = phones.got("Claudia Riveros", "📋 Paso 7 · Chequeo de las tareas")[-1]
    assert "✅ 2 Contacto con Entel: Cecilia, 09:00 · el número de ticket de Entel: 4455" in checklist.text
    phones.tap("Claudia Riveros", "Firmar verificación")

    phones.write("Jaime", "FIN DE LA CRISIS")
    for name in EVERYBODY:
        assert phones.got(name, "✅ FIN DE LA CRISIS · anunciado por Jaime")
    for step in ("Informar a los clientes", "Quitar el banner", "Email masivo de fin", "Habilitar Timify"):
        phones.tap("Claudia Martínez", "Hecho", containing=step)
    phones.advance("5m")
    phones.tap("Juan Pablo", "Hecho", containing="Volver a la normalidad")

    # The report reaches every phone (in pieces if it is longer than a WhatsApp message).
    for name in EVERYBODY:
        texts = phones.texts(name)
        start = next(i for i, text in enumerate(texts) if text.startswith(f"🏁 Crisis {crisis_id} cerrada"))
        report = "\n".join(texts[start:])
        assert "Duración: 5 min." in report
        assert "Firmó la verificación de los pasos 1, 2, 3, 4, 5, 6" in report
        assert "23/11 09:00 · Cecilia · whatsapp · Marcó hecha la tarea 2 (Contacto con Entel)" in report
        assert all(len(text) <= 1600 for text in texts)
    [closed] = crises(phones)
    assert closed.id == crisis_id and closed.state.value == "closed"
    log = crisis_log(phones, crisis_id)
    assert [e.channel for e in log if e.kind == "declared"] == ["whatsapp"]


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
