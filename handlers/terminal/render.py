"""Turning a neutral message into terminal lines: whom it is for, the text, numbered buttons."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flows.buttons import numbered
from flows.directory import Directory
from flows.messages import GROUP, OutMessage
from flows.texts import t


def render(message: OutMessage, directory: Directory, at: datetime, tz: ZoneInfo, lang: str, update: bool = False) -> str:
    """`update`: the person already saw this card; show only its title and new state
    (the terminal's form of updating a message in place)."""
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
        text_lines = [f"↻ {text_lines[0]} · {text_lines[-1]}"]
    body = "\n".join(f"    {line}" for line in text_lines)
    lines = [f"[{stamp}] 🤖 → {to}", body]
    if message.buttons:
        # each action keeps its number on every card (flows/buttons.py); links are shown, not numbered
        shown = [f"[{n}] {b.label}" for n, b in numbered(message.buttons)]
        shown += [f"🔗 {b.label} ({b.url})" for b in message.buttons if b.url]
        lines.append("    " + "  ".join(shown))
    return "\n".join(lines)
