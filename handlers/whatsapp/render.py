"""Neutral messages as WhatsApp sends: quick replies through Content templates, numbered
text where no template fits, approved templates outside the 24-hour window. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from string import Formatter

from flows.buttons import is_options, options_line
from flows.buttons import numbered as stable_numbers
from flows.messages import ActionKind, Button, OutMessage
from flows.texts import CATALOGS, DEFAULT_LANG, t
from handlers.drillmark import split_mark
from handlers.textsplit import split_lines
from handlers.whatsapp.config import Templates, template_lang
from handlers.whatsapp.params import template_param, utf16_len

MAX_BODY = 1600  # Twilio's limit for one message body
MAX_QUICK_REPLY_BODY = 1024  # the Content API's limit for a quick reply's body
MAX_BUTTON_TITLE = 20  # WhatsApp's limit for a quick-reply button
# twilio/list-picker (twilio.com/docs/content/twiliolist-picker): body 1,024, button 20, 1-10 items,
# each item's title 24, id 200, description 72
MAX_LIST_BUTTON, MAX_ITEM_TITLE, MAX_ITEM_ID, MAX_ITEM_DESCRIPTION = 20, 24, 200, 72
# The variables of the approved templates, in UTF-16 code units (handlers/whatsapp/params.py):
# with the fixed text (under 130) the filled body stays under WhatsApp's 1,024.
HEADLINE, DETAIL, TODO = 160, 500, 200
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
    partial: bool = False  # carries only the essentials: the whole message is owed (owed.py)


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


def options_text(buttons: tuple[Button, ...], lang: str) -> str:
    """"1 para tomarla, 2 si ya está hecha, 3 si no puedes": each action with its number,
    the same on every card (flows/buttons.py)."""
    return ", ".join(option(n, b, lang) for n, b in stable_numbers(buttons))


def is_digest(buttons: tuple[Button, ...]) -> bool:
    """Buttons of several tasks in one message (flows/digest.py): a number would be on
    several of them, so each task's text says what to write instead (→ hecho 4)."""
    return len({b.action.ref for b in buttons if not b.url}) > 1


def digest_commands(text: str, lang: str) -> list[str]:
    """The commands a digest's tasks end with («→ tomo 4 · hecho 4» -> ['tomo 4 · hecho 4']),
    as flows/digest.py `merge` writes them."""
    arrow = t(lang, "digest_hint", commands="")
    return [line[len(arrow):].strip() for line in text.splitlines() if line.startswith(arrow) and line[len(arrow):].strip()]


def reply_line(buttons: tuple[Button, ...], lang: str) -> str:
    if is_options(buttons):  # a case question outside the window: «Responde con el número…: 1. Call Center · 2. …»
        return f"{t(lang, 'options.reply')} {options_line(buttons, ' · ')}"
    if is_digest(buttons):
        return t(lang, "buttons.digest_reply")
    return t(lang, "whatsapp.reply_with", options=options_text(buttons, lang))


def numbered(text: str, buttons: tuple[Button, ...], lang: str) -> str:
    """The text with "Responde 1 para tomarla, 2 si ya está hecha, 3 si no puedes"; a case
    question's options one per line, «1. Call Center» (the person answers «3»)."""
    if not buttons:
        return text
    if is_options(buttons):
        return "\n".join([text, "", t(lang, "options.reply"), options_line(buttons, "\n")])
    return f"{text}\n\n{reply_line(buttons, lang)}"


def list_variables(text: str, buttons: tuple[Button, ...], lang: str) -> dict[str, str]:
    """A list picker's variables (templates.py `_list_picker`): {{1}} the body, {{2}} the
    button; per item i (from 0) {{3+3i}} its title («3. Detalle de llamadas…», 24 at most),
    {{4+3i}} its id (the CHOOSE action), {{5+3i}} its description (the label, 72 at most)."""
    variables = {"1": text, "2": t(lang, "options.list_button")[:MAX_LIST_BUTTON]}
    for i, (n, button) in enumerate(numbered_options(buttons)):
        variables[str(3 + 3 * i)] = _cut(f"{n}. {button.label}", MAX_ITEM_TITLE)
        variables[str(4 + 3 * i)] = button.action.encode()
        variables[str(5 + 3 * i)] = _cut(button.label, MAX_ITEM_DESCRIPTION)
    return variables


def numbered_options(buttons: tuple[Button, ...]) -> list[tuple[int, Button]]:
    return [(n, b) for n, b in stable_numbers(buttons) if b.action.kind == ActionKind.CHOOSE]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def card_update(text: str, lang: str) -> str:
    """A card the person already got, again: its title and its new state only (WhatsApp
    cannot edit a sent message, so this is its form of updating in place)."""
    lines = text.splitlines()
    if len(lines) <= 2:
        return text
    return t(lang, "whatsapp.card_update", title=lines[0], state=lines[-1])


def split(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` UTF-16 units (as Twilio counts a body: error 21617 beyond
    1,600), cut between paragraphs where possible (a digest's tasks stay whole with their
    «→ hecho 4»), else at line ends."""
    pieces: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        *whole, current = split_lines(paragraph, limit, utf16_len)
        pieces.extend(whole)
    if current.strip() or not pieces:
        pieces.append(current)
    return pieces


def quick_reply_variables(text: str, buttons: tuple[Button, ...]) -> dict[str, str]:
    """{{1}} the body; then each button's title and payload: {{2}} {{3}}, {{4}} {{5}}..."""
    variables = {"1": text}
    for i, button in enumerate(buttons):
        variables[str(2 + 2 * i)] = button.label
        variables[str(3 + 2 * i)] = button.action.encode()
    return variables


def _fits_task_template(buttons: tuple[Button, ...], labels: tuple[str, ...]) -> bool:
    return tuple(b.action.kind for b in buttons) == TASK_SHAPE and tuple(b.label for b in buttons) == labels


def _line_pattern(lang: str, key: str) -> re.Pattern[str]:
    """The first line of a catalogue template as a pattern: its placeholders match any text."""
    template = (CATALOGS.get(lang) or CATALOGS[DEFAULT_LANG]).get(key) or CATALOGS[DEFAULT_LANG][key]
    parts = [re.escape(literal) + (".+?" if name else "") for literal, name, _, _ in Formatter().parse(template.split("\n")[0])]
    return re.compile("^" + "".join(parts) + "$")


def _step_in_headline(lines: list[str], lang: str) -> list[str]:
    """A case's card starts with the case («📁 Caso R-1 · Daños reiterados», then its fields
    and records, flows/cases/status.py `header`): its step line («📋 Paso 8 · Gestionar…»)
    joins that first line, so the headline, never cut, says what to do (the detail is cut
    at DETAIL)."""
    if len(lines) < 2 or not _line_pattern(lang, "cases.header").match(lines[0].strip()):
        return lines
    step = _line_pattern(lang, "card")
    found = next((i for i, line in enumerate(lines) if i > 0 and step.match(line.strip())), None)
    if found is None:
        return lines
    return [f"{lines[0].strip()} · {lines[found].strip()}", *lines[1:found], *lines[found + 1:]]


@dataclass(frozen=True)
class Essentials:
    """A message as an approved template's short variables: its first line, the rest on
    one line, what to answer; `complete` when nothing was lost on the way."""

    headline: str
    detail: str
    todo: str
    complete: bool

    @classmethod
    def of(cls, text: str, buttons: tuple[Button, ...], lang: str) -> Essentials:
        lines = [line for line in text.splitlines() if line.strip()] or [text]
        lines = _step_in_headline(lines, lang)
        headline = template_param(lines[0], HEADLINE)
        rest = "\n".join(lines[1:])
        detail = template_param(rest or t(lang, "whatsapp.template.no_detail"), DETAIL)
        commands = digest_commands(text, lang) if is_digest(buttons) else []
        if commands:  # the arrows may be cut from the detail: what to write, on the line that is never cut
            first = [command.split(" · ")[0] for command in commands]  # «tomo 4»: the rest follows on the card
            todo = template_param(t(lang, "whatsapp.template.digest_todo", commands=" · ".join(first)), TODO)
        elif buttons:
            todo = template_param(reply_line(buttons, lang), TODO)
        else:
            todo = t(lang, "whatsapp.template.no_todo")
        complete = not rest and headline == lines[0].strip() and utf16_len(headline) < HEADLINE
        return cls(headline, detail, todo, complete)

    def marked(self, prefix: str) -> Essentials:
        """The headline starting with a drill's `prefix` («🧪 SIMULACRO · »), which a cut to
        HEADLINE never takes away (it cuts the end)."""
        if not prefix:
            return self
        headline = template_param(prefix + self.headline, HEADLINE)
        return replace(self, headline=headline, complete=self.complete and headline == prefix + self.headline)


def task_labels(lang: str) -> tuple[str, ...]:
    """The fixed button titles of the approved task template made in `lang` (templates.specs)."""
    return tuple(t(lang, key) for key in ("btn_claim", "btn_done", "btn_give_up"))


@dataclass(frozen=True)
class Renderer:
    templates: Templates
    task_labels: tuple[str, ...] | None = None  # the group's task template's titles (default: the catalogue's)

    def labels(self, lang: str) -> tuple[str, ...]:
        if lang == self.templates.lang and self.task_labels is not None:
            return self.task_labels
        return task_labels(lang)

    def text_of(self, message: OutMessage, lang: str, seen: bool) -> str:
        """What the person reads: the text (a card seen before as «↻ title · state»), its links,
        and a drill's prefix at the very start (`drill_prefix`)."""
        prefix, body = drill_prefix(message, lang)
        text = card_update(body, lang) if message.kind == "card" and seen and not message.fresh else body
        return prefix + with_links(text, message.buttons, lang)

    def session(self, message: OutMessage, lang: str, seen: bool = False) -> list[Outgoing]:
        """Inside the 24-hour window: the whole text, with quick replies where a session
        template fits, else numbered options. A drill's text too long for one message says
        it is a drill at the start of every part."""
        text = self.text_of(message, lang, seen)
        prefix, _ = drill_prefix(message, lang)
        buttons = choosable(message.buttons)
        if buttons:
            sid = self.templates.for_buttons(len(buttons))
            if sid and len(text) <= MAX_QUICK_REPLY_BODY and all(len(b.label) <= MAX_BUTTON_TITLE for b in buttons):
                return [Outgoing(content_sid=sid, variables=quick_reply_variables(text, buttons))]
            listed = self.list_picker(text, buttons, lang)
            if listed is not None:
                return [listed]
        pieces = split(numbered(text, buttons, lang), MAX_BODY - utf16_len(prefix))
        return [Outgoing(body=piece if i == 0 or piece.startswith(prefix) else prefix + piece)
                for i, piece in enumerate(pieces)]

    def list_picker(self, text: str, buttons: tuple[Button, ...], lang: str) -> Outgoing | None:
        """A case question's options as a list picker (only inside the window: Twilio's list
        pickers cannot be approved), when one with that many items is configured and the
        options are all the card offers; None otherwise (numbered text)."""
        options = numbered_options(buttons)
        sid = self.templates.for_list(len(options))
        if (sid is None or len(options) != len(buttons) or utf16_len(text) > MAX_QUICK_REPLY_BODY
                or any(len(b.action.encode()) > MAX_ITEM_ID for _, b in options)):
            return None
        return Outgoing(content_sid=sid, variables=list_variables(text, buttons, lang))

    def approved(self, message: OutMessage, lang: str, seen: bool = False) -> list[Outgoing] | None:
        """Outside the window only approved templates arrive, each variable one short line
        (`Essentials`, in the reader's `lang`); None when no template is configured. The
        templates of the reader's language are tried first, then the group's
        (`Templates.approved_for`): a task's card with its three buttons goes as the task
        template whose fixed titles are the card's own, anything else as the notice
        (options as numbers in {{3}}).

        A drill's message (issue 14 point 2) goes as a drill template (its fixed text starts
        «🧪 SIMULACRO · »; the reader's own prefix stays in {{1}} too when the template is in
        another language); where none is configured, as the normal one with the prefix at
        the start of {{1}}, so that it never reads as a real alert."""
        prefix, body = drill_prefix(message, lang)
        buttons = choosable(message.buttons)
        essentials = Essentials.of(self.text_of(replace(message, text=body, drill=False), lang, seen), buttons, lang)
        order = self.templates.approved_for(lang)
        if prefix:
            for approved in order:
                own = approved.lang == template_lang(lang)
                found = self._filled(approved.lang, approved.drill_task, approved.drill_notice,
                                     essentials if own else essentials.marked(prefix), buttons)
                if found is not None:
                    return found
            essentials = essentials.marked(prefix)
        for approved in order:
            found = self._filled(approved.lang, approved.task, approved.notice, essentials, buttons)
            if found is not None:
                return found
        return None

    def _filled(self, lang: str, task: str | None, notice: str | None, essentials: Essentials,
                buttons: tuple[Button, ...]) -> list[Outgoing] | None:
        """The task template (made in `lang`) when the card's buttons are its own, else the notice."""
        variables = {"1": essentials.headline, "2": essentials.detail}
        partial = not essentials.complete
        if buttons and task and _fits_task_template(buttons, self.labels(lang)):
            variables.update({str(3 + i): b.action.encode() for i, b in enumerate(buttons)})
            return [Outgoing(content_sid=task, variables=variables, approved=True, partial=partial)]
        if notice:
            variables["3"] = essentials.todo
            return [Outgoing(content_sid=notice, variables=variables, approved=True, partial=partial)]
        return None


def drill_prefix(message: OutMessage, lang: str) -> tuple[str, str]:
    """(prefix, the text without it) of a drill's message: the prefix its text starts with,
    else the reader's; ('', text) for a message that is not a drill's."""
    if not message.drill:
        return "", message.text
    found, rest = split_mark(message.text)
    return found or t(lang, "drill.prefix"), rest
