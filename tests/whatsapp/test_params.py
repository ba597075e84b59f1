"""Template variables WhatsApp accepts: the sanitiser, table-driven with nasty inputs."""

from __future__ import annotations

import pytest

from handlers.whatsapp.params import param_problems, template_param, utf16_len


@pytest.mark.parametrize(("raw", "limit", "expected"), [
    ("🚨 ALERTA ROJA · decretada por Jaime.\nTareas:\n• 1", 200, "🚨 ALERTA ROJA · decretada por Jaime. · Tareas: · • 1"),
    ("\n\n\n", 50, "-"),  # only new lines: never empty
    ("", 50, "-"),
    ("    ", 50, "-"),
    ("\t", 50, "-"),
    ("a\tb", 50, "a · b"),
    ("a     b", 50, "a b"),  # 5 spaces: WhatsApp refuses more than 4
    ("a\u00a0\u00a0\u00a0\u00a0\u00a0b", 50, "a b"),  # non-breaking ones too
    ("  hola  ", 50, "hola"),
    ("línea 1\r\nlínea 2\r\n", 50, "línea 1 · línea 2"),
    ("\nprimera", 50, "primera"),  # no separator left at an edge
    ("x\x00y\x07z", 50, "xyz"),  # control characters
    ("a\u2028b", 50, "a · b"),  # Unicode line separator
    ("🚨🚨🚨🚨", 5, "🚨🚨…"),  # 2 UTF-16 units each: 4 + «…»
    ("🇨🇱🇨🇱", 6, "🇨🇱…"),  # a flag is 4 units: never half a flag
    ("x" * 2000, 160, "x" * 159 + "…"),
])
def test_template_param(raw: str, limit: int, expected: str) -> None:
    value = template_param(raw, limit)
    assert value == expected
    assert param_problems(value) == [] and utf16_len(value) <= limit


@pytest.mark.parametrize("raw", [
    "\n" * 50, "🧑‍🚒" * 300, "\t \t \t", "a" + " " * 40 + "b", "x" * 2000, "é\u0301" * 500, "·\n·\n·", "👍🏽" * 90,
])
def test_whatever_comes_in_the_result_passes_whatsapp(raw: str) -> None:
    for limit in (2, 10, 160, 500):
        value = template_param(raw, limit)
        assert param_problems(value) == [] and 1 <= utf16_len(value) <= limit
        assert not value.endswith("\u200d…") and "\ufffd" not in value


@pytest.mark.parametrize(("value", "problems"), [
    ("ok", []), ("", ["empty"]), ("   ", ["empty"]), ("a\nb", ["new line or tab"]), ("a\tb", ["new line or tab"]),
    ("a    b", []), ("a     b", ["more than 4 consecutive spaces"]),
])
def test_what_whatsapp_refuses(value: str, problems: list[str]) -> None:
    assert param_problems(value) == problems


def test_lengths_are_counted_in_utf16_units() -> None:
    assert [utf16_len(s) for s in ("a", "ñ", "🚨", "🇨🇱", "🧑‍🚒")] == [1, 1, 2, 4, 5]
