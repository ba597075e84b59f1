"""The webhook's guard: Twilio's signature, repeated MessageSids, malformed forms,
numbers the directory does not know."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from flows.crisis import Crisis
from handlers.whatsapp.webhooks import SignatureHint
from persistence import repository as repo
from persistence import tables as T
from tests.whatsapp.fake_twilio import AUTH_TOKEN
from tests.whatsapp.harness import PUBLIC, Phones, sign


def crises(phones: Phones) -> list[Crisis]:
    async def read() -> list[Crisis]:
        async with phones.rt.db.connect() as conn:
            return await repo.list_crises(conn)

    assert phones.client.portal is not None
    return phones.client.portal.call(read)


def count(phones: Phones, table: str) -> int:
    async def read() -> int:
        async with phones.rt.db.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(getattr(T, table)))).scalar_one())

    assert phones.client.portal is not None
    return phones.client.portal.call(read)


def test_a_forged_signature_is_refused_and_nothing_happens(phones: Phones) -> None:
    form = phones.message_form("+56911110004", "ALERTA ROJA", "Jaime")
    forged = sign("/twilio/whatsapp", form, token="not-the-auth-token")
    response = phones.post("/twilio/whatsapp", form, signature=forged)
    assert response.status_code == 403
    missing = phones.client.post("/twilio/whatsapp", data=form)  # no X-Twilio-Signature at all
    assert missing.status_code == 403
    tampered = dict(form, Body="FIN DE LA CRISIS")  # signed for another body
    assert phones.post("/twilio/whatsapp", tampered, signature=sign("/twilio/whatsapp", form)).status_code == 403
    # Signed for the address the request reached (the test host), not the public one Twilio calls.
    local = RequestValidator(AUTH_TOKEN).compute_signature("http://testserver/twilio/whatsapp", form)
    assert phones.post("/twilio/whatsapp", form, signature=local).status_code == 403
    status = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "failed", "ErrorCode": "30008"}
    assert phones.post("/twilio/status", status, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403

    assert crises(phones) == []
    assert phones.twilio.sent == []
    assert count(phones, "processed_events") == 0 and count(phones, "contacts") == 0 and count(phones, "log") == 0
    # The real signature for the same form still works: the forged ones did not mark it processed.
    assert phones.post("/twilio/whatsapp", form).status_code == 200
    assert len(crises(phones)) == 1


def test_the_same_message_sid_is_processed_once(phones: Phones) -> None:
    form = phones.message_form("+56911110004", "ALERTA ROJA", "Jaime")
    first = phones.post("/twilio/whatsapp", form)
    sent_after_first = len(phones.twilio.sent)
    again = phones.post("/twilio/whatsapp", form)  # Twilio delivering the webhook twice
    assert first.status_code == again.status_code == 200
    assert len(crises(phones)) == 1
    assert len(phones.twilio.sent) == sent_after_first
    assert len(phones.got("Cecilia", "🚨 ALERTA ROJA")) == 1
    # A message repeated (same MessageSid) claims once and answers once.
    tap = phones.message_form("+56911110006", "tomo 4", "Valeria")
    phones.post("/twilio/whatsapp", tap)
    phones.post("/twilio/whatsapp", tap)
    assert len(phones.got("Valeria", "Listo, la tarea 4 (Banner de emergencia en fullpyme.cl) es tuya.")) == 1
    assert not phones.got("Valeria", "ya es tuya")


def test_an_unknown_number_gets_a_polite_answer_and_nothing_else(phones: Phones) -> None:
    form = phones.message_form("+56999999999", "ALERTA ROJA", "Desconocido")
    assert phones.post("/twilio/whatsapp", form).status_code == 200
    [answer] = phones.twilio.to("+56999999999")
    assert answer.body == ("Hola Desconocido, no te encuentro en el directorio de crisisbot. "
                           "Pide a un coordinador que te agregue.")
    assert len(phones.twilio.sent) == 1  # nobody else heard anything
    assert crises(phones) == [] and count(phones, "contacts") == 0
    phones.post("/twilio/whatsapp", form)  # repeated: answered once
    assert len(phones.twilio.to("+56999999999")) == 1


def test_malformed_requests_get_4xx_and_the_app_stays_up(phones: Phones) -> None:
    no_sid = {"From": "whatsapp:+56911110004", "To": "whatsapp:+14155238886", "Body": "ALERTA ROJA"}
    assert phones.post("/twilio/whatsapp", no_sid).status_code == 400
    no_sender = {"MessageSid": "SM" + "2" * 32, "Body": "hola"}
    assert phones.post("/twilio/whatsapp", no_sender).status_code == 400
    no_status = {"MessageSid": "SM" + "3" * 32}
    assert phones.post("/twilio/status", no_status).status_code == 400
    body = b"\xff\xfe=\xff"  # not UTF-8
    bad = phones.client.post("/twilio/whatsapp", content=body, headers={
        "X-Twilio-Signature": "bm90IGEgcmVhbCBzaWduYXR1cmU=", "Content-Type": "application/x-www-form-urlencoded"})
    assert bad.status_code == 400
    json_body = phones.client.post("/twilio/whatsapp", json={"Body": "hola"},
                                   headers={"X-Twilio-Signature": "bm90IGEgcmVhbCBzaWduYXR1cmU="})
    assert json_body.status_code == 400
    assert phones.client.get("/twilio/whatsapp").status_code == 405
    assert phones.client.get("/healthz").json()["ok"] is True
    assert crises(phones) == [] and phones.twilio.sent == []
    assert phones.write("Jaime", "ALERTA ROJA").status_code == 200  # still serving
    assert len(crises(phones)) == 1


def test_failing_signatures_hint_at_public_base_url_once(phones: Phones, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="handlers.whatsapp.webhooks")
    for i in range(5):
        form = phones.message_form("+56911110004", f"estado {i}", "Jaime")
        assert phones.post("/twilio/whatsapp", form, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    hints = [r.getMessage() for r in caplog.records if "PUBLIC_BASE_URL" in r.getMessage()]
    assert len(hints) == 1
    assert f"PUBLIC_BASE_URL={PUBLIC}" in hints[0] and AUTH_TOKEN not in hints[0]


def test_the_hint_comes_back_after_ten_minutes(caplog: pytest.LogCaptureFixture) -> None:
    now = [1000.0]
    hint = SignatureHint("https://crisis.example.com", clock=lambda: now[0])
    caplog.set_level(logging.WARNING, logger="handlers.whatsapp.webhooks")
    for step in (0, 60, 500, 39, 1, 1):  # seconds between failures: 600 after the first at the 4th
        now[0] += step
        hint.bad_signature("/twilio/whatsapp")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2 and "(4 since the last notice" in lines[1]
