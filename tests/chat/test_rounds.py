"""The all-staff round (step 3) and who gets the credit, read like the chat (F1 review of
issue 11, points 4 and 7): a coordinator's «hecho 3» asks before closing it for everyone;
the escalation's «Dar por cumplido» button closes at once; whoever closes it counts as
having read it; nobody is told they are missing themselves; the report reads as credit;
the CSV shows no internal ids; a signature for someone else says «firmó»."""

from __future__ import annotations

import csv
import io
import re

from bot.report import csv_report, markdown_report
from tests.support import Chat
from tests.unit.test_report import report_of

ROUND = "3 (Atención al cliente, todas las áreas)"
QUESTION = "por todos?"


async def declared_and_read_by_luis_and_valeria(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: se cayó el servidor")
    await chat.say("Luis", "leído 3")
    await chat.say("Valeria", "leído 3")


async def test_hecho_3_from_a_coordinator_asks_before_closing_the_round_for_everyone(chat: Chat) -> None:
    await declared_and_read_by_luis_and_valeria(chat)
    await chat.say("Jaime", "hecho 3")
    [question] = chat.received("Jaime", QUESTION)
    assert question.text == (f"Anotado: tú lo leíste. ¿Dar por cumplido el paso {ROUND} por todos? Faltan 6: "
                             "Juan Pablo, Cecilia, Catalina, Claudia Riveros, Claudia Martínez, Marcelo.")
    assert [b.label for b in question.buttons] == ["Dar por cumplido", "No"]
    assert not chat.received("Jaime", "dado por cumplido para todos")
    await chat.say("Marcelo", "estado")
    assert "todas las áreas — 3/9 confirmaron ·" in chat.inbox("Marcelo")[-1].text  # still open, Jaime's «Leído» counted
    assert not chat.received("Marcelo", "Dado por cumplido")

    await chat.press("Jaime", "No", containing=QUESTION)
    assert chat.inbox("Jaime")[-1].text == "De acuerdo: el paso 3 sigue abierto para los que faltan."
    await chat.say("Marcelo", "leído 3")  # the round goes on for the others
    assert chat.inbox("Marcelo")[-1].text == "Gracias, quedó registrado que leíste el paso 3."

    await chat.say("Jaime", "hecho 3")  # asked again: now 5 missing, and not «Anotado» twice
    question = chat.received("Jaime", QUESTION)[-1]
    assert question.text.startswith(f"¿Dar por cumplido el paso {ROUND} por todos? Faltan 5: Juan Pablo, Cecilia,")
    await chat.press("Jaime", "Dar por cumplido", containing=QUESTION)
    assert chat.received("Jaime", "✔️ Paso 3 dado por cumplido para todos.")
    await chat.say("Juan Pablo", "estado")
    assert ("Dado por cumplido por Jaime · 4/9 confirmaron · faltan: Juan Pablo, Cecilia, Catalina, Claudia Riveros, "
            "Claudia Martínez") in chat.inbox("Juan Pablo")[-1].text


async def test_the_escalation_button_closes_at_once_and_nobody_is_told_they_are_missing_themselves(chat: Chat) -> None:
    await declared_and_read_by_luis_and_valeria(chat)
    await chat.advance("30m")  # step 3's escalation, to the coordinators Juan Pablo and Jaime
    [to_jaime] = chat.received("Jaime", "🔺 Escalamiento: paso 3")
    [to_juan_pablo] = chat.received("Juan Pablo", "🔺 Escalamiento: paso 3")
    assert to_jaime.text.endswith("Faltan: Juan Pablo, Cecilia, Catalina, Claudia Riveros, Claudia Martínez, Marcelo.")
    assert to_juan_pablo.text.endswith("Faltan: Cecilia, Catalina, Jaime, Claudia Riveros, Claudia Martínez, Marcelo.")

    await chat.press("Jaime", "Dar por cumplido", containing="🔺 Escalamiento: paso 3")  # says what it does: no question
    assert not chat.received("Jaime", QUESTION)
    assert chat.received("Jaime", "✔️ Paso 3 dado por cumplido para todos.")
    await chat.say("Marcelo", "estado")
    credit = "Dado por cumplido por Jaime · 3/9 confirmaron · faltan: Juan Pablo, Cecilia, Catalina, Claudia Riveros, " \
             "Claudia Martínez, Marcelo"
    assert credit in chat.inbox("Marcelo")[-1].text


async def test_the_report_reads_as_credit_and_a_signature_for_someone_else_says_firmo(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: se cayó el servidor")
    await chat.say("Cecilia", "hecho 2")
    await chat.say("Cecilia", "4455-AB")
    for name, number in (("Valeria", "4"), ("Luis", "5"), ("Marcelo", "6")):
        await chat.say(name, f"hecho {number}")
    await chat.say("Jaime", "hecho 3")
    await chat.press("Jaime", "Dar por cumplido", containing=QUESTION)
    await chat.say("Claudia Riveros", "tomo 7")
    await chat.say("Claudia Martínez", "hecho 7")
    await chat.press("Claudia Martínez", "Sí, firmo yo")
    assert chat.received("Claudia Riveros", "Claudia Martínez firmó la tarea 7 (Chequeo de las tareas), que tenías tú.")
    assert not chat.received("Claudia Riveros", "marcó hecha la tarea 7")
    await chat.say("Jaime", "bitácora")
    log = chat.received("Jaime", "📒 Bitácora")[-1].text
    assert "Claudia Martínez · test · Confirmó firmar la tarea 7 (Chequeo de las tareas), que tenía Claudia Riveros" in log

    report = markdown_report(await report_of(chat), chat.rt.directory, "es")
    assert "| Paso | Tarea | Responsables | Quién la hizo |" in report and "La tomó" not in report
    assert "| Claudia Riveros (la tomó) → Claudia Martínez (firmó) |" in report
    assert "| Dado por cumplido por Jaime · 1/9 confirmó · faltan: Juan Pablo, Cecilia," in report
    assert "| Valeria |" in report  # took it and did it: one name


async def test_the_csv_names_people_and_shows_no_internal_ids(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: se cayó el servidor")
    await chat.say("Cecilia", "hecho 2")
    await chat.say("Cecilia", "4455-AB")
    await chat.advance("30m")  # reminders and the round's escalation: names in the details
    text = csv_report(await report_of(chat), chat.rt.directory, "es").removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    details = [row[-1] for row in rows[1:]]
    delivered = next(d for row, d in zip(rows[1:], details, strict=True) if row[3] == "Mensaje entregado")
    assert delivered == "para: todo el grupo · por: test"
    assert not [d for d in details if re.search(r"\b[0-9a-f]{12,}\b", d) or "outbox" in d or "by:" in d]
    assert any(d.startswith("avisados: Juan Pablo, Jaime · tiempo: 30 min · faltan: Juan Pablo, Cecilia,")
               for d in details)
