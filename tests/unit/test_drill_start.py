"""Reading what follows «SIMULACRO» (flows/drill_start.py): now, ahead, a surprise, or
cancel; a description that merely holds numbers stays a description. Now is Monday
30 November 2026, 09:00 in Santiago."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from flows.drill_start import Cancel, Now, Schedule, Unreadable, read_request

TZ = ZoneInfo("America/Santiago")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(("text", "when", "surprise", "description"), [
    ("el jueves 3/12 a las 10:00 se cae la web", at(3, 10), False, "se cae la web"),
    ("el 3/12 a las 10:00", at(3, 10), False, ""),
    ("3/12 10:00: caída total", at(3, 10), False, "caída total"),
    ("mañana 9:00", at(1, 9), False, ""),
    ("Mañana a las 9", at(1, 9), False, ""),
    ("jueves 10:00", at(3, 10), False, ""),
    ("lunes 8:00", at(7, 8), False, ""),  # today's 08:00 has passed: next Monday
    ("hoy 10:30 h prueba", at(30, 10, 30, month=11), False, "prueba"),
    ("sorpresa mañana 9:00", at(1, 9), True, ""),
    ("sorpresa el 3 de diciembre a las 16:45 fibra cortada", at(3, 16, 45), True, "fibra cortada"),
    ("para el viernes 4/12 a las 10:00", at(4, 10), False, ""),
    ("on Thursday December 3 at 10:00 db down", at(3, 10), False, "db down"),
    ("surprise tomorrow 9:00", at(1, 9), True, ""),
    ("el 10/1 a las 9:00", at(10, 9, month=1, year=2027), False, ""),  # the nearest 10 January
    ("el 2026-12-03 10:00", at(3, 10), False, ""),
    ("el 3/12/2026 a las 10:00", at(3, 10), False, ""),
])
def test_a_schedule(text: str, when: datetime, surprise: bool, description: str) -> None:
    assert read_request(text, NOW, TZ) == Schedule(when, surprise, description)


@pytest.mark.parametrize("text", [
    "", "se cae el servidor principal", "24/7 caído en 3 sucursales", "3 servidores caídos",
    "el servidor 3/12 no responde", "corte de luz el 3/12",
])
def test_a_description_starts_it_now(text: str) -> None:
    assert read_request(text, NOW, TZ) == Now(text)


@pytest.mark.parametrize(("text", "key"), [
    ("el 31/11 a las 10:00", "drill_start.bad_when"),
    ("el 3/12 a las 25:00", "drill_start.bad_when"),
    ("mañana 24:30", "drill_start.bad_when"),
    ("el 3/12", "drill_start.no_time"),
    ("el jueves", "drill_start.no_time"),
    ("el jueves por la tarde", "drill_start.no_time"),
    ("sorpresa", "drill_start.no_when"),
    ("sorpresa cuando sea", "drill_start.bad_when"),
    ("el 29/11 a las 10:00", "drill_start.past"),
    ("hoy 8:59", "drill_start.past"),
    ("el martes 3/12 a las 10:00", "drill_start.mismatch"),
    # no «el» in front, yet plainly a schedule (review of issue 14): never a drill now
    ("31/02 a las 10:00", "drill_start.bad_when"),
    ("30/2 10:00 caída", "drill_start.bad_when"),
    ("mañana", "drill_start.no_time"),
    ("jueves", "drill_start.no_time"),
    ("tomorrow", "drill_start.no_time"),
    # a day or a date right after the phrase and then words: still a schedule missing its time
    ("mañana se cae la web", "drill_start.no_time"),
    ("mañana: se cae la web", "drill_start.no_time"),
    ("jueves: se cae la web", "drill_start.no_time"),
    ("thursday: web down", "drill_start.no_time"),
    ("31/02 corte de luz", "drill_start.bad_when"),
    ("3/12 corte", "drill_start.no_time"),
    ("12/12/2026: se cae la web", "drill_start.no_time"),
    ("mañana hay auditoría", "drill_start.no_time"),
])

def test_a_schedule_that_cannot_be_taken(text: str, key: str) -> None:
    found = read_request(text, NOW, TZ)
    assert isinstance(found, Unreadable) and found.key == key


def test_a_time_alone_is_today() -> None:
    assert read_request("10:00 se cae la web", NOW, TZ) == Schedule(at(30, 10, month=11), False, "se cae la web")
    found = read_request("a las 8 prueba", NOW, TZ)
    assert isinstance(found, Unreadable) and found.key == "drill_start.past"


@pytest.mark.parametrize("text", ["cancelar", "Cancelar", "cancel", "anular el del jueves"])
def test_cancel(text: str) -> None:
    assert read_request(text, NOW, TZ) == Cancel()


@pytest.mark.parametrize(("phrase", "swallowed"), [
    ("ALERTA", "ALERTA ROJA"), ("{es: SIMULACRO, en: RED ALERT}", "RED ALERT"), ("ESTADO", "ESTADO"),
    ("FIN", "FIN DE LA CRISIS"), ("mis", "MIS TAREAS"), ("HECHO", "HECHO"), ("tomo", "TOMO"), ("Leído", "LEIDO"),
])
def test_crisisbot_check_refuses_a_drill_word_that_would_swallow_a_keyword(tmp_path, phrase: str, swallowed: str) -> None:  # type: ignore[no-untyped-def]
    """The drill word is read first: «ALERTA» would turn every «ALERTA ROJA» into a drill
    (review of issue 14). Refused with the file and the line of the phrase."""
    from bot.loading import ConfigError, load_all
    from tests.support import DIRECTORY, PLAYBOOK

    text = PLAYBOOK.read_text(encoding="utf-8") + f"drill:\n  phrase: {phrase}\n"
    path = tmp_path / "pb.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_all(path, DIRECTORY)
    said = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"{path}:{text.count(chr(10))}: la palabra del simulacro") and f"«{swallowed}»" in p
               for p in said), said


def test_a_drill_word_of_its_own_is_accepted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.loading import load_all
    from tests.support import DIRECTORY, PLAYBOOK

    path = tmp_path / "pb.yaml"
    path.write_text(PLAYBOOK.read_text(encoding="utf-8") + "drill:\n  phrase: {es: ENSAYO DE CRISIS, en: CRISIS DRILL}\n",
                    encoding="utf-8")
    playbook, _ = load_all(path, DIRECTORY)
    assert playbook.drill.phrase.in_lang("en") == "CRISIS DRILL"
