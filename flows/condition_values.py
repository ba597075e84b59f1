"""How the condition language (flows/conditions.py) compares a case's field values.

Field values arrive as str, int, float, bool or None (a field never set); anything else is
compared through its text. Nothing here raises, whatever the values:

- numbers: two values that both read as numbers compare as numbers, so a field typed in
  chat as "2" equals the literal 2 and "2.50" equals 2.5 (plain decimal notation with a
  dot: "-3", "2.5", ".5"; no exponents, no thousands separators, no decimal comma);
- text: otherwise two strings compare ignoring case, accents (Unicode NFKD, combining
  marks dropped) and surrounding spaces: "Atendido" == "atendido", "Área" == "area";
- None (missing field): equal only to None; every ordering (`<`, `<=`, `>`, `>=`) is false;
- booleans: equal only to booleans (True is not 1), never ordered;
- a number and a text that does not read as a number: never equal, never ordered.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache

Value = str | int | float | bool | Decimal | None

_NUMERIC = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")

ORDERINGS: dict[str, Callable[[object, object], bool]] = {
    "<": lambda a, b: a < b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
}


def normalize(value: object) -> Value:
    """`value` as one of the types compared here: other objects (a datetime...) by their text,
    None if even that fails."""
    if value is None or isinstance(value, str | int | float | Decimal):
        return value
    try:
        return str(value)
    except Exception:  # a broken __str__ must not stop a case: the value counts as unset
        return None


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """`text` without accents, case or surrounding spaces: «  Área » -> «area»."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def as_number(value: Value) -> Decimal | None:
    """The number `value` is or reads as (exactly, as a Decimal), None if it is not one.
    Booleans, NaN and infinities are not numbers."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    text = value.strip()
    return Decimal(text) if _NUMERIC.fullmatch(text) else None


def equals(a: Value, b: Value) -> bool:
    """`a == b` in the language (see the module docstring)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    na, nb = as_number(a), as_number(b)
    if na is not None and nb is not None:
        return na == nb
    if isinstance(a, str) and isinstance(b, str):
        return fold(a) == fold(b)
    return False


def ordered(op: str, a: Value, b: Value) -> bool:
    """`a <op> b` for op in `<`, `<=`, `>`, `>=`: numbers as numbers, texts folded (so
    alphabetical, accents ignored), anything else false."""
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return False
    na, nb = as_number(a), as_number(b)
    if na is not None and nb is not None:
        return ORDERINGS[op](na, nb)
    if isinstance(a, str) and isinstance(b, str):
        return ORDERINGS[op](fold(a), fold(b))
    return False


def truthy(value: Value) -> bool:
    """A bare name's test: false for a missing field, False, zero (also "0" typed in chat) and
    blank text; true for anything else."""
    if value is None or isinstance(value, bool):
        return bool(value)
    number = as_number(value)
    if number is not None:
        return number != 0
    if isinstance(value, str):
        return fold(value) != ""
    return True  # NaN or infinity: a value was set
