"""Review R3 (issue 11): a crisis played with other people, timings and mistakes than the
simulacro, each bug it found turned into a conversation that reads like the chat."""

from __future__ import annotations

from tests.support import Chat


async def test_a_banner_taken_but_not_marked_done_is_still_taken_down_at_the_end(chat: Chat) -> None:
    # Valeria took the banner (step 4) and may well have put it up; nobody pressed «Hecho»
    # before FIN. Removing it (8c) is needed: only a step never taken «never went up».
    await chat.say("Catalina", "ALERTA ROJA: la plataforma no carga")
    await chat.say("Valeria", "tomo 4")
    await chat.say("Catalina", "FIN DE LA CRISIS")
    await chat.press("Catalina", "Cerrar igual")
    [closing] = chat.received("grupo", "✅ FIN DE LA CRISIS")
    assert "8c Quitar el banner de fullpyme.cl" in closing.text
    assert "No hace falta:\n• 8c" not in closing.text
    assert "No hace falta:\n• 8e Habilitar Timify (el paso 6 no se hizo)" in closing.text  # Timify was never touched
    await chat.say("Valeria", "tomo 8c")
    assert chat.received("Valeria", "Listo, la tarea 8c (Quitar el banner de fullpyme.cl) es tuya.")


async def test_a_step_waiting_on_one_step_says_so_in_the_singular(chat: Chat) -> None:
    await chat.say("Catalina", "ALERTA ROJA: la plataforma no carga")
    await chat.say("Luis", "hecho 2")
    await chat.say("Luis", "T-9981")
    await chat.say("Catalina", "hecho 3")
    await chat.press("Catalina", "Dar por cumplido", containing="por todos?")
    await chat.say("Luis", "hecho 5")
    await chat.say("Marcelo", "hecho 6")
    await chat.say("Claudia Riveros", "tomo 7")  # only the banner (4) is left
    assert chat.inbox("Claudia Riveros")[-1].text == "La tarea 7 aún no empieza: espera el paso 4."
    await chat.say("Jaime", "estado")
    assert "⏳ 7 Chequeo de las tareas — espera el paso 4" in chat.inbox("Jaime")[-1].text


async def test_an_old_request_to_close_asks_again_with_what_is_open_now(chat: Chat) -> None:
    # Valeria (not a declarer) asks to close early; 80 minutes later Juan Pablo presses
    # «Anunciar FIN» on that old request: the list it showed is stale, so he is asked with today's.
    await chat.say("Catalina", "ALERTA ROJA: la plataforma no carga")
    await chat.say("Valeria", "tomo 4")
    await chat.advance("7m")
    await chat.say("Valeria", "FIN DE LA CRISIS")
    [request] = chat.received("Juan Pablo", "Valeria pide cerrar la crisis")
    assert "Quedan 5 tareas abiertas (2, 3, 4, 5, 6)" in request.text
    await chat.say("Luis", "hecho 2")
    await chat.say("Luis", "T-9981")
    await chat.advance("1h")
    await chat.press("Juan Pablo", "Anunciar FIN")
    assert not chat.received("grupo", "✅ FIN DE LA CRISIS")
    [question] = chat.received("Juan Pablo", "¿Cerrar igual?")
    assert question.text == "⚠️ Quedan 4 tareas abiertas (3, 4, 5, 6) y falta la firma del paso 7. ¿Cerrar igual?"
    await chat.press("Juan Pablo", "Cerrar igual")
    assert chat.received("grupo", "✅ FIN DE LA CRISIS · anunciado por Juan Pablo")


async def test_a_fresh_request_to_close_is_confirmed_with_one_press(chat: Chat) -> None:
    await chat.say("Catalina", "ALERTA ROJA: la plataforma no carga")
    await chat.say("Valeria", "FIN DE LA CRISIS")
    await chat.advance("5m")
    await chat.press("Juan Pablo", "Anunciar FIN")  # the list it shows is current: no second question
    assert chat.received("grupo", "✅ FIN DE LA CRISIS · anunciado por Juan Pablo")
