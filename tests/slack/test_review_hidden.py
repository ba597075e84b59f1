"""Review R3 (issue 11) on Slack: a crisis with other people, timings and mistakes than the
simulacro, through the real Bolt app and the strict fake."""

from __future__ import annotations

from tests.slack.harness import Workspace


def test_a_late_fin_request_and_a_banner_taken_but_unmarked_on_slack(slack: Workspace) -> None:
    slack.write("Valeria", "alerta roja se cayo todo")  # not a declarer: Catalina confirms
    slack.press("Catalina", "Decretar ALERTA ROJA")
    slack.dm("Catalina", "1")  # a number is never the description
    assert slack.dms("Catalina")[-1].shown.startswith("No tomé «1» como la descripción")
    slack.dm("Catalina", "la plataforma no carga desde las 14:05")
    slack.press("Catalina", "Enviar")
    slack.dm("Luis", "tmo 2")  # a typo
    assert slack.dms("Luis")[-1].shown.startswith("No entendí.")
    slack.press("Luis", "Lo tomo", containing="Paso 2")
    slack.dm("Juan Pablo", "tomo 2")  # too late
    assert slack.dms("Juan Pablo")[-1].shown == "La tarea 2 ya la tomó Luis a las 09:00."
    slack.press("Valeria", "Lo tomo", containing="Paso 4")
    slack.advance("7m")
    slack.write("Valeria", "FIN DE LA CRISIS")
    assert slack.got("Juan Pablo", "Quedan 5 tareas abiertas (2, 3, 4, 5, 6)")
    slack.dm("Luis", "hecho 2")
    slack.dm("Luis", "T-9981")  # asked in chat (a DM cannot open a form)
    slack.advance("25m")
    slack.advance("1h")
    slack.press("Juan Pablo", "Anunciar FIN")  # 85 minutes later: asked again with what is open now
    assert "FIN DE LA CRISIS ·" not in "".join(m.shown for m in slack.channel())
    [question] = slack.got("Juan Pablo", "¿Cerrar igual?")
    assert question.text == "⚠️ Quedan 4 tareas abiertas (3, 4, 5, 6) y falta la firma del paso 7. ¿Cerrar igual?"
    slack.press("Juan Pablo", "Cerrar igual")
    [closing] = [m for m in slack.channel() if m.shown.startswith("✅ FIN DE LA CRISIS")]
    assert "• 8c Quitar el banner de fullpyme.cl" in closing.shown  # Valeria took it: it may be up
    assert "• 8e Habilitar Timify (el paso 6 no se hizo)" in closing.shown
    assert slack.got("Valeria", "Paso 8c · Quitar el banner")
