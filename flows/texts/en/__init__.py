"""English: the same keys as flows/texts/es, one module per part of the bot."""

from flows.texts.en.core import TEXTS as CORE
from flows.texts.en.web import TEXTS as WEB
from flows.texts.en.slack import TEXTS as SLACK
from flows.texts.en.whatsapp import TEXTS as WHATSAPP

TEXTS: dict[str, str] = {**CORE, **WEB, **WHATSAPP, **SLACK}
