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


def tn(lang: str, key: str, n: int, **kw: Any) -> str:
    """The text of a count `n` in the right number: `key + "_one"` when `n` is 1, else
    `key + "_many"` (the catalogues' pairs, like «safety.open_one»/«safety.open_many»),
    formatted with `n` and `kw`. Spanish and English agree: 1 is singular, 0 and 2+ plural
    («0 hechas», «1 hecha», «2 hechas»). Raises KeyError if the pair is missing."""
    return t(lang, f"{key}_one" if n == 1 else f"{key}_many", n=n, **kw)
