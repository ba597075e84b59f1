from __future__ import annotations

import pytest

from flows.matching import Intent, normalize, read


def reading(text: str):  # type: ignore[no-untyped-def]
    return read(text, "ALERTA ROJA", "FIN DE LA CRISIS")


@pytest.mark.parametrize("text", ["ALERTA ROJA", "alerta roja", "ALERTA ROJA!!", "🚨 Alerta Roja", "  Alerta   roja. ",
                                  "ÁLERTA RÓJA", "*ALERTA ROJA*"])
def test_the_phrase_declares_whatever_its_case_accents_punctuation_or_emoji(text: str) -> None:
    assert reading(text).intent == Intent.DECLARE


def test_text_after_the_phrase_is_the_description() -> None:
    result = reading("ALERTA ROJA: se cayó el servidor principal")
    assert result.intent == Intent.DECLARE
    assert result.rest == "se cayó el servidor principal"


@pytest.mark.parametrize("text", ["¿esto es una alerta roja?", "creo que hay que decretar alerta roja", "ALERTA ROJA?",
                                  "¿ALERTA ROJA: se cayó todo?"])
def test_a_mere_mention_only_asks_for_confirmation(text: str) -> None:
    assert reading(text).intent == Intent.DECLARE_MENTION


@pytest.mark.parametrize("text", ["alerta", "alerta rojas", "la roja alerta", "hola"])
def test_other_text_is_not_an_alert(text: str) -> None:
    assert reading(text).intent not in (Intent.DECLARE, Intent.DECLARE_MENTION)


def test_closing_phrase() -> None:
    assert reading("fin de la crisis").intent == Intent.CLOSE
    assert reading("✅ FIN DE LA CRISIS!").intent == Intent.CLOSE
    assert reading("¿ya es fin de la crisis?").intent == Intent.CLOSE_MENTION


@pytest.mark.parametrize(("text", "intent"), [("estado", Intent.STATUS), ("Estado?", Intent.STATUS), ("STATUS", Intent.STATUS),
                                              ("bitácora", Intent.LOG), ("ayuda", Intent.HELP), ("mis tareas", Intent.MY_TASKS)])
def test_keywords(text: str, intent: Intent) -> None:
    assert reading(text).intent == intent


@pytest.mark.parametrize(("text", "verb", "step"), [("tomo 2", "claim", "2"), ("Lo tomo 4", "claim", "4"),
                                                    ("hecho 8b", "done", "8b"), ("No puedo 5", "cantdo", "5"),
                                                    ("leído 3", "ack", "3"), ("sigo 4", "still", "4"),
                                                    ("hecho tarea 2", "done", "2")])
def test_task_commands_in_text(text: str, verb: str, step: str) -> None:
    result = reading(text)
    assert (result.intent, result.verb, result.step) == (Intent.TASK, verb, step)


def test_normalize() -> None:
    assert normalize("🚨 ¡Alerta Roja!!") == "alerta roja"
    assert normalize("Claudia Martínez") == "claudia martinez"
