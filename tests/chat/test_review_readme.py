"""Found by following the README as a new developer (issue 12 review): a case question past
its deadline must not ask «¿Sigues en esto?», whose «1» would pick the question's first option."""

from __future__ import annotations

from tests.support import Chat


async def test_overdue_question_asks_to_pick_an_option_not_if_still_on_it(desk: Chat) -> None:
    await desk.say("Ximena", "RECLAMO REITERADO 4452211 vulnerabilidad=2")  # due in 24 h (Anexo 2)
    await desk.say("Ximena", "R-1 1")  # Call Center → step 2, kept by Ximena
    await desk.say("Ximena", "hecho R-1 2")
    await desk.say("Ximena", "44252211")  # → step 3, a question Ximena holds
    await desk.advance("24h")
    nudge = desk.inbox("Ximena")[-1]
    assert nudge.text.startswith("⌛ La pregunta 3 (¿En qué estado está la solicitud de daño?) pasó su plazo: elige una opción.")
    assert "«sigo R-1 3»" in nudge.text and "¿Sigues en esto?" not in nudge.text
    assert [b.label for b in nudge.buttons][:2] == ["En reparación/registrada", "Atendido sin solución"]
    await desk.say("Ximena", "sigo R-1 3")  # what the message says to write works
    assert desk.inbox("Ximena")[-1].text.startswith("Perfecto, te vuelvo a preguntar")
