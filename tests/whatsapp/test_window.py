"""WhatsApp's 24-hour window: session messages only to someone who wrote in the last 24
hours; approved templates otherwise; Twilio's 63016 answered by resending as a template."""

from __future__ import annotations

from flows.commands import Press, Say
from flows.messages import Action, LogEntry
from persistence import repository as repo
from tests.whatsapp.conftest import OpenPhones
from tests.whatsapp.harness import TEMPLATES, Phones

NOTICE = TEMPLATES["twilio_content_notice"]


def log_of(phones: Phones) -> list[LogEntry]:
    async def read() -> list[LogEntry]:
        async with phones.rt.db.connect() as conn:
            crisis_id = await repo.open_crisis_id(conn, phones.rt.playbook.id)
            assert crisis_id is not None
            return await repo.crisis_log(conn, crisis_id)

    assert phones.client.portal is not None
    return phones.client.portal.call(read)


def say(phones: Phones, person: str, text: str) -> None:
    """Somebody writes on another channel (the terminal, Slack): not a WhatsApp message."""
    assert phones.client.portal is not None
    phones.client.portal.call(phones.rt.service.handle, Say(person, text, "terminal"))
    phones.settle()


def say_press(phones: Phones, person: str, action: Action) -> None:
    """Somebody presses a button on another channel."""
    assert phones.client.portal is not None
    phones.client.portal.call(phones.rt.service.handle, Press(person, action, "terminal"))
    phones.settle()


def test_the_24_hour_rule(phones: Phones) -> None:
    approved = (NOTICE, TEMPLATES["twilio_content_task"])
    say(phones, "jaime", "ALERTA ROJA")
    [alert] = phones.got("Luis", "🚨 ALERTA ROJA")
    assert alert.content_sid == NOTICE and alert.body is None  # never wrote: a template
    assert alert.variables["1"].startswith("🚨 ALERTA ROJA · decretada por Jaime")
    assert "tomo 2" in alert.variables["3"]  # the alert and his cards are one digest: what to write for each

    phones.write("Luis", "estado")  # the window opens
    [status] = phones.got("Luis", "📊 Estado de la crisis")
    assert status.body is not None and status.content_sid is None
    before = len(phones.twilio.to("+56911110005"))
    phones.advance("23h59m")  # reminders, escalations, overdue notices: all inside the window
    inside = phones.twilio.to("+56911110005")[before:]
    assert any("Recordatorio" in s.text for s in inside)
    assert inside and all(s.content_sid not in approved for s in inside)

    phones.advance("2m")  # now Luis's last message is more than 24 hours old
    assert phones.client.portal is not None
    asked = phones.client.portal.call(phones.rt.service.handle, Say("jaime", "FIN DE LA CRISIS", "terminal"))
    [question] = [m for m in asked.messages if m.to == "jaime" and m.kind == "proposal"]  # work undone: asked first
    say_press(phones, "jaime", question.buttons[0].action)
    closing = phones.got("Luis", "✅ FIN DE LA CRISIS")[-1]
    assert closing.content_sid == NOTICE  # outside the window again: a template
    phones.write("Luis", "mis tareas")
    assert phones.twilio.to("+56911110005")[-1].content_sid not in approved  # and open again


def test_error_63016_is_answered_by_resending_as_a_template(phones: Phones) -> None:
    phones.write("Luis", "hola")  # we believe Luis's window is open...
    phones.twilio.fail_next(400, code=63016, to="whatsapp:+56911110005")  # ...Twilio says it is not
    say(phones, "jaime", "ALERTA ROJA")
    [refused] = [form for form in phones.twilio.refused if form["To"] == "whatsapp:+56911110005"]
    assert refused.get("Body", "").startswith("🚨 ALERTA ROJA")  # first try: a session message
    [alert] = phones.got("Luis", "🚨 ALERTA ROJA")
    assert alert.content_sid == NOTICE  # delivered: the same alert as a template
    entries = [e for e in log_of(phones) if e.kind == "whatsapp_template"]
    assert [(e.data["to"], e.channel) for e in entries] == [("luis", "whatsapp")]
    # The window is taken as closed until Luis writes again.
    phones.advance("10m")
    reminder = phones.twilio.to("+56911110005")[-1]
    assert "Recordatorio" in reminder.text and reminder.content_sid in (NOTICE, TEMPLATES["twilio_content_task"])


def test_error_63016_in_a_status_callback_resends_as_a_template(phones: Phones) -> None:
    phones.write("Catalina", "hola")
    say(phones, "jaime", "ALERTA ROJA")
    [alert] = phones.got("Catalina", "🚨 ALERTA ROJA")
    assert alert.body is not None  # sent as a session message; Twilio accepted it (201)...
    alert = phones.twilio.to("+56911110003")[-1]  # (a long digest goes in pieces: the last one names it)
    response = phones.status(alert.sid, "undelivered", error="63016", to="whatsapp:+56911110003")  # ...then not
    assert response.status_code == 200
    again = phones.got("Catalina", "🚨 ALERTA ROJA")
    assert len(again) == 2 and again[1].content_sid == NOTICE
    kinds = [(e.kind, e.data.get("to")) for e in log_of(phones) if e.kind.startswith("whatsapp_")]
    assert ("whatsapp_failed", "catalina") in kinds and ("whatsapp_template", "catalina") in kinds
    phones.status(alert.sid, "undelivered", error="63016", to="whatsapp:+56911110003")  # repeated callback
    assert len(phones.got("Catalina", "🚨 ALERTA ROJA")) == 2


def test_without_templates_outside_the_window_the_bot_still_tries(open_phones: OpenPhones) -> None:
    phones = open_phones(templates=False)
    say(phones, "jaime", "ALERTA ROJA")
    [alert] = phones.got("Luis", "🚨 ALERTA ROJA")
    assert alert.body is not None and alert.content_sid is None
    # Twilio refuses it (63016) and there is no template: another channel, or unanswered.
    card = phones.twilio.to("+56911110005")[-1]  # the alert and his cards: one digest, its last piece names it
    assert "→ tomo 2" in "".join(s.text for s in phones.twilio.to("+56911110005"))
    phones.status(card.sid, "failed", error="63016", to="whatsapp:+56911110005")
    kinds = [e.kind for e in log_of(phones) if e.data.get("to") == "luis" and e.kind.startswith("whatsapp_")]
    assert kinds == ["whatsapp_failed", "whatsapp_unanswered"]  # his cards were in it: counted as unanswered


def test_a_card_resent_after_63016_is_owed_whole(phones: Phones) -> None:
    phones.write("Valeria", "hola")
    say(phones, "jaime", "ALERTA ROJA")
    card = phones.twilio.to("+56911110006")[-1]  # the alert and her cards, a digest in session as far as we knew
    assert card.content_sid is None and "→ tomo 6" in card.text
    phones.status(card.sid, "undelivered", error="63016", to=card.to)
    again = phones.twilio.to("+56911110006")[-1]
    assert again.sid != card.sid and again.content_sid == NOTICE
    assert again.variables["1"].startswith("🚨 ALERTA ROJA")  # the essentials only
    assert again.variables["3"] == "Escribe leído 3 · tomo 4 · tomo 5 · tomo 6."
    phones.write("Valeria", "tomo 4")  # her answer opens the window...
    texts = phones.texts("Valeria")
    whole = texts.index(card.text, texts.index(again.text))  # ...the whole digest she never saw comes first
    taken = next(i for i, text in enumerate(texts)
                 if text.startswith("Listo, la tarea 4 (Banner de emergencia en fullpyme.cl) es tuya."))
    assert whole < taken  # and her answer was not lost
