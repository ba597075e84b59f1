"""Neutral messages as WhatsApp sends: quick replies through Content templates, numbered
text where no template fits, approved templates outside the 24-hour window. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

from flows.messages import ActionKind, Button, OutMessage
from flows.texts import t
from handlers.whatsapp.config import Templates
from handlers.textsplit import split_lines

MAX_BODY = 1600  # Twilio's limit for one message body
MAX_QUICK_REPLY_BODY = 1024  # the Content API's limit for a quick reply's body
MAX_TEMPLATE_VARIABLE = 900  # an approved template's body (1,024) minus its fixed text
MAX_BUTTON_TITLE = 20  # WhatsApp's limit for a quick-reply button
TASK_SHAPE = (ActionKind.CLAIM, ActionKind.COMPLETE, ActionKind.GIVE_UP)

_PHRASES = {
    ActionKind.CLAIM: "whatsapp.option.claim",
    ActionKind.GIVE_UP: "whatsapp.option.cantdo",
    ActionKind.STILL_ON: "whatsapp.option.still",
    ActionKind.ACK: "whatsapp.option.ack",
}


@dataclass(frozen=True)
class Outgoing:
    """One Messages API call: a body, or a Content template with its variables."""

    body: str | None = None
    content_sid: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    approved: bool = False  # an approved template: allowed outside the 24-hour window


def choosable(buttons: tuple[Button, ...]) -> tuple[Button, ...]:
    """The buttons a reply can press; link buttons are shown as links in the text."""
    return tuple(b for b in buttons if not b.url)


def with_links(text: str, buttons: tuple[Button, ...], lang: str) -> str:
    links = [t(lang, "whatsapp.link", label=b.label, url=b.url) for b in buttons if b.url]
    return "\n".join([text, *links]) if links else text


def option(number: int, button: Button, lang: str) -> str:
    key = _PHRASES.get(button.action.kind)
    if button.action.kind == ActionKind.COMPLETE and button.label == t(lang, "btn_done"):
        key = "whatsapp.option.done"  # "Hecho", not "Firmar verificación" or "Dar por cumplido"
    if key is None:
        return t(lang, "whatsapp.option", n=number, label=button.label)
    return t(lang, key, n=number)


def numbered(text: str, buttons: tuple[Button, ...], lang: str) -> str:
    """The text with "Responde 1 para tomarla, 2 si ya está hecha, 3 si no puedes"."""
    if not buttons:
        return text
    options = ", ".join(option(n, b, lang) for n, b in enumerate(buttons, start=1))
    return f"{text}\n\n{t(lang, 'whatsapp.reply_with', options=options)}"


def card_update(text: str, lang: str) -> str:
    """A card the person already got, again: its title and its new state only (WhatsApp
    cannot edit a sent message, so this is its form of updating in place)."""
    lines = text.splitlines()
    if len(lines) <= 2:
        return text
    return t(lang, "whatsapp.card_update", title=lines[0], state=lines[-1])


def split(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at line ends where possible."""
    return split_lines(text, limit)


def quick_reply_variables(text: str, buttons: tuple[Button, ...]) -> dict[str, str]:
    """{{1}} the body; then each button's title and payload: {{2}} {{3}}, {{4}} {{5}}..."""
    variables = {"1": text}
    for i, button in enumerate(buttons):
        variables[str(2 + 2 * i)] = button.label
        variables[str(3 + 2 * i)] = button.action.encode()
    return variables


def _fits_task_template(buttons: tuple[Button, ...], text: str, labels: tuple[str, ...]) -> bool:
    return (tuple(b.action.kind for b in buttons) == TASK_SHAPE
            and tuple(b.label for b in buttons) == labels and len(text) <= MAX_TEMPLATE_VARIABLE)


def _task_template(sid: str, buttons: tuple[Button, ...], text: str) -> Outgoing:
    variables = {"1": text, **{str(2 + i): b.action.encode() for i, b in enumerate(buttons)}}
    return Outgoing(content_sid=sid, variables=variables, approved=True)


@dataclass(frozen=True)
class Renderer:
    templates: Templates
    task_labels: tuple[str, ...]  # the fixed button titles of the approved task template

    def text_of(self, message: OutMessage, lang: str, seen: bool) -> str:
        text = card_update(message.text, lang) if message.kind == "card" and seen else message.text
        return with_links(text, message.buttons, lang)

    def session(self, message: OutMessage, lang: str, seen: bool = False) -> list[Outgoing]:
        """Inside the 24-hour window: anything goes."""
        text = self.text_of(message, lang, seen)
        buttons = choosable(message.buttons)
        if buttons:
            sid = self.templates.for_buttons(len(buttons))
            if sid and len(text) <= MAX_QUICK_REPLY_BODY and all(len(b.label) <= MAX_BUTTON_TITLE for b in buttons):
                return [Outgoing(content_sid=sid, variables=quick_reply_variables(text, buttons))]
            if self.templates.task and _fits_task_template(buttons, text, self.task_labels):
                return [_task_template(self.templates.task, buttons, text)]
        return [Outgoing(body=piece) for piece in split(numbered(text, buttons, lang), MAX_BODY)]

    def approved(self, message: OutMessage, lang: str, seen: bool = False) -> list[Outgoing] | None:
        """Outside the window only approved templates arrive; None when none is configured."""
        text = self.text_of(message, lang, seen)
        buttons = choosable(message.buttons)
        if buttons and self.templates.task and _fits_task_template(buttons, text, self.task_labels):
            return [_task_template(self.templates.task, buttons, text)]
        if self.templates.notice is None:
            return None
        full = numbered(text, buttons, lang)
        return [Outgoing(content_sid=self.templates.notice, variables={"1": piece}, approved=True)
                for piece in split(full, MAX_TEMPLATE_VARIABLE)]
