"""A whole crisis from phones, with other people and timings than the simulacro, counted as
a phone counts it (issue 11, point 5): nobody gets more than 3 messages in any 10 minutes
except what asks them to act or answers what they just wrote, and every task stays
answerable from the phone (typing «hecho 8b», replying to a digest)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tests.whatsapp.fake_twilio import Sent
from tests.whatsapp.harness import Phones

EVERYBODY = ("Juan Pablo", "Cecilia", "Catalina", "Jaime", "Luis", "Valeria", "Claudia Riveros", "Claudia Martínez",
             "Marcelo")
ASKING = ("→ ", "Responde", "¿", "👉 ")  # what to write, numbered options, a question, a template's todo
WINDOW = timedelta(minutes=10)


def asks_to_act(sent: Sent) -> bool:
    """Quick-reply buttons, or a text saying what to answer (the phone's own reading of
    bench/message_count.py `asks_to_act`)."""
    return bool(sent.buttons) or any(mark in sent.text for mark in ASKING)


@dataclass
class Counted:
    """Every message a phone got, with the (manual) time it came and whether it answered
    what that person had just written."""

    phones: Phones
    got: dict[str, list[tuple[datetime, Sent, bool]]] = field(default_factory=lambda: defaultdict(list))
    seen: int = 0

    def collect(self, writer: str | None = None) -> None:
        sent = self.phones.twilio.sent
        for message in sent[self.seen:]:
            name = next(n for n in EVERYBODY if message.to == f"whatsapp:{self.phones.number(n)}")
            self.got[name].append((self.phones.clock.now(), message, name == writer))
        self.seen = len(sent)

    def write(self, name: str, body: str) -> None:
        self.collect()
        self.phones.write(name, body)
        self.collect(name)

    def reply(self, name: str, quoted: Sent, body: str) -> None:
        self.collect()
        self.phones.reply(name, quoted, body)
        self.collect(name)

    def advance(self, duration: str) -> None:
        self.collect()
        self.phones.advance(duration)
        self.collect()

    def last(self, name: str) -> str:
        self.collect()
        return self.got[name][-1][1].text

    def news_in_worst_window(self, name: str) -> int:
        """The most messages in any 10 minutes that neither ask to act nor answer the person."""
        times = sorted(at for at, sent, answer in self.got[name] if not answer and not asks_to_act(sent))
        return max((sum(1 for other in times if at <= other < at + WINDOW) for at in times), default=0)


def test_a_crisis_on_phones_sends_little_news_and_every_task_is_answerable(phones: Phones) -> None:
    chat = Counted(phones)
    chat.write("Catalina", "ALERTA ROJA: no hay internet en la oficina central")
    # Juan Pablo answers the digest itself with «1»: it holds several tasks, so the bot asks which
    [digest] = [s for s in phones.got("Juan Pablo", "🚨 ALERTA ROJA")]
    chat.write("Juan Pablo", "leído 3")  # his answer opens the window: the whole digest arrives
    whole = [s for s in phones.twilio.to(phones.number("Juan Pablo")) if "→ tomo 2" in s.text][-1]
    chat.reply("Juan Pablo", whole, "1")
    assert chat.last("Juan Pablo").startswith("¿Cuál? «1» está en varias tarjetas. Escribe «tomo 2»")
    chat.write("Juan Pablo", "tomo 2")
    assert digest.content_sid  # the first came as a template: outside the 24-hour window
    chat.write("Valeria", "tomo 4")
    chat.write("Luis", "tomo 5")
    chat.advance("10m")  # reminders: at most one message per person, with every task it is about
    chat.write("Marcelo", "tomo 6")
    chat.write("Marcelo", "hecho")
    chat.write("Juan Pablo", "hecho 2")
    assert chat.last("Juan Pablo").startswith("✍️ Tarea 2 (Contacto con Entel): ¿Qué número de ticket dio Entel?")
    chat.write("Juan Pablo", "ticket 7788-X")
    assert chat.last("Juan Pablo") == ("✔️ Registrado: tarea 2 (Contacto con Entel) hecha · "
                                       "el número de ticket de Entel: 7788-X")
    chat.advance("4m")
    chat.write("Valeria", "hecho 4")
    chat.write("Luis", "2")  # «Hecho» on the one card that offers it
    assert chat.last("Luis") == "✔️ Registrado: tarea 5 (Email masivo) hecha."
    for name in EVERYBODY:
        if name != "Juan Pablo":
            chat.write(name, "leído 3")
            assert chat.last(name) == "Gracias, quedó registrado que leíste el paso 3.", name
    chat.advance("3m")
    chat.write("Claudia Martínez", "hecho 7")
    assert chat.last("Claudia Martínez") == "✔️ Verificación firmada."
    chat.advance("20m")
    chat.write("Catalina", "FIN DE LA CRISIS")
    assert phones.got("Luis", "✅ FIN DE LA CRISIS · anunciado por Catalina")
    chat.advance("1h")  # nobody took the closing tasks: reminders and escalations, the latest state once
    chat.write("Luis", "hecho 8b")  # typed, from whatever he was looking at
    assert chat.last("Luis") == "✔️ Registrado: tarea 8b (Informar a los clientes) hecha."
    closing = [s for s in phones.twilio.to(phones.number("Valeria")) if "→ tomo 8c" in s.text][-1]
    chat.reply("Valeria", closing, "hecho 8c")  # a reply to the closing digest, with the task's command
    assert chat.last("Valeria") == "✔️ Registrado: tarea 8c (Quitar el banner de fullpyme.cl) hecha."
    for number in ("8d", "8e"):
        chat.write("Jaime", f"hecho {number}")
    chat.advance("2m")
    chat.write("Cecilia", "hecho 8f")
    assert phones.got("Marcelo", "🏁 Crisis ")

    worst = {name: chat.news_in_worst_window(name) for name in EVERYBODY}
    assert max(worst.values()) <= 3, worst
