"""The shipped case scripts (issue 12, point 7) play to their ends in the terminal, as the
README says to run them: every case reaches the outcome its header promises, and no line of
either script is misunderstood."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chat.test_terminal import run_terminal
from tests.support import ROOT

ENDS = {
    "danos_reiterados.txt": ["🏁 Caso R-1 cerrado: derivado a procedimientos técnicos", "🏁 Caso R-2 cerrado: solucionado",
                             "Ya hay un caso abierto para contrato 4452211: R-1", "Reiterado: 1 caso antes"],
    "direccionamiento.txt": ["🏁 Caso D-1 cerrado: Unidad de Cartera", "🏁 Case D-2 closed: ticket given: sales adviser",
                             "🏁 Caso D-3 cerrado: Seguridad Física", "🏁 Caso D-4 cerrado: requisitos pendientes",
                             "🏁 Case D-5 closed: Back Office"],
}


@pytest.mark.parametrize("script", sorted(ENDS))
def test_the_shipped_case_script_plays_every_case_to_its_end(script: str, tmp_path: Path) -> None:
    out = run_terminal(tmp_path, (ROOT / "examples" / script).read_text(encoding="utf-8"))
    for line in ENDS[script]:
        assert line in out, line
    assert "No entendí" not in out and "not understood" not in out.lower() and "Traceback" not in out
