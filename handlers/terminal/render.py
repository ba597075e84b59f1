"""Turning a neutral message into terminal lines: whom it is for, the text, numbered buttons."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flows.buttons import TASK_KINDS, is_options, numbered, options_line
from flows.digest import HINTED_KINDS
from flows.directory import Directory
from flows.messages import GROUP, ActionKind, Button, OutMessage
from flows.texts import t
from handlers.drillmark import split_mark


def render(message: OutMessage, directory: Directory, at: datetime, tz: ZoneInfo, lang: str, update: bool = False) -> str:
    """`update`: the person already saw this card; show only its title and new state
    (the terminal's form of updating a message in place), a drill's prefix still first."""
    if message.to == GROUP:
        to = t(lang, "term_group")
    else:
        person = directory.get(message.to)
        to = person.name if person else message.to
    stamp = at.astimezone(tz).strftime("%H:%M")
    if message.kind == "summary":
        return f"[{stamp}] 🤖 → {to} · {message.text}"
    text_lines = message.text.splitlines()
    if update and len(text_lines) > 2:
        prefix, title = split_mark(text_lines[0]) if message.drill else ("", text_lines[0])
        text_lines = [f"{prefix}↻ {title} · {text_lines[-1]}"]
    body = "\n".join(f"    {line}" for line in text_lines)
    lines = [f"[{stamp}] 🤖 → {to}", body]
    if message.buttons:
        # each action keeps its number on every card (flows/buttons.py); links are shown, not numbered
        shown = [f"[{n}] {b.label}" for n, b in numbered(message.buttons)
                 if not _typed_in_digest(message, b) and b.action.kind != ActionKind.CHOOSE]
        if is_options(message.buttons):  # a case question: «1. Call Center  2. Help Desk», «3» picks the third
            shown.insert(0, options_line(message.buttons))
        shown += [f"🔗 {b.label} ({b.url})" for b in message.buttons if b.url]
        if shown:
            lines.append("    " + "  ".join(shown))
    return "\n".join(lines)


def _typed_in_digest(message: OutMessage, button: Button) -> bool:
    """A task's button in a digest of several tasks: each task's own line already says what
    to type («→ tomo 5 · hecho 5», flows/digest.py), so a numbered «[1] Lo tomo · 5 [1] Lo
    tomo · 4» line would only repeat numbers that mean several cards."""
    tasks = {b.action.ref for b in message.buttons if not b.url and b.action.kind in TASK_KINDS}
    return len(tasks) > 1 and button.action.kind in HINTED_KINDS
