"""The drill prefix on what a channel shows (issue 14 point 2). Pure.

The engine starts the text of every message of a drill with «🧪 SIMULACRO · » in its
reader's language (flows/world.py `Turn.send`); a channel that shows something else (a
card redrawn from the database, an approved template, an SMS in GSM-7) uses these to say
it is a drill too, once, at the start."""

from __future__ import annotations

from functools import lru_cache

from flows.texts import CATALOGS, t

KEY = "drill.prefix"


@lru_cache(maxsize=1)
def prefixes() -> tuple[str, ...]:
    """The drill prefix of every language with a catalogue: ('🧪 SIMULACRO · ', '🧪 DRILL · ')."""
    return tuple(dict.fromkeys(t(lang, KEY) for lang in CATALOGS))


def split_mark(text: str) -> tuple[str, str]:
    """'🧪 SIMULACRO · 📋 Paso 2' -> ('🧪 SIMULACRO · ', '📋 Paso 2'); ('', text) unmarked."""
    for prefix in prefixes():
        if text.startswith(prefix):
            return prefix, text[len(prefix):]
    return "", text


def unmarked(text: str) -> str:
    return split_mark(text)[1]


def marked(text: str, lang: str, drill: bool) -> str:
    """`text` starting with the drill prefix exactly once when `drill` (the reader's `lang`
    unless it already carries one), else as it is."""
    if not drill:
        return text
    found, rest = split_mark(text)
    return (found or t(lang, KEY)) + rest
