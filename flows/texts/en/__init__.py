"""English: the same keys as flows/texts/es, one module per part of the bot."""

from flows.texts.en.core import TEXTS as CORE

TEXTS: dict[str, str] = {**CORE}
