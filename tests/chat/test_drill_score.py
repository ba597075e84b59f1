"""The score of a drill in chat (issue 14 point 4): a drill played with known timings, ended
by FIN DE LA CRISIS or cut short by a real ALERTA ROJA; its declarer and the coordinators
get the share of steps done within their playbook deadline and what to improve."""

from __future__ import annotations

from tests.chat.test_closing import FakeLinks
from tests.support import Chat

PREFIX = "🧪 SIMULACRO · "


def score_message(chat: Chat, name: str) -> str:
    [message] = chat.received(name, "📊 Resultado del simulacro")
    return message.text


async def play_drill(chat: Chat) -> None:
    """Steps timed from 09:00 (all activated then; deadlines 10 min for step 1, else 45):
    1 at 0 min (its description on the line) · 2 at 4 min · 4 at 10 min · 3 closed for all
    at 20 min · 5 at 50 min (5 min late) · 6 never (past its deadline at FIN DE LA CRISIS).
    Step 7 waits on 6: never reached, so not done. 4 of 7 within: 57 %."""
    await chat.say("Catalina", "SIMULACRO: cae el servidor principal")
    await chat.advance("4m")
    await chat.say("Luis", "tomo 2")
    await chat.say("Luis", "hecho 2")
    await chat.say("Luis", "5521-XY")
    await chat.say("Cecilia", "leído 3")
    await chat.advance("6m")
    await chat.say("Valeria", "hecho 4")
    await chat.advance("10m")
    await chat.say("Jaime", "hecho 3")
    await chat.press("Jaime", "Dar por cumplido", containing="por todos?")
    await chat.advance("30m")
    await chat.say("Valeria", "hecho 5")
    await chat.advance("10m")


async def test_a_drill_ended_with_fin_de_la_crisis_posts_its_score_to_declarer_and_coordinators(chat: Chat) -> None:
    chat.rt.service.links = FakeLinks()
    await play_drill(chat)
    await chat.say("Catalina", "FIN DE LA CRISIS")
    await chat.press("Catalina", "Cerrar igual")
    assert not chat.received("Catalina", "📊 Resultado del simulacro")  # only once the closing is over
    for number in ("8b", "8c", "8d"):
        await chat.say("Cecilia", f"hecho {number}")
    await chat.say("Juan Pablo", "hecho 8f")
    text = score_message(chat, "Catalina")
    lines = text.splitlines()
    assert lines[0].startswith(PREFIX + "📊 Resultado del simulacro ")
    assert lines[0].endswith(": 57 % de los pasos dentro de su plazo (4 de 7).")
    assert lines[1:4] == [
        "Para mejorar:",
        "• Paso 5 (Email masivo): 5 min tarde (plazo 45 min).",
        "• Paso 6 (Desactivar Timify): no se hizo dentro de su plazo (45 min).",
    ]
    assert lines[4] == "• Paso 7 (Chequeo de las tareas): no llegó a empezar (esperaba a otros pasos que no se hicieron)."
    assert lines[5].startswith("… y ")
    assert lines[-1] == "📄 Informe del simulacro: https://crisis.example/panel/informe/" + text.split("/informe/")[1]
    assert "para=catalina" in lines[-1]
    for coordinator in ("Jaime", "Juan Pablo"):  # the coordinators too, each with their own link
        assert ": 57 % de los pasos" in score_message(chat, coordinator)
    assert not chat.received("Luis", "📊 Resultado del simulacro")
    await chat.say("Jaime", "informe")  # after the drill: its score again, marked as a drill
    again = chat.inbox("Jaime")[-1].text
    assert again.startswith(PREFIX + "Último simulacro, terminado a las 10:0") and ": 57 % de los pasos" in again


async def test_a_drill_cut_short_by_a_real_crisis_is_scored_at_that_moment(chat: Chat) -> None:
    await chat.say("Catalina", "SIMULACRO")
    await chat.say("Catalina", "se cae la web")  # step 1's description
    await chat.press("Catalina", "Enviar")
    await chat.advance("3m")
    await chat.say("Luis", "hecho 2")
    await chat.say("Luis", "ticket 77-A")
    await chat.advance("47m")  # 2 within; 3-6 past their 45 min, undone; 7 never reached
    await chat.say("Jaime", "ALERTA ROJA: se cayó de verdad el servidor")
    await chat.press("Jaime", "🚨 Crisis real")
    text = score_message(chat, "Jaime")
    # unmarked: from the end of the drill everything is real; its words name the drill
    assert text.splitlines()[0].startswith("📊 Resultado del simulacro ")
    assert text.splitlines()[0].endswith(": 29 % de los pasos dentro de su plazo (2 de 7).")
    assert "Para mejorar" not in text  # short: a real crisis follows; the report has the rest
    assert chat.received("grupo", "🚨 El simulacro terminó: Jaime decretó una crisis real")
