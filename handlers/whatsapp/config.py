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
MAX_LIST_ITEMS = 10  # twilio/list-picker: 1-10 items (twilio.com/docs/content/twiliolist-picker)


def twilio_configured(settings: Settings) -> bool:
    return bool(settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_whatsapp_from)


@dataclass(frozen=True)
class Approved:
    """The approved templates (allowed outside the 24-hour window) made in one language."""

    lang: str
    notice: str | None = None  # twilio/text: any message, as short one-line variables
    task: str | None = None  # twilio/quick-reply: Lo tomo / Hecho / No puedo, payloads as variables
    drill_notice: str | None = None  # the same two for a drill's messages: their body starts «🧪 SIMULACRO · »
    drill_task: str | None = None

    @property
    def any(self) -> bool:
        return bool(self.notice or self.task or self.drill_notice or self.drill_task)


@dataclass(frozen=True)
class Templates:
    """Content template ids (HX...). Any of them may be missing. `notice` and `task` are in
    `lang` (the group's, CRISISBOT_LANG); `other` holds other languages' approved ones."""

    notice: str | None = None
    task: str | None = None
    buttons: tuple[str | None, str | None, str | None] = (None, None, None)  # session quick replies, 1-3 buttons
    lists: tuple[str | None, ...] = ()  # session list pickers with 1, 2... 10 items (TWILIO_CONTENT_LIST_<n>)
    lang: str = DEFAULT_LANG
    other: tuple[Approved, ...] = ()
    drill_notice: str | None = None  # the group language's drill templates (TWILIO_CONTENT_DRILL_NOTICE / _TASK)
    drill_task: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Templates:
        """TWILIO_CONTENT_NOTICE_<LANG> / _TASK_<LANG> per language (and the DRILL_ ones); the
        unsuffixed ones are the group language's, unless its suffixed one is set."""
        group = template_lang(settings.lang)

        def setting(name: str, lang: str) -> str | None:
            value = getattr(settings, f"twilio_content_{name}_{lang}", None)
            if lang == group:
                value = value or getattr(settings, f"twilio_content_{name}", None)
            return value or None

        def approved(lang: str) -> Approved:
            return Approved(lang, setting("notice", lang), setting("task", lang), setting("drill_notice", lang),
                            setting("drill_task", lang))

        own = approved(group)
        return cls(
            notice=own.notice, task=own.task, drill_notice=own.drill_notice, drill_task=own.drill_task,
            buttons=(settings.twilio_content_buttons_1 or None, settings.twilio_content_buttons_2 or None,
                     settings.twilio_content_buttons_3 or None),
            lists=tuple(getattr(settings, f"twilio_content_list_{n}", None) or None for n in range(1, MAX_LIST_ITEMS + 1)),
            lang=group,
            other=tuple(a for lang in CATALOGS if lang != group and (a := approved(lang)).any),
        )

    def for_buttons(self, count: int) -> str | None:
        return self.buttons[count - 1] if 1 <= count <= len(self.buttons) else None

    def for_list(self, count: int) -> str | None:
        """The list picker with `count` items, if configured."""
        return self.lists[count - 1] if 1 <= count <= len(self.lists) else None

    def approved_for(self, lang: str) -> list[Approved]:
        """The approved templates to try for a reader of `lang`, best first: their own
        language's, then the group's (its fixed text in the group's language, the variables
        still in theirs), then any other."""
        group = Approved(self.lang, self.notice, self.task, self.drill_notice, self.drill_task)
        every = [group, *self.other]
        return sorted((a for a in every if a.any),
                      key=lambda a: (a.lang != template_lang(lang), a.lang != self.lang))


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
