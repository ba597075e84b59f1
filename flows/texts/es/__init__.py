"""Spanish, the default: every text a person reads, one module per part of the bot."""

from flows.texts.es.core import TEXTS as CORE
from flows.texts.es.web import TEXTS as WEB
from flows.texts.es.slack import TEXTS as SLACK
from flows.texts.es.whatsapp import TEXTS as WHATSAPP

TEXTS: dict[str, str] = {**CORE, **WEB, **WHATSAPP, **SLACK}
