"""What asks a person to act now is a new message (Slack notifies posts, never edits); the
older copy loses its buttons. Only a card's own state is redrawn in place."""

from __future__ import annotations

from tests.slack.fake_slack import Message
from tests.slack.harness import Workspace

SUPERSEDED = "⬇️ Hay un mensaje más reciente sobre esto más abajo."


def _posted(slack: Workspace, name: str, fragment: str) -> list[str]:
    """The text of every chat.postMessage to `name`'s DM that holds `fragment`."""
    dm, user = slack.fake.im_of(slack.user(name)), slack.user(name)
    return [str(c.args["text"]) for c in slack.fake.called("chat.postMessage")
            if c.args["channel"] in (dm, user) and fragment in str(c.args.get("text"))]


def _stale(message: Message) -> None:
    assert message.buttons() == {} and SUPERSEDED in message.shown


def test_the_second_reminder_is_a_new_message_and_the_first_loses_its_buttons(slack: Workspace) -> None:
    slack.write("Jaime", "ALERTA ROJA")
    slack.advance("10m")
    [first] = slack.got("Valeria", "⏰ Recordatorio: la tarea 4")
    assert list(first.buttons()) == ["Lo tomo", "Hecho", "No puedo"]
    slack.advance("10m")
    first_again, second = slack.got("Valeria", "⏰ Recordatorio: la tarea 4")
    assert first_again.ts == first.ts and second.ts != first.ts  # posted, so Slack notifies it
    assert "desde hace 20 min" in second.shown and list(second.buttons()) == ["Lo tomo", "Hecho", "No puedo"]
    _stale(first_again)
    assert second.updates == 0 and len(_posted(slack, "Valeria", "Recordatorio: la tarea 4")) == 2
    # the card itself is not moved: it keeps its place and its buttons
    [card] = slack.got("Valeria", "📋 Paso 4 · Banner")
    assert list(card.buttons()) == ["Lo tomo", "Hecho", "No puedo"]
    slack.press("Valeria", "Lo tomo", containing="la tarea 4 (Banner de emergencia en fullpyme.cl) sigue sin responsable desde hace 20")
    [card] = slack.got("Valeria", "📋 Paso 4 · Banner")
    assert "🟡 Es tuya desde las 09:20." in card.shown and card.updates == 1  # its own state: redrawn in place
    assert list(card.buttons()) == ["Hecho", "No puedo"]


def test_an_escalation_to_a_coordinator_who_got_a_reminder_is_a_new_message(slack: Workspace) -> None:
    slack.write("Jaime", "ALERTA ROJA")
    slack.advance("10m")
    slack.advance("10m")  # one at a time: two reminders due at once would send only the newest
    reminders = slack.got("Jaime", "⏰ Recordatorio: la tarea 5 (Email masivo)")
    assert len(reminders) == 2
    slack.advance("10m")
    [escalation] = slack.got("Jaime", "🔺 Escalamiento: la tarea 5 (Email masivo)")
    assert escalation.ts not in {r.ts for r in reminders} and escalation.updates == 0
    assert list(escalation.buttons()) == ["Lo tomo", "Hecho", "No puedo"]
    for reminder in slack.got("Jaime", "⏰ Recordatorio: la tarea 5 (Email masivo)"):
        _stale(reminder)
    # the owner's check-in, then its escalation, are new messages too
    slack.press("Valeria", "Lo tomo", containing="Paso 4 · Banner")
    slack.advance("45m")
    [checkin] = slack.got("Valeria", "⌛ La tarea 4 (Banner de emergencia en fullpyme.cl) pasó su plazo")
    assert "Sigo en esto" in checkin.buttons()
    _stale(slack.got("Valeria", "⏰ Recordatorio: la tarea 4")[-1])
    before = slack.got("Jaime", "la tarea 4 (Banner")
    slack.advance("10m")
    [late] = slack.got("Jaime", "🔺 Valeria no responde sobre la tarea 4")
    assert late.ts not in {m.ts for m in before}
    assert all(m.buttons() == {} for m in before if "Paso 4" not in m.shown)


def test_mis_tareas_posts_the_open_tasks_anew_and_the_old_cards_lose_their_buttons(slack: Workspace) -> None:
    slack.write("Jaime", "ALERTA ROJA")
    [old] = slack.got("Valeria", "📋 Paso 4 · Banner")
    slack.dm("Valeria", "hola")  # more chatter since: the cards are far up the DM
    slack.command("Valeria", "mis-tareas", channel="DVALERIA")
    dms = slack.dms("Valeria")
    heading = next(i for i, m in enumerate(dms) if m.shown == "Tus tareas abiertas:")
    fresh = [m for m in dms[heading + 1:] if m.shown.startswith("*📋 Paso")]
    assert {m.shown.split("\n")[0] for m in fresh} == {"*📋 Paso 3 · Atención al cliente, todas las áreas*",
                                                      "*📋 Paso 4 · Banner de emergencia en fullpyme.cl*",
                                                      "*📋 Paso 5 · Email masivo*", "*📋 Paso 6 · Desactivar Timify*"}
    assert all(m.buttons() and m.updates == 0 for m in fresh)
    old = next(m for m in dms if m.ts == old.ts)
    _stale(old)
    # the new copy is the card now: a press redraws it in place, not the old one
    slack.press("Valeria", "Lo tomo", containing="Paso 4 · Banner")
    new = next(m for m in slack.dms("Valeria") if m.ts in {f.ts for f in fresh} and "Paso 4" in m.shown)
    assert "🟡 Es tuya desde las 09:00." in new.shown and list(new.buttons()) == ["Hecho", "No puedo"]
    assert len(slack.got("Valeria", "📋 Paso 4 · Banner")) == 2


def test_a_reminder_about_a_task_somebody_took_loses_its_buttons(slack: Workspace) -> None:
    slack.write("Jaime", "ALERTA ROJA")
    slack.advance("10m")
    [reminder] = slack.got("Valeria", "⏰ Recordatorio: la tarea 5 (Email masivo)")
    assert reminder.buttons()
    slack.press("Luis", "Lo tomo", containing="Paso 5 · Email masivo")
    [reminder] = slack.got("Valeria", "⏰ Recordatorio: la tarea 5 (Email masivo)")
    assert reminder.buttons() == {} and "✔️ Ya no hace falta responder a esto" in reminder.shown
    [card] = slack.got("Valeria", "📋 Paso 5 · Email masivo")
    assert "🟡 La tomó Luis a las 09:10." in card.shown and card.buttons() == {}
    [other] = slack.got("Valeria", "⏰ Recordatorio: la tarea 4")  # nothing changed there
    assert other.buttons()
