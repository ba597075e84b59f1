"""A playbook text given in several languages (issue 11, point 9).

In YAML a text is either a plain string or a mapping by language:

    title: {es: Contacto con Entel, en: Contact Entel}

`LocalText` is a `str` (its value is the first language given, so every existing use
of a title or a label keeps working) that also knows its translations. `flows.texts.t`
turns any `LocalText` argument into the reader's language, so a step title shown in a
message is in that person's language without the caller doing anything. It is frozen
into a crisis as the same mapping (plain string when there is one language only).
"""

from __future__ import annotations

from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

_LANG_CODE_MAX = 8


class LocalText(str):
    """A string with translations: `str(x)` is the first language given."""

    translations: dict[str, str]

    def __new__(cls, value: str, translations: dict[str, str] | None = None) -> LocalText:
        obj = super().__new__(cls, value)
        obj.translations = dict(translations or {})
        return obj

    def in_lang(self, lang: str) -> str:
        """The text in `lang`, or the first language given when it has none."""
        return self.translations.get(lang, str(self))

    def variants(self) -> list[str]:
        """Every language's text, the first one first, without repeats."""
        return list(dict.fromkeys([str(self), *self.translations.values()]))

    def __reduce__(self) -> tuple[Any, ...]:
        return (LocalText, (str(self), self.translations))

    @classmethod
    def parse(cls, value: object) -> LocalText:
        """A plain string or a non-empty {language: text} mapping of strings; anything else
        is a `config.local_text` error (located by file and line by `crisisbot check`)."""
        if isinstance(value, LocalText):
            return value
        if isinstance(value, str):
            return cls(value)
        if isinstance(value, dict) and value and all(
            isinstance(k, str) and 0 < len(k) <= _LANG_CODE_MAX and isinstance(v, str) and v.strip()
            for k, v in value.items()
        ):
            first = next(iter(value.values()))
            return cls(first, value)
        raise PydanticCustomError("config.local_text", "texto no válido: un texto o {{es: ..., en: ...}}")

    @staticmethod
    def dump(value: LocalText | str) -> str | dict[str, str]:
        if isinstance(value, LocalText) and len(value.translations) > 1:
            return dict(value.translations)
        return str(value)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(cls.dump),
        )


def localize(value: object, lang: str) -> object:
    """`value` in `lang` when it is a LocalText; any other value as it is."""
    return value.in_lang(lang) if isinstance(value, LocalText) else value
