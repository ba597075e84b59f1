"""Review of issue 11 («Clear under stress») as a new user in the terminal: what broke when
played by hand with other people and mistakes. Typed as in `crisisbot run`, screen read back."""

from __future__ import annotations

from pathlib import Path

from tests.chat.test_buttons import Screen


async def test_typing_the_label_of_a_question_button_answers_it(tmp_path: Path) -> None:
    """«[1] Cerrar igual [3] Seguir»: a person who types «seguir» (the word on the button) was
    told «No entendí»; and with Luis's close request and their own pending, «confirmar» asked
    «¿Cuál?» offering «confirmar» twice, a loop with no way out."""
    screen = await Screen.open(tmp_path)
    try:
        await screen.type("Jaime: ALERTA ROJA: se cayó la fibra en Providencia", "Luis: FIN DE LA CRISIS")
        asked = await screen.type("Juan Pablo: FIN DE LA CRISIS")
        assert "¿Cerrar igual?\n    [1] Cerrar igual  [3] Seguir" in asked
        kept = await screen.type("Juan Pablo: seguir")
        assert "No entendí" not in kept
        assert await screen.task_state("banner") == "open"  # still open: nothing closed
        await screen.type("Juan Pablo: FIN DE LA CRISIS")
        which = await screen.type("Juan Pablo: confirmar")
        assert "¿Cuál?" in which
        assert "«cerrar igual» (⚠️ Quedan" in which and "«anunciar fin» (⚠️ Luis pide cerrar" in which
        closed = await screen.type("Juan Pablo: cerrar igual")
        assert "✅ FIN DE LA CRISIS · anunciado por Juan Pablo" in closed
    finally:
        await screen.close()


async def test_typing_the_label_of_a_confirmation_about_someone_elses_task(tmp_path: Path) -> None:
    screen = await Screen.open(tmp_path)
    try:
        await screen.type("Jaime: ALERTA ROJA: se cayó la fibra en Providencia", "Claudia Riveros: tomo 6")
        asked = await screen.type("Marcelo: hecho 6")
        assert "La tarea 6 la tiene Claudia Riveros. ¿La marcas hecha tú?\n    [1] Sí, la hice yo  [3] No" in asked
        done = await screen.type("Marcelo: Sí, la hice yo")
        assert "No entendí" not in done
        assert await screen.task_state("timify") == "done"
    finally:
        await screen.close()


def test_the_csv_names_the_group_not_its_internal_address() -> None:
    """The managers' CSV read «Mensaje entregado a @group por terminal» · «para: @group»."""
    import csv
    import io

    from bot.reports.bitacora_csv import to_csv
    from flows.messages import GROUP, LogEntry
    from tests.support import START
    from tests.unit.test_report_csv import DIR, PB

    entry = LogEntry(at=START, kind="delivered", person=None, channel="terminal", crisis_id="c1",
                     data={"to": GROUP, "via": "terminal"})
    row = list(csv.reader(io.StringIO(to_csv([entry], DIR, PB, "es").removeprefix("\ufeff")), delimiter=";"))[1]
    assert row[5] == "Mensaje entregado a todo el grupo por terminal" and row[6] == "para: todo el grupo · por: terminal"
    assert "@group" not in ";".join(row)
