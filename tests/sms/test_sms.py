"""SMS as the last channel: the essentials for a person no chat channel reaches, their
answers by SMS, and SMS always last in routing."""

from __future__ import annotations

import httpx
import pytest

from bot.routing import Router
from flows.directory import Directory, Person
from flows.messages import Action, ActionKind, Button, OutMessage
from handlers.sms.gsm import is_gsm, segments, to_gsm
from handlers.sms.render import sms_text
from tests.support import RecordingTransport
from tests.whatsapp.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, SMS_SENDER, FakeTwilio
from tests.whatsapp.harness import Phones, sign

LUIS = "+56911110005"


@pytest.fixture
def phones(with_sms: Phones) -> Phones:
    return with_sms


def sms_form(number: str, body: str, sid: str) -> dict[str, str]:
    """An SMS answer as Twilio posts it: From without the «whatsapp:» prefix."""
    return {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": number,
            "To": SMS_SENDER, "Body": body, "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received",
            "ApiVersion": "2010-04-01"}


def test_whatsapp_failing_for_good_the_alert_arrives_by_sms_and_an_sms_answer_takes_the_task(phones: Phones) -> None:
    phones.twilio.fail_next(400, code=63024, to=f"whatsapp:{LUIS}", times=100)  # «invalid message recipient»
    phones.write("Jaime", "ALERTA ROJA: caída del servidor")
    texts = [s.text for s in phones.twilio.sms_to(LUIS)]
    # the alert and his cards are one digest: its first line and the first word of each task
    assert texts[0] == ("crisisbot: ALERTA ROJA - decretada por Jaime a las 09:00. - Situacion: caida del servidor "
                        "Responde TOMO 2 / LEIDO 3 / TOMO 4 / TOMO 5.")
    assert all(is_gsm(t) and segments(t) == 1 for t in texts)  # one segment each, no emoji
    assert all(s.form["From"] == SMS_SENDER for s in phones.twilio.sms_to(LUIS))
    assert not phones.twilio.to(LUIS)  # nothing reached his WhatsApp
    assert not phones.twilio.sms_to("+56911110002")  # Cecilia's WhatsApp works: no SMS for her

    response = phones.post("/twilio/sms", sms_form(LUIS, "TOMO 2", "SM" + "5" * 32))
    assert response.status_code == 200 and "<Response" in response.text
    after = [s.text for s in phones.twilio.sms_to(LUIS)][len(texts):]
    # the answer and his card, now his, in one SMS
    assert after == ["crisisbot: Listo, la tarea 2 (Contacto con Entel) es tuya. - Paso 2 - Contacto con Entel "
                     "Responde HECHO 2 / NO PUEDO 2."]
    phones.write("Cecilia", "estado")  # the others' cards are not redrawn on a phone: «estado» says it
    assert "Contacto con Entel — Luis" in phones.texts("Cecilia")[-1]
    phones.post("/twilio/sms", sms_form(LUIS, "TOMO 2", "SM" + "5" * 32))  # Twilio repeating the webhook
    assert len([s for s in phones.twilio.sms_to(LUIS) if "es tuya" in s.text]) == 1


def test_an_sms_answer_needs_twilios_signature(phones: Phones) -> None:
    form = sms_form(LUIS, "ALERTA ROJA", "SM" + "6" * 32)
    forged = sign("/twilio/sms", form, token="not-the-token")
    assert phones.post("/twilio/sms", form, signature=forged).status_code == 403
    assert phones.twilio.sent == []
    unknown = sms_form("+56999999999", "ALERTA ROJA", "SM" + "7" * 32)
    assert phones.post("/twilio/sms", unknown).status_code == 200 and phones.twilio.sent == []


def test_sms_is_the_last_channel_whatever_people_prefer() -> None:
    person = Person(id="luis", name="Luis", whatsapp=LUIS, prefer=["sms", "whatsapp"])
    sms, whatsapp = RecordingTransport(), RecordingTransport()
    sms.last_resort = True  # type: ignore[attr-defined]
    router = Router(Directory(people=[person]), {"sms": sms, "whatsapp": whatsapp})
    assert router.order(person) == ["whatsapp", "sms"] and router.channel_for(person) == "whatsapp"


def test_the_fake_sends_sms_only_from_the_account_number_to_e164(twilio: FakeTwilio) -> None:
    url = f"{twilio.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    auth = (ACCOUNT_SID, AUTH_TOKEN)
    assert httpx.post(url, auth=auth, data={"To": LUIS, "From": SMS_SENDER, "Body": "hola"}).status_code == 201
    assert httpx.post(url, auth=auth, data={"To": LUIS, "From": "+14155550199", "Body": "hola"}).json()["code"] == 21606
    assert httpx.post(url, auth=auth, data={"To": "56911110005", "From": SMS_SENDER, "Body": "hola"}).json()["code"] == 21211
    assert httpx.post(url, auth=auth, data={"To": "+56 9 1111", "From": SMS_SENDER, "Body": "hola"}).json()["code"] == 21211


@pytest.mark.parametrize(("text", "gsm"), [
    ("🚨 ALERTA ROJA · decretada", "ALERTA ROJA - decretada"),
    ("Situación: «caída» del servidor…", 'Situacion: "caida" del servidor...'),
    ("ñandú é ü", "ñandu é ü"),  # é, ñ, ü are GSM-7; ú is not
    ("línea 1\nlínea 2", "linea 1 - linea 2"),
    ("🧑‍🚒🇨🇱", ""),
])
def test_to_gsm(text: str, gsm: str) -> None:
    assert to_gsm(text) == gsm and is_gsm(to_gsm(text))


@pytest.mark.parametrize(("text", "count"), [
    ("", 0), ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("€" * 80, 1), ("€" * 81, 2),
    ("á" * 70, 1), ("á" * 71, 2), ("🚨" * 35, 1), ("🚨" * 36, 2),
])
def test_segments(text: str, count: int) -> None:
    assert segments(text) == count


def test_a_long_message_is_cut_to_a_few_segments() -> None:
    task = (Button("Lo tomo", Action(ActionKind.CLAIM, "c1/entel")), Button("Hecho", Action(ActionKind.COMPLETE, "c1/entel")))
    long = OutMessage("luis", "📋 " + "muy largo " * 200 + "\nsegunda", task)
    text = sms_text(long, "es", lambda step_id: "2")
    assert segments(text) <= 3 and is_gsm(text) and text.endswith("... Responde TOMO 2 / HECHO 2.")
    english = sms_text(OutMessage("luis", "Step 2", task), "en", lambda step_id: "2")
    assert english == "crisisbot: Step 2 Reply TAKE 2 / DONE 2."
