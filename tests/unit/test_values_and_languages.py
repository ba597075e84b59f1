"""A playbook's values and languages (issue 11, points 8 and 9): what a valid answer
looks like, texts per language, and keywords of every language, checked at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.loading import ConfigError, load_all
from flows.inputs import accept
from flows.localtext import LocalText
from flows.matching import Intent, read
from flows.playbook import Input, Playbook
from flows.texts import t
from tests.support import DIRECTORY, PLAYBOOK

TICKET = Input(key="ticket", label="el ticket", prompt="¿Ticket?", pattern=r"[A-Za-z0-9-]*[0-9][A-Za-z0-9-]*",
               example="4455-AB")
PHRASES = (LocalText("ALERTA ROJA", {"es": "ALERTA ROJA", "en": "RED ALERT"}),
           LocalText("FIN DE LA CRISIS", {"es": "FIN DE LA CRISIS", "en": "END OF CRISIS"}))


@pytest.mark.parametrize(("answer", "recorded"), [
    ("4455-AB", "4455-AB"),  # the whole answer fits
    ("  ticket   4455-ABC ", "4455-ABC"),  # a single part fits: that part
    ("es el 4455-AC, Entel", "4455-AC"),
    ("no sé, Entel no contesta", None),  # nothing fits: asked again
    ("4455 o 4456", None),  # two candidates: asked again rather than guessed
    ("   ", None),
])
def test_an_answer_is_recorded_only_when_it_fits_the_pattern(answer: str, recorded: str | None) -> None:
    assert accept(TICKET, answer) == recorded


def test_without_a_pattern_any_answer_is_recorded_as_written() -> None:
    assert accept(Input(key="d", label="d", prompt="p"), "  se cayó   todo ") == "se cayó todo"


def test_an_invalid_pattern_is_refused_at_load_with_its_line(tmp_path: Path) -> None:
    text = PLAYBOOK.read_text(encoding="utf-8")
    good = "      pattern: '[A-Za-z0-9-]*[0-9][A-Za-z0-9-]*'\n"
    assert good in text
    broken = tmp_path / "pb.yaml"
    broken.write_text(text.replace(good, "      pattern: '[0-9'\n"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_all(broken, DIRECTORY)
    [problem] = [str(p) for p in caught.value.problems]
    line = text[:text.index(good)].count("\n") + 1
    assert problem.startswith(f"{broken}:{line}: paso 2, input.pattern: patrón no válido «[0-9»")


def test_a_text_per_language_is_said_in_the_readers_language_and_survives_freezing() -> None:
    playbook, _ = load_all(PLAYBOOK, DIRECTORY)
    step = playbook.step("entel")
    assert (str(step.title), step.title.in_lang("en")) == ("Contacto con Entel", "Contact Entel")
    assert t("en", "claimed_you", number="2", title=step.title) == "OK, task 2 (Contact Entel) is yours."
    assert t("es", "claimed_you", number="2", title=step.title) == "Listo, la tarea 2 (Contacto con Entel) es tuya."
    frozen = Playbook.from_frozen(playbook.model_dump_json())  # what a running crisis keeps
    assert frozen.step("entel").title.in_lang("en") == "Contact Entel"
    assert frozen.declare_phrase.variants() == ["ALERTA ROJA", "RED ALERT"]


def test_a_plain_string_stays_valid_and_a_malformed_mapping_is_refused(tmp_path: Path) -> None:
    text = PLAYBOOK.read_text(encoding="utf-8")
    plain = tmp_path / "plain.yaml"
    plain.write_text(text.replace("declare_phrase: {es: ALERTA ROJA, en: RED ALERT}", "declare_phrase: CÓDIGO ROJO"),
                     encoding="utf-8")
    playbook, _ = load_all(plain, DIRECTORY)
    assert playbook.declare_phrase == "CÓDIGO ROJO" and playbook.declare_phrase.variants() == ["CÓDIGO ROJO"]
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("declare_phrase: {es: ALERTA ROJA, en: RED ALERT}", "declare_phrase: {es: [1]}"),
                      encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_all(broken, DIRECTORY)
    assert "texto no válido" in str(caught.value.problems[0])


@pytest.mark.parametrize(("text", "intent"), [
    ("RED ALERT", Intent.DECLARE), ("red alert: the server is down", Intent.DECLARE), ("ALERTA ROJA", Intent.DECLARE),
    ("END OF CRISIS", Intent.CLOSE), ("fin de la crisis", Intent.CLOSE), ("is this a red alert?", Intent.DECLARE_MENTION),
    ("?", Intent.HELP), ("¿?", Intent.HELP), ("help", Intent.HELP), ("my tasks", Intent.MY_TASKS), ("report", Intent.LOG),
])
def test_keywords_of_every_language_are_read_from_anyone(text: str, intent: Intent) -> None:
    assert read(text, *PHRASES).intent == intent


@pytest.mark.parametrize(("text", "verb", "step"), [
    ("take 2", "claim", "2"), ("done 2", "done", "2"), ("can't 5", "cantdo", "5"), ("read 3", "ack", "3"),
    ("still 4", "still", "4"), ("leído", "ack", ""), ("hecho", "done", ""), ("tomo", "claim", ""), ("done", "done", ""),
])
def test_task_commands_in_english_and_without_a_number(text: str, verb: str, step: str) -> None:
    reading = read(text, *PHRASES)
    assert (reading.intent, reading.verb, reading.step) == (Intent.TASK, verb, step)


@pytest.mark.parametrize(("text", "step", "value"), [
    ("corregir 2", "2", ""), ("corregir 2: ticket 4455-AC", "2", "ticket 4455-AC"), ("Corregir paso 2: 4455-AC", "2", "4455-AC"),
    ("correct 2: 4455-ac", "2", "4455-ac"), ("corregir 8B", "8b", ""),
])
def test_corregir_keeps_the_value_as_written(text: str, step: str, value: str) -> None:
    reading = read(text, *PHRASES)
    assert (reading.intent, reading.step, reading.rest) == (Intent.CORRECT, step, value)
