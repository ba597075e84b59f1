"""Every text the bot sends exists in both languages (issue 11, point 9): module by
module, the same keys with the same placeholders, so a Spanish text added without its
English twin (or the other way round) fails here rather than in front of a reader."""

from __future__ import annotations

import importlib
import pkgutil
from string import Formatter

import pytest

import flows.texts.en
import flows.texts.es

LANGS = {"es": flows.texts.es, "en": flows.texts.en}


def _modules(lang: str) -> set[str]:
    return {m.name for m in pkgutil.iter_modules(LANGS[lang].__path__)}


def _texts(lang: str, module: str) -> dict[str, str]:
    return importlib.import_module(f"flows.texts.{lang}.{module}").TEXTS  # type: ignore[no-any-return]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def test_both_languages_have_the_same_modules() -> None:
    assert _modules("es") == _modules("en")


@pytest.mark.parametrize("module", sorted(_modules("es")))
def test_each_module_has_the_same_keys_and_placeholders_in_both_languages(module: str) -> None:
    spanish, english = _texts("es", module), _texts("en", module)
    assert sorted(set(spanish) - set(english)) == [], f"missing in en/{module}.py"
    assert sorted(set(english) - set(spanish)) == [], f"missing in es/{module}.py"
    differ = [key for key in spanish if _fields(spanish[key]) != _fields(english[key])]
    assert differ == [], f"placeholders differ in {module}.py"


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_every_module_is_in_the_catalogue(lang: str) -> None:
    """A module left out of the language's __init__ would never be read."""
    catalogue = LANGS[lang].TEXTS
    for module in _modules(lang):
        missing = [key for key in _texts(lang, module) if key not in catalogue]
        assert missing == [], f"{lang}/{module}.py is not merged into the catalogue"


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_no_key_is_defined_by_two_modules(lang: str) -> None:
    """The catalogue merges the modules: a key in two of them would silently replace the
    other's text (a playbook's «config.pattern» once hid the id rule's message)."""
    owners: dict[str, list[str]] = {}
    for module in sorted(_modules(lang)):
        for key in _texts(lang, module):
            owners.setdefault(key, []).append(module)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}
