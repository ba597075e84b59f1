"""A WhatsApp-only company at the start of a crisis: nobody has written in 24 hours, so
everything goes as approved templates, and the fake Twilio refuses any template variable
WhatsApp would refuse. Everybody gets the essentials; their first answer brings the rest."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from flows.commands import Say
from flows.messages import OutMessage
from handlers.whatsapp.owed import owe, owed, pay
from tests.whatsapp.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio
from tests.whatsapp.harness import TEMPLATES, Phones, install_templates

EVERYBODY = ("Juan Pablo", "Cecilia", "Catalina", "Jaime", "Luis", "Valeria", "Claudia Riveros", "Claudia Martínez",
             "Marcelo")
APPROVED = (TEMPLATES["twilio_content_notice"], TEMPLATES["twilio_content_task"])


def say(phones: Phones, person: str, text: str) -> None:
    """Somebody writes on another channel: their WhatsApp window stays closed."""
    assert phones.client.portal is not None
    phones.client.portal.call(phones.rt.service.handle, Say(person, text, "terminal"))
    phones.settle()


def test_alerta_roja_reaches_everybody_outside_the_window(phones: Phones) -> None:
    say(phones, "jaime", "ALERTA ROJA: caída del servidor")
    assert phones.twilio.refused == []  # WhatsApp would have accepted every one of them
    for name in EVERYBODY:
        [alert] = phones.got(name, "🚨 ALERTA ROJA · decretada por Jaime a las 09:00.")
        assert alert.content_sid == APPROVED[0] and alert.variables["1"] == "🚨 ALERTA ROJA · decretada por Jaime a las 09:00."
        assert "Situación: caída del servidor" in alert.variables["2"]
        assert all("\n" not in v and v.strip() for v in alert.variables.values())
        assert all(s.content_sid in APPROVED for s in phones.twilio.to(phones.number(name)))
    # The alert and her five cards are one message (a digest): the line that is never cut
    # says what to write for each task.
    [cecilia] = phones.twilio.to(phones.number("Cecilia"))
    assert cecilia.variables["3"] == "Escribe tomo 2 · leído 3 · tomo 4 · tomo 5 · tomo 6."

    # Luis answers anything: everything he is owed arrives whole, in order, then the answer.
    owed_before = len(phones.twilio.to("+56911110005"))
    phones.write("Luis", "estado")
    after = phones.twilio.to("+56911110005")[owed_before:]
    assert all(s.content_sid not in APPROVED for s in after)  # his window is open now
    texts = [s.text for s in after]
    assert texts[0].startswith("🚨 ALERTA ROJA · decretada por Jaime a las 09:00.\nSituación: caída del servidor\nTareas:")
    entel = next(i for i, text in enumerate(texts) if "\n\n📋 Paso 2 · Contacto con Entel\n" in text)
    assert "Responsables: Juan Pablo, Cecilia, Catalina, Jaime, Luis\n" in texts[entel]  # the whole card
    status = next(i for i, text in enumerate(texts) if text.startswith("📊 Estado de la crisis"))
    assert entel < status  # what was owed first, then the answer to what he wrote
    phones.write("Luis", "hola")
    assert not [s for s in phones.twilio.to("+56911110005")[owed_before + len(after):] if "ALERTA ROJA ·" in s.text]

    # Cecilia writes what the short template said: taken, and she gets the whole digest too.
    phones.write("Cecilia", "tomo 2")
    assert phones.got("Cecilia", "Listo, la tarea 2 (Contacto con Entel) es tuya.")
    assert [t for t in phones.texts("Cecilia") if "📋 Paso 2 · Contacto con Entel\n• Llamar al 600" in t]
    assert [t for t in phones.texts("Cecilia") if "📋 Paso 6 · Desactivar Timify\n" in t]  # nothing owed is lost


def test_reminders_and_escalations_outside_the_window_arrive(phones: Phones) -> None:
    say(phones, "jaime", "ALERTA ROJA")
    phones.advance("10m")
    [reminder] = phones.got("Valeria", "⏰ Recordatorio: la tarea 4 (Banner de emergencia en fullpyme.cl)")
    assert reminder.content_sid in APPROVED
    assert "tomo 4" in reminder.variables["3"]  # what to write, whatever else the reminder carries
    phones.advance("20m")
    [escalation] = phones.got("Juan Pablo", "🔺 Escalamiento: la tarea 4 (Banner de emergencia en fullpyme.cl)")
    assert escalation.content_sid in APPROVED
    assert phones.twilio.refused == []


# The fake is as strict as WhatsApp -----------------------------------------------------


def send(twilio: FakeTwilio, **form: str) -> httpx.Response:
    return httpx.post(f"{twilio.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json", auth=(ACCOUNT_SID, AUTH_TOKEN),
                      data={"To": "whatsapp:+56911110005", "From": SENDER, **form})


GOOD = {"1": "🚨 ALERTA ROJA", "2": "Situación: caída", "3": "Responde 1."}


@pytest.mark.parametrize(("variables", "status", "code"), [
    (GOOD, 201, None),
    ({**GOOD, "2": "Situación:\ncaída"}, 400, 63013),  # Meta 132018
    ({**GOOD, "2": "a\tb"}, 400, 63013),
    ({**GOOD, "2": "a     b"}, 400, 63013),
    ({**GOOD, "2": "a    b"}, 201, None),  # 4 spaces are allowed
    ({**GOOD, "2": ""}, 400, 21656),
    ({"1": "a", "2": "b"}, 400, 63028),  # {{3}} has no value
    ({**GOOD, "2": "x" * 1000}, 400, 63021),  # the filled body over 1,024
    ({**GOOD, "2": "🚨" * 480}, 400, 63021),  # 960 characters, 1,920 UTF-16 units
])
def test_the_fake_refuses_what_whatsapp_refuses(twilio: FakeTwilio, variables: dict[str, str], status: int,
                                                code: int | None) -> None:
    install_templates(twilio)
    response = send(twilio, ContentSid=TEMPLATES["twilio_content_notice"], ContentVariables=json.dumps(variables))
    assert response.status_code == status
    if code is not None:
        assert response.json()["code"] == code


def test_the_fake_refuses_bad_templates_and_bodies(twilio: FakeTwilio) -> None:
    install_templates(twilio)
    assert send(twilio, Body="x" * 1601).json()["code"] == 21617
    assert send(twilio, Body="🚨" * 801).json()["code"] == 21617  # 1,602 UTF-16 units
    assert send(twilio, ContentSid="HX" + "f" * 32, ContentVariables="{}").status_code == 404
    task = TEMPLATES["twilio_content_task"]
    assert send(twilio, ContentSid=task, ContentVariables=json.dumps({"1": "a", "2": "b", "3": "x", "4": "y"})).json()[
        "code"] == 63028  # a button payload missing
    # A session quick reply may carry new lines; its button titles at most 20 characters.
    three = TEMPLATES["twilio_content_buttons_3"]
    card = {"1": "📋 Paso 2\nResponsables: Luis", "2": "Lo tomo", "3": "c", "4": "Hecho", "5": "d", "6": "No puedo", "7": "e"}
    assert send(twilio, ContentSid=three, ContentVariables=json.dumps(card)).status_code == 201
    assert send(twilio, ContentSid=three, ContentVariables=json.dumps({**card, "2": "x" * 21})).json()["code"] == 63021
    # WhatsApp's review rejects a body that starts or ends with a variable; the fake then
    # refuses to send that template (only approved ones arrive outside the window).
    auth = (ACCOUNT_SID, AUTH_TOKEN)
    for body in ("{{1}} pasó algo", "Pasó {{1}}.", "Pasó {{1}} {{2}} hoy"):
        created = httpx.post(f"{twilio.url}/v1/Content", auth=auth, json={
            "friendly_name": "mala", "language": "es", "variables": {"1": "x", "2": "y"},
            "types": {"twilio/text": {"body": body}}}).json()
        approval = httpx.post(f"{twilio.url}/v1/Content/{created['sid']}/ApprovalRequests/whatsapp", auth=auth,
                              json={"name": "mala", "category": "UTILITY"}).json()
        assert approval["status"] == "rejected" and approval["rejection_reason"]
        refused = send(twilio, ContentSid=created["sid"], ContentVariables=json.dumps({"1": "x", "2": "y"}))
        assert refused.status_code == 400 and refused.json()["code"] == 63016


def test_what_is_owed_is_paid_once_in_order_and_old_debts_are_dropped(phones: Phones) -> None:
    rt = phones.rt
    now = rt.clock.now()
    card = OutMessage("luis", "📋 Paso 2 · Entel\nSin tomar todavía.", ref="card:c1/entel", kind="card")
    taken = OutMessage("luis", "📋 Paso 2 · Entel\n🟡 La tomó Cecilia.", ref="card:c1/entel", kind="card")

    async def scenario() -> tuple[int, list[str], int]:
        async with rt.db.begin() as conn:
            await owe(conn, "luis", None, OutMessage("luis", "viejo\nde hace días"), now - timedelta(days=4))
            await owe(conn, "luis", None, card, now)
            await owe(conn, "luis", None, OutMessage("luis", "🚨 ALERTA\nTareas"), now)
            await owe(conn, "luis", None, taken, now)  # the same card redrawn: only this one, in the card's place
            due = [m.text for _, m in await owed(conn, "luis", now)]
            paid = await pay(conn, "luis", now)
            again = await pay(conn, "luis", now)
        return paid, due, again

    assert phones.client.portal is not None
    paid, due, again = phones.client.portal.call(scenario)
    assert due == [taken.text, "🚨 ALERTA\nTareas"] and paid == 2 and again == 0


def test_what_is_owed_is_not_sent_once_its_tasks_are_done(phones: Phones) -> None:
    """Marcelo, away, got the alert as the short template. By the time he writes, the crisis
    is over: his owed cards («Sin tomar todavía») would be news that is no longer true, so
    only what is still true comes: the closing summary."""
    phones.write("Jaime", "ALERTA ROJA: caída del servidor")
    [alert] = phones.got("Marcelo", "🚨 ALERTA ROJA")
    assert alert.content_sid  # outside the window: the whole digest is owed
    phones.write("Jaime", "FIN DE LA CRISIS")
    phones.tap("Jaime", "Cerrar igual")
    for number in ("8b", "8c", "8d", "8e"):
        phones.write("Jaime", f"hecho {number}")
    phones.write("Jaime", "hecho 8f")
    before = len(phones.texts("Marcelo"))
    phones.write("Marcelo", "estado")
    now = phones.texts("Marcelo")[before:]
    assert not any("Sin tomar todavía" in text or "Paso 6" in text for text in now), now
    assert any(text.startswith("🏁 Crisis ") for text in now), now


def test_back_after_an_hour_away_the_latest_word_on_each_task(phones: Phones) -> None:
    """Valeria was away an hour: the alert and two rounds of reminders reached her as short
    templates. When she writes, she gets the alert with her cards and the latest reminder,
    not every reminder she missed; every task that asks her to act is still there."""
    say(phones, "jaime", "ALERTA ROJA: caída del servidor")
    for _ in range(6):
        phones.advance("10m")
    missed = [s.variables["1"] for s in phones.twilio.to(phones.number("Valeria"))]
    assert [line for line in missed if line.startswith("⏰ Recordatorio")] and len(missed) == 3, missed
    before = len(phones.texts("Valeria"))
    phones.write("Valeria", "hola")
    came = phones.texts("Valeria")[before:]
    owed = "\n".join(came[:-1])  # the last one answers «hola»
    assert owed.count("🚨 ALERTA ROJA ·") == 1
    assert owed.count("⏰ Recordatorio: la tarea 4") == 1, came  # the latest one only
    assert "la tarea 4 (Banner de emergencia en fullpyme.cl) sigue sin responsable desde hace 20 min" in owed
    for command in ("leído 3", "tomo 4", "tomo 5", "tomo 6"):
        assert f"→ {command}" in owed, command


def test_informe_after_the_end_gives_the_summary_once(phones: Phones) -> None:
    phones.write("Cecilia", "ALERTA ROJA: sin internet en la oficina")
    phones.write("Cecilia", "FIN DE LA CRISIS")
    phones.write("Cecilia", "cerrar igual")
    for number in ("8b", "8c", "8d", "8e", "8f"):
        phones.write("Cecilia", f"hecho {number}")
    [short] = phones.got("Marcelo", "🏁 Crisis ")  # only the short template reached him
    assert short.content_sid in APPROVED
    before = len(phones.texts("Marcelo"))
    phones.write("Marcelo", "informe")  # his window opens; he asks what happened
    came = phones.texts("Marcelo")[before:]
    assert len([text for text in came if text.startswith("🏁 Crisis ")]) == 1, came
