"""Typed values of a case's fields (issue 12): what people type, checked and stored by kind.

Stored forms (JSON-friendly, as the case row keeps them): text and phone `str`, number
`int` or `float`, datetime an ISO 8601 string in UTC, choice the option's `value`, and
the engine's own `reiterado` (bool) and `previos` (int).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from flows.matching import normalize
from flows.playbook import FieldDef, FieldKind, Option
from flows.texts import t

_PHONE_JUNK = re.compile(r"[\s\-.()]")
_PHONE = re.compile(r"^\+?\d{6,15}$")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_LETTER = re.compile(r"^[A-Za-z][.)]\s")  # «C. Baja de servicios»
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M")
_YEARLESS = re.compile(r"^(\d{1,2})/(\d{1,2})\s+(\d{1,2}):(\d{2})$")


class FieldValueError(ValueError):
    """A value that does not fit its field. `key` is a "cases.bad_*" text key (its
    placeholders: `label`, `value`, and `options` for a choice); `render(lang)` says it."""

    def __init__(self, field: FieldDef, value: str, key: str, options: str = "") -> None:
        super().__init__(f"{field.id}: {value!r} ({key})")
        self.field, self.value, self.key, self.options = field, value, key, options

    def render(self, lang: str) -> str:
        options = self.options
        if self.field.kind == FieldKind.CHOICE:  # the options in the reader's language
            options = ", ".join(f"{i}. {o.label.in_lang(lang)}" for i, o in enumerate(self.field.options, start=1))
        return t(lang, self.key, label=self.field.label, value=self.value, options=options)


def parse_value(field: FieldDef, text: str, tz: ZoneInfo, now: datetime | None = None) -> Any:
    """`text` as `field`'s stored value (module docstring). Accepted forms:
    phone: digits with an optional leading «+», 6 to 15 digits (spaces, dashes, dots and
    parentheses dropped; E.164 allows at most 15); number: «12», «-3», «2,5» or «2.5»;
    datetime: «2026-11-30 14:00», «30/11/2026 14:00», or «30/11 14:00» (the year of `now`,
    local time of `tz`); choice: an option's value, its label (accents and case ignored)
    or its number in the list (1 first); text: anything not blank.
    Raises FieldValueError."""
    raw = text.strip()
    if not raw:
        raise FieldValueError(field, raw, "cases.bad_empty")
    if field.kind == FieldKind.PHONE:
        compact = _PHONE_JUNK.sub("", raw)
        if not _PHONE.match(compact):
            raise FieldValueError(field, raw, "cases.bad_phone")
        return compact
    if field.kind == FieldKind.NUMBER:
        return _number(field, raw)
    if field.kind == FieldKind.DATETIME:
        return _datetime(field, raw, tz, now)
    if field.kind == FieldKind.CHOICE:
        option = pick_option(field.options, raw)
        if option is None:
            listed = ", ".join(f"{i}. {o.label}" for i, o in enumerate(field.options, start=1))
            raise FieldValueError(field, raw, "cases.bad_choice", options=listed)
        return option.value
    return raw


def pick_option(options: list[Option], text: str) -> Option | None:
    """The option `text` names: by value, by label in any language (accents and case
    ignored), by its number in the list (1 first), or by the letter its label starts with
    («C» for «C. Baja de servicios», seed 004); None when none fits."""
    word = normalize(text)
    for option in options:
        if word == normalize(option.value.replace("_", " ")) or word in {normalize(v) for v in option.label.variants()}:
            return option
    if word.isdigit() and 1 <= int(word) <= len(options):
        return options[int(word) - 1]
    lettered = [o for o in options if any(_LETTER.match(v) and normalize(v[0]) == word for v in o.label.variants())]
    return lettered[0] if len(word) == 1 and len(lettered) == 1 else None


def _number(field: FieldDef, raw: str) -> int | float:
    compact = raw.replace(" ", "")
    if not _NUMBER.match(compact):
        raise FieldValueError(field, raw, "cases.bad_number")
    try:
        number = Decimal(compact.replace(",", "."))
    except InvalidOperation:
        raise FieldValueError(field, raw, "cases.bad_number") from None
    return int(number) if number == number.to_integral_value() else float(number)


def _datetime(field: FieldDef, raw: str, tz: ZoneInfo, now: datetime | None) -> str:
    compact = " ".join(raw.split())
    local: datetime | None = None
    for fmt in _DATE_FORMATS:
        try:
            local = datetime.strptime(compact, fmt)
            break
        except ValueError:
            continue
    yearless = _YEARLESS.match(compact)
    if local is None and yearless and now is not None:
        day, month, hour, minute = (int(g) for g in yearless.groups())
        try:
            local = datetime(now.astimezone(tz).year, month, day, hour, minute)
        except ValueError:
            local = None
    if local is None:
        raise FieldValueError(field, raw, "cases.bad_datetime")
    return local.replace(tzinfo=tz).astimezone(UTC).isoformat()


def show_value(field: FieldDef | None, value: Any, lang: str, tz: ZoneInfo) -> str:
    """A stored value as people read it: an option's label, a local «30/11 14:00», «sí»/«no»."""
    if isinstance(value, bool):
        return t(lang, "cases.yes" if value else "cases.no")
    if field is not None and field.kind == FieldKind.CHOICE:
        option = next((o for o in field.options if o.value == value), None)
        return option.label.in_lang(lang) if option is not None else str(value)
    if field is not None and field.kind == FieldKind.DATETIME and isinstance(value, str):
        try:
            return datetime.fromisoformat(value).astimezone(tz).strftime("%d/%m/%Y %H:%M")
        except ValueError:
            return value
    return str(value)
