"""Spanish, the default: every text a person reads, one module per part of the bot."""

from flows.texts.es.core import TEXTS as CORE

TEXTS: dict[str, str] = {**CORE}
