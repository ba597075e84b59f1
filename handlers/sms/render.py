"""A neutral message as an SMS: only the essentials, in GSM-7, one segment where it fits
(`MAX_SEGMENTS` at most), the buttons as words the bot already reads («TOMO 2», «HECHO 2»,
«NO PUEDO 2», flows/matching.py). A drill's SMS starts «SIMULACRO crisisbot:» in GSM-7 instead
of the engine's «🧪 SIMULACRO · » (an emoji would make the whole SMS UCS-2: 70 characters a
segment instead of 160, handlers/sms/gsm.py). Pure."""

from __future__ import annotations

from collections.abc import Callable

from flows.buttons import options_line
from flows.messages import ActionKind, Button, OutMessage
from flows.texts import t
from handlers.drillmark import unmarked
from handlers.sms.gsm import cut, segments, septets, to_gsm

MAX_SEGMENTS = 3  # a few segments at most; one is what we aim for
_WORDS = {
    ActionKind.CLAIM: "sms.word.claim",
    ActionKind.COMPLETE: "sms.word.done",
    ActionKind.GIVE_UP: "sms.word.cantdo",
    ActionKind.ACK: "sms.word.ack",
    ActionKind.STILL_ON: "sms.word.still",
}


def reply_words(buttons: tuple[Button, ...], number_of: Callable[[str], str | None], lang: str) -> list[str]:
    """«TOMO 2», «HECHO 2»... for the task buttons; `number_of` gives a step's number from
    its id (None: unknown, the button is left out). For a digest of several tasks only each
    task's first word, in reading order («TOMO 2 / LEIDO 3»): one SMS segment."""
    words = []
    for button in buttons:
        key = _WORDS.get(button.action.kind)
        if key is None or button.url:
            continue
        number = number_of(button.action.task_ref()[1])
        if number is not None:
            words.append((button.action.ref, t(lang, key, n=number)))
    if len({ref for ref, _ in words}) > 1:  # a digest (flows/digest.py, newest task first): the first word of each task
        return list({ref: word for ref, word in reversed(words)}.values())
    return [word for _, word in words]


def sms_text(message: OutMessage, lang: str, number_of: Callable[[str], str | None]) -> str:
    """The first line of the message (and the second, when both fit in one segment), then
    what to answer, in at most MAX_SEGMENTS segments of GSM-7; a drill's says so first, and
    no cut ever takes that away."""
    text = unmarked(message.text) if message.drill else message.text
    lines = [to_gsm(line) for line in text.splitlines()]
    lines = [line for line in lines if line] or ["-"]
    words = reply_words(message.buttons, number_of, lang)
    options = to_gsm(options_line(message.buttons, " / "))  # a case question: «1. Call Center  2. Help Desk», answered «3»

    def compose(text: str) -> str:
        body = t(lang, "sms.drill_message" if message.drill else "sms.message", text=text)
        if options:
            return t(lang, "options.sms_reply", text=body, options=options)
        return t(lang, "sms.reply", text=body, words=" / ".join(words)) if words else body

    if len(lines) > 1 and segments(compose(f"{lines[0]} - {lines[1]}")) == 1:
        return compose(f"{lines[0]} - {lines[1]}")
    whole = compose(lines[0])
    if segments(whole) <= MAX_SEGMENTS:
        return whole
    room = max(153 * MAX_SEGMENTS - septets(compose("")) - len("..."), 40)  # long options: they all stay, the text is cut
    return compose(cut(lines[0], room))
