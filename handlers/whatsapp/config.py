"""What the WhatsApp transport reads from the settings, and the phone-number helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.settings import Settings
from flows.directory import Directory, Person
from flows.texts import CATALOGS, DEFAULT_LANG

TWILIO_API = "https://api.twilio.com"
PREFIX = "whatsapp:"
INBOUND_PATH = "/twilio/whatsapp"
STATUS_PATH = "/twilio/status"


def twilio_configured(settings: Settings) -> bool:
    return bool(settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_whatsapp_from)


@dataclass(frozen=True)
class Templates:
    """Content template ids (HX...). Any of them may be missing."""

    notice: str | None = None  # approved twilio/text: "{{1}}" outside the window
    task: str | None = None  # approved twilio/quick-reply: claim / done / can't do, payloads as variables
    buttons: tuple[str | None, str | None, str | None] = (None, None, None)  # session quick replies, 1-3 buttons

    @classmethod
    def from_settings(cls, settings: Settings) -> Templates:
        return cls(
            notice=settings.twilio_content_notice or None,
            task=settings.twilio_content_task or None,
            buttons=(settings.twilio_content_buttons_1 or None, settings.twilio_content_buttons_2 or None,
                     settings.twilio_content_buttons_3 or None),
        )

    def for_buttons(self, count: int) -> str | None:
        return self.buttons[count - 1] if 1 <= count <= len(self.buttons) else None


def digits(number: str) -> str:
    """'whatsapp:+56 9 1111 0001' -> '56911110001'."""
    return re.sub(r"\D", "", number.removeprefix(PREFIX))


def address(number: str) -> str:
    """A directory number as Twilio's WhatsApp address: 'whatsapp:+56911110001'."""
    return f"{PREFIX}+{digits(number)}"


def person_by_number(directory: Directory, sender: str) -> Person | None:
    wanted = digits(sender)
    if not wanted:
        return None
    return next((p for p in directory.people if p.whatsapp and digits(p.whatsapp) == wanted), None)


def api_base(url: str) -> str:
    """TWILIO_API_URL without a trailing slash or API version ('.../2010-04-01')."""
    base = url.rstrip("/")
    return base.removesuffix("/2010-04-01")


def template_lang(lang: str) -> str:
    """The language the Content templates are made in: 'en_US.UTF-8' -> 'en'; anything
    without a catalogue -> 'es'."""
    code = lang.split(".")[0].split("_")[0].lower()
    return code if code in CATALOGS else DEFAULT_LANG
