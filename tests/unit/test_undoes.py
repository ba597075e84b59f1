"""A closing step's `undoes` names a crisis step; `crisisbot check` says file and line
otherwise (issue 11, point 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import DIRECTORY, PLAYBOOK
from tests.unit.test_loading import line_of, problems, write


def test_the_shipped_playbook_undoes_the_banner_and_timify() -> None:
    from bot.loading import load_all
    playbook, _ = load_all(PLAYBOOK, DIRECTORY)
    assert {s.number: s.undoes for s in playbook.steps if s.undoes} == {"8c": "banner", "8e": "timify"}


@pytest.mark.parametrize(("undone", "reason"), [
    ("banerr", "el paso 'banerr' es desconocido"),
    ("cierre_email", "«undoes» debe nombrar un paso de la crisis; 'cierre_email' es de cierre"),
])
def test_undoes_must_name_a_crisis_step(tmp_path: Path, undone: str, reason: str) -> None:
    text = PLAYBOOK.read_text(encoding="utf-8").replace("    undoes: banner", f"    undoes: {undone}")
    playbook = write(tmp_path, "pb.yaml", text)
    assert problems(playbook, DIRECTORY) == [f"{playbook}:{line_of(text, f'undoes: {undone}')}: {reason}"]


def test_only_a_closing_step_undoes_another(tmp_path: Path) -> None:
    text = PLAYBOOK.read_text(encoding="utf-8").replace("    responsibles: [email_masivo]\n",
                                                        "    responsibles: [email_masivo]\n    undoes: banner\n", 1)
    playbook = write(tmp_path, "pb.yaml", text)
    line = line_of(text, "undoes: banner")
    assert problems(playbook, DIRECTORY) == [
        f"{playbook}:{line}: solo un paso de cierre (phase: closing) puede deshacer otro ('banner')"]
