"""Block Kit for the engine's neutral messages: sections of mrkdwn text and one actions
block whose buttons carry the encoded engine action; the actions block's id names the
message's ref, so a press knows which card it came from."""

from __future__ import annotations

import re
from functools import lru_cache
from datetime import datetime
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo

from flows import render
from flows.crisis import Crisis, CrisisState
from flows.directory import Directory
from flows.messages import Button, OutMessage
from flows.playbook import Playbook
from flows.texts import CATALOGS, DEFAULT_LANG, t
from handlers.textsplit import split_lines

Blocks = list[dict[str, Any]]

SECTION_LIMIT = 3000  # characters of a section's text
TEXT_LIMIT = 39000  # characters of a message's text
MAX_BLOCKS = 50
BUTTON_PREFIX = "crisis.btn."  # action_id of an engine button: crisis.btn.<n>, value = Action.encode()
LINK_PREFIX = "crisis.link."  # a button that opens a URL (Slack still sends the press; it is only acked)
ANSWER_ACTION = "crisis.answer"  # opens the modal for the question the bot is waiting on
REF_BLOCK = "ref:"  # actions block id of a message shown under a ref
KIND_BLOCK = "kind:"


def escape(text: str) -> str:
    """Slack's mrkdwn escapes: only &, < and > (https://api.slack.com/reference/surfaces/formatting)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split at line ends so that each piece fits a section (never an empty section)."""
    return [piece if piece.strip() else " " for piece in split_lines(text, limit)]


def sections(text: str, bold_first_line: bool = False) -> Blocks:
    body = escape(text)
    if bold_first_line:
        first, sep, rest = body.partition("\n")
        body = f"*{first.strip()}*{sep}{rest}" if first.strip() else body
    return [{"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in chunks(body)]


def button_element(index: int, button: Button) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": button.label[:75], "emoji": True},
        "action_id": f"{LINK_PREFIX if button.url else BUTTON_PREFIX}{index}",
        "value": button.action.encode()[:2000],
    }
    if button.url:
        element["url"] = button.url[:3000]
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


def actions_block(buttons: tuple[Button, ...] | list[Button], ref: str | None, kind: str) -> dict[str, Any]:
    block_id = f"{REF_BLOCK}{ref}" if ref else f"{KIND_BLOCK}{kind}"
    return {"type": "actions", "block_id": block_id[:255],
            "elements": [button_element(i, b) for i, b in enumerate(buttons[:25])]}


def answer_block(label: str) -> dict[str, Any]:
    return {"type": "actions", "block_id": f"{KIND_BLOCK}question", "elements": [{
        "type": "button", "text": {"type": "plain_text", "text": label[:75], "emoji": True},
        "action_id": ANSWER_ACTION, "value": "-", "style": "primary"}]}


def message_payload(message: OutMessage, extra: Blocks | None = None) -> dict[str, Any]:
    """chat.postMessage / chat.update arguments (text and blocks) for a neutral message."""
    blocks = sections(message.text, bold_first_line=message.kind in ("card", "nudge", "proposal", "status"))
    blocks = blocks[: MAX_BLOCKS - 2]
    if message.buttons:
        blocks.append(actions_block(message.buttons, message.ref, message.kind))
    blocks.extend(extra or [])
    return {"text": escape(message.text)[:TEXT_LIMIT], "blocks": blocks}


def live_payload(
    crisis: Crisis, playbook: Playbook, directory: Directory, now: datetime, lang: str, tz: ZoneInfo
) -> dict[str, Any]:
    """The crisis channel's one message, rendered from the crisis as it is now: state,
    description, each task with its owner, done/open/overdue counts."""
    key = {CrisisState.ACTIVE: "slack.live_active", CrisisState.CLOSING: "slack.live_closing"}.get(
        crisis.state, "slack.live_closed")
    header = t(lang, key, name=playbook.name)
    status = render.status_text(crisis, playbook, directory, now, lang, tz)
    blocks: Blocks = [{"type": "header", "text": {"type": "plain_text", "text": header[:150], "emoji": True}}]
    blocks += sections(status)[: MAX_BLOCKS - 2]
    footer = t(lang, "slack.live_footer", at=render.clock_time(now, tz))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(footer)}]})
    summary = render.summary_text(crisis, now, lang)
    return {"text": escape(f"{header}\n{summary}"), "blocks": blocks}


def pressed_blocks(blocks: Blocks, note: str) -> Blocks:
    """A message's blocks once one of its buttons was pressed: the buttons go, a note stays."""
    kept = [b for b in blocks if b.get("type") != "actions"]
    return [*kept, {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(note)}]}]


@lru_cache(maxsize=16)
def _template_regex(lang: str, key: str) -> re.Pattern[str]:
    """A catalogue template as a pattern: its placeholders match any text."""
    template = CATALOGS.get(lang, CATALOGS[DEFAULT_LANG]).get(key) or CATALOGS[DEFAULT_LANG][key]
    parts = []
    for literal, name, _, _ in Formatter().parse(template):
        parts.append(re.escape(literal))
        if name:
            parts.append(".+?")
    return re.compile("^" + "".join(parts) + "$", re.DOTALL)


def question_kind(text: str, lang: str) -> str | None:
    """Whether a plain message is the bot asking the person for something a modal can take:
    "description" (the declarer's) or "input" (a task's value, such as the Entel ticket)."""
    if text == t(lang, "ask_description"):
        return "description"
    if _template_regex(lang, "ask_input").match(text):
        return "input"
    return None
