"""Slack payloads -> what the engine reads: the text of a message, the line a /crisis
subcommand stands for, and the keys that make a retried or replayed payload count once."""

from __future__ import annotations

import html
import re
from typing import Any

from flows.matching import Intent, normalize, read

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_LEADING_MENTIONS = re.compile(r"^\s*(?:<@[A-Z0-9]+(?:\|[^>]*)?>[\s,:]*)+")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")

HANDLED_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})
"""Message events that are somebody writing (not edits, joins, bot posts...)."""


def message_text(raw: str) -> str:
    """Slack's wire format -> what the person typed: the leading mentions (of the bot) gone,
    other mentions as @id, links as their text, &amp; &lt; &gt; unescaped."""
    text = _LEADING_MENTIONS.sub("", raw or "")
    text = _MENTION.sub(lambda m: "@" + m.group(0)[2:-1].split("|")[0], text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return html.unescape("\n".join(lines).strip())


def is_somebody_writing(event: dict[str, Any]) -> bool:
    return event.get("subtype") in HANDLED_SUBTYPES and not event.get("bot_id") and bool(event.get("user"))


def reads_as_command(text: str, declare_phrase: str, close_phrase: str) -> bool:
    """Whether a line in a channel is meant for the bot (a keyword), not chatter."""
    return read(text, declare_phrase, close_phrase).intent != Intent.OTHER


# /crisis <subcommand> -> the line the engine reads
_SUBCOMMANDS = {
    "estado": "estado", "status": "estado",
    "declarar": "declare", "alerta": "declare", "declare": "declare",
    "cerrar": "close", "fin": "close", "close": "close",
    "mis tareas": "mis tareas", "mis-tareas": "mis tareas", "tareas": "mis tareas", "my tasks": "mis tareas",
    "informe": "bitácora", "bitacora": "bitácora", "bitácora": "bitácora", "log": "bitácora", "report": "bitácora",
    "ayuda": "ayuda", "help": "ayuda",
}


def command_line(text: str, declare_phrase: str, close_phrase: str) -> str | None:
    """`/crisis declarar se cayó el servidor` -> "ALERTA ROJA: se cayó el servidor";
    None for an empty or unknown subcommand (the caller shows the usage)."""
    words = (text or "").strip()
    for length in (2, 1):
        head = " ".join(words.split()[:length])
        target = _SUBCOMMANDS.get(head.lower()) or _SUBCOMMANDS.get(normalize(head))
        if target is None or not head:
            continue
        rest = words[len(head):].strip()
        if target == "declare":
            return f"{declare_phrase}: {rest}" if rest else declare_phrase
        if target == "close":
            return close_phrase
        return target
    return None


# keys for service.handle(..., event_key=...) ----------------------------------


def event_key(body: dict[str, Any]) -> str | None:
    """Events API: Slack's event_id (the same on every retry)."""
    event_id = body.get("event_id")
    return f"slack:event:{event_id}" if event_id else None


def action_key(body: dict[str, Any], action: dict[str, Any]) -> str:
    """A button press: who, on which message or view, at which instant (action_ts)."""
    container = body.get("container") or {}
    where = container.get("message_ts") or container.get("view_id") or (body.get("view") or {}).get("id") or "-"
    user = (body.get("user") or {}).get("id", "-")
    return f"slack:action:{user}:{where}:{action.get('action_ts') or body.get('trigger_id') or '-'}"


def view_key(body: dict[str, Any]) -> str:
    """A modal submitted (a view is submitted once)."""
    view = body.get("view") or {}
    return f"slack:view:{view.get('id', '-')}:{(body.get('user') or {}).get('id', '-')}"


def command_key(body: dict[str, Any]) -> str:
    """A slash command: its trigger_id is unique to the invocation."""
    return f"slack:command:{body.get('trigger_id') or body.get('user_id', '-')}"
