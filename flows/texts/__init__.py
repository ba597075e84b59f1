"""User-facing texts, one catalogue per language. Spanish is the default."""

from __future__ import annotations

from typing import Any

from flows.localtext import localize
from flows.texts import en, es

CATALOGS: dict[str, dict[str, str]] = {"es": es.TEXTS, "en": en.TEXTS}
DEFAULT_LANG = "es"


def t(lang: str, key: str, **kw: Any) -> str:
    catalog = CATALOGS.get(lang, CATALOGS[DEFAULT_LANG])
    template = catalog.get(key) or CATALOGS[DEFAULT_LANG][key]
    # a playbook text given in several languages is said in the reader's (flows/localtext.py)
    return template.format(**{k: localize(v, lang) for k, v in kw.items()})
