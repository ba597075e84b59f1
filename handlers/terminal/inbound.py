"""Reading terminal lines: 'Nombre: texto', 'Nombre: 2' (a button), '/avanzar 15m'."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from flows.directory import Directory, Person


@dataclass(frozen=True)
class Line:
    person: Person
    text: str  # «2» presses a button: bot/choices.py reads it


@dataclass(frozen=True)
class Advance:
    delta: timedelta | None  # None: the duration could not be read
    raw: str


@dataclass(frozen=True)
class Control:
    name: str  # "salir", "ayuda", or an unknown /command


@dataclass(frozen=True)
class Unknown:
    name: str
    candidates: tuple[Person, ...]  # empty: nobody by that name; several: ambiguous


@dataclass(frozen=True)
class Malformed:
    text: str


Input = Line | Advance | Control | Unknown | Malformed | None

_ADVANCE = re.compile(r"^\s*(\d+)\s*(m|min|h|d)?\s*$", re.IGNORECASE)


def parse_duration(text: str) -> timedelta | None:
    total = timedelta()
    parts = text.replace(",", " ").split()
    if not parts:
        return None
    for part in parts:
        match = _ADVANCE.match(part)
        if not match:
            return None
        amount, unit = int(match.group(1)), (match.group(2) or "m").lower()
        total += {"m": timedelta(minutes=amount), "min": timedelta(minutes=amount),
                  "h": timedelta(hours=amount), "d": timedelta(days=amount)}[unit]
    return total


def parse(line: str, directory: Directory) -> Input:
    """None for blank lines and comments."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    if stripped.startswith("/"):
        command, _, rest = stripped[1:].partition(" ")
        if command.lower() in ("avanzar", "advance"):
            return Advance(parse_duration(rest), rest.strip())
        return Control(command.lower())
    name, sep, text = stripped.partition(":")
    if not sep or not name.strip():
        return Malformed(stripped)
    people = directory.find(name.strip())
    if len(people) != 1:
        return Unknown(name.strip(), tuple(people))
    return Line(people[0], text.strip())
