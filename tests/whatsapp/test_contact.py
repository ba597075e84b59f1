"""«Sin contacto» over the real WhatsApp path: Twilio accepts the messages, then its
status callbacks say they were not delivered (signed webhooks, as Twilio sends them),
and nothing else reaches the person: the coordinators hear of it once, on their phones."""

from __future__ import annotations

from flows.commands import Say
from tests.whatsapp.harness import Phones

VALERIA = "+56911110006"


def settle(phones: Phones) -> None:
    """Deliver, let the watcher look, deliver what it wrote."""
    assert phones.client.portal is not None
    phones.settle()
    phones.client.portal.call(phones.rt.contact.settle)
    phones.settle()


def report_to(phones: Phones, name: str) -> list[str]:
    return [s.text for s in phones.got(name, "No consigo contactar a Valeria")]


def test_undelivered_callbacks_with_no_other_channel_reach_the_coordinators_once(phones: Phones) -> None:
    assert phones.client.portal is not None
    for person in phones.rt.directory.people:  # within WhatsApp's 24-hour window: session messages
        phones.write(person.name, "ayuda")
    before = len(phones.twilio.to(VALERIA))
    phones.client.portal.call(phones.rt.service.handle, Say("jaime", "ALERTA ROJA: caída", "terminal"))
    settle(phones)
    *earlier, last = phones.twilio.to(VALERIA)[before:]  # one digest: the announcement and her cards, in pieces
    assert "ALERTA ROJA" in earlier[0].text and "Paso 6 · Desactivar Timify" in last.text
    assert not report_to(phones, "Jaime")  # accepted by Twilio: nothing to report yet
    phones.status(last.sid, "undelivered", error="63024", to=f"whatsapp:{VALERIA}")  # invalid recipient
    settle(phones)
    [report] = report_to(phones, "Jaime")
    assert report == "⚠️ No consigo contactar a Valeria (WhatsApp: error 63024). Avísale por otra vía (teléfono +56911110006)."
    assert len(report_to(phones, "Juan Pablo")) == 1
    assert not report_to(phones, "Valeria") and not report_to(phones, "Cecilia")
    for sent in earlier:  # the other pieces fail too: still one report each
        phones.status(sent.sid, "failed", error="63024", to=f"whatsapp:{VALERIA}")
    settle(phones)
    assert len(report_to(phones, "Jaime")) == 1 and len(report_to(phones, "Juan Pablo")) == 1
