"""Block Kit for the engine's neutral messages: sections of mrkdwn text and one actions
block whose buttons carry the encoded engine action; the actions block's id names the
message's ref, so a press knows which card it came from."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo

from flows import render
from flows.crisis import Crisis, CrisisState
from flows.directory import Directory
from flows.messages import ActionKind, Button, OutMessage
from flows.playbook import Playbook
from flows.texts import CATALOGS, DEFAULT_LANG, t
from handlers.drillmark import marked, unmarked
from handlers.textsplit import split_lines

Blocks = list[dict[str, Any]]

# Slack's limits on a message (https://api.slack.com/reference/block-kit/blocks,
# https://api.slack.com/methods/chat.postMessage): a section's text 3,000 characters, 50
# blocks, a header 150, a button's text 75 and value 2,000. The blocks' text in total is
# refused past about 12,000-13,000 characters (`msg_blocks_too_long`, undocumented: Slack
# staff speak of "12,000 text characters with a buffer for block containers", and 11,341
# was seen refused: slackapi/bolt-js#2509, #2867), so a message carries at most
# BLOCKS_TEXT_BUDGET. The `text` fallback is truncated by Slack past 40,000 and refused
# (`msg_too_long`) well below that nowadays (seratch/ChatGPT-in-Slack#102): with blocks it
# is only the notification's text, kept short.
SECTION_LIMIT = 3000  # characters of a section's text
TEXT_LIMIT = 3000  # characters of a message's `text` (the notification; the blocks show it all)
MAX_BLOCKS = 50
BLOCKS_TEXT_BUDGET = 9000  # characters of text in all the blocks of one message
HEADER_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
BUTTON_PREFIX = "crisis.btn."  # action_id of an engine button: crisis.btn.<n>, value = Action.encode()
LINK_PREFIX = "crisis.link."  # a button that opens a URL (Slack still sends the press; it is only acked)
ANSWER_ACTION = "crisis.answer"  # opens the modal for the question the bot is waiting on
# A case question's options (issue 12; docs.slack.dev block-elements#static_select, composition-objects#option):
# up to OPTION_BUTTONS short ones as buttons (Slack allows 25 per actions block; 5 keep a phone readable),
# else one static_select: at most 100 options, each text 75 plain_text characters and value 150.
OPTION_BUTTONS = 5
MAX_OPTIONS = 100
OPTION_TEXT_LIMIT = 75
OPTION_VALUE_LIMIT = 150
SELECT_PREFIX = "crisis.choose:"  # action_id of the select: crisis.choose:<choose:C/S>, each option's value the option value
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
        "text": {"type": "plain_text", "text": button.label[:BUTTON_TEXT_LIMIT], "emoji": True},
        "action_id": f"{LINK_PREFIX if button.url else BUTTON_PREFIX}{index}",
        "value": button.action.encode()[:BUTTON_VALUE_LIMIT],
    }
    if button.url:
        element["url"] = button.url[:3000]
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def as_select(buttons: tuple[Button, ...] | list[Button]) -> bool:
    """Whether a card's options go as a static_select: more than OPTION_BUTTONS, or a label
    a button would cut (over 75 characters)."""
    options = [b for b in buttons if b.action.kind == ActionKind.CHOOSE and not b.url]
    return len(options) > OPTION_BUTTONS or any(len(b.label) > BUTTON_TEXT_LIMIT for b in options)


def select_element(options: list[Button], lang: str) -> dict[str, Any]:
    """One static_select for a question's options, in order; its action_id names the
    question (`SELECT_PREFIX` + the CHOOSE action without its value), each option's value
    is the option value (handlers/slack/payloads.py `chosen` reads them back)."""
    question = options[0].action.ref.partition("=")[0]
    return {"type": "static_select", "action_id": f"{SELECT_PREFIX}{ActionKind.CHOOSE.value}:{question}"[:255],
            "placeholder": {"type": "plain_text", "text": t(lang, "options.placeholder"), "emoji": True},
            "options": [{"text": {"type": "plain_text", "text": cut(f"{n}. {b.label}", OPTION_TEXT_LIMIT), "emoji": True},
                         "value": b.action.choice()[:OPTION_VALUE_LIMIT]}
                        for n, b in enumerate(options[:MAX_OPTIONS], start=1)]}


def actions_block(buttons: tuple[Button, ...] | list[Button], ref: str | None, kind: str,
                  lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """The card's buttons; a case question's many or long options as one static_select
    (`as_select`), the card's other buttons after it."""
    block_id = f"{REF_BLOCK}{ref}" if ref else f"{KIND_BLOCK}{kind}"
    if as_select(buttons):
        options = [b for b in buttons if b.action.kind == ActionKind.CHOOSE and not b.url]
        rest = [b for b in buttons if b not in options]
        elements = [select_element(options, lang), *(button_element(i, b) for i, b in enumerate(rest[:24]))]
    else:
        elements = [button_element(i, b) for i, b in enumerate(buttons[:25])]
    return {"type": "actions", "block_id": block_id[:255], "elements": elements}


def answer_block(label: str) -> dict[str, Any]:
    return {"type": "actions", "block_id": f"{KIND_BLOCK}question", "elements": [{
        "type": "button", "text": {"type": "plain_text", "text": label[:75], "emoji": True},
        "action_id": ANSWER_ACTION, "value": "-", "style": "primary"}]}


def text_length(node: Any) -> int:
    """Characters of text in a block (or a list of them): every `text` string inside it,
    the way Slack's total for `msg_blocks_too_long` is measured as far as it is known."""
    if isinstance(node, dict):
        own = len(node["text"]) if isinstance(node.get("text"), str) else 0
        return own + sum(text_length(v) for v in node.values() if isinstance(v, (dict, list)))
    if isinstance(node, list):
        return sum(text_length(v) for v in node)
    return 0


def pack(body: Blocks, tail: Blocks | None = None) -> list[Blocks]:
    """Blocks spread over as few messages as fit MAX_BLOCKS and BLOCKS_TEXT_BUDGET each,
    in order; `tail` (the buttons) stays together at the end of the last one."""
    parts: list[Blocks] = [[]]
    used = 0
    for block in body:
        size = text_length(block)
        if parts[-1] and (len(parts[-1]) >= MAX_BLOCKS or used + size > BLOCKS_TEXT_BUDGET):
            parts.append([])
            used = 0
        parts[-1].append(block)
        used += size
    tail = tail or []
    if tail and parts[-1] and (len(parts[-1]) + len(tail) > MAX_BLOCKS or used + text_length(tail) > BLOCKS_TEXT_BUDGET):
        parts.append([])
    parts[-1].extend(tail)
    return parts


def _fallback(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _said(blocks: Blocks) -> str:
    return "\n".join(b["text"]["text"] for b in blocks if b.get("type") in ("section", "header"))


def message_payloads(message: OutMessage, extra: Blocks | None = None, lang: str = DEFAULT_LANG) -> list[dict[str, Any]]:
    """chat.postMessage / chat.update arguments (text and blocks) for a neutral message: one
    payload, or several when it does not fit one Slack message (a long report); the
    buttons and `extra` go on the last one. `lang`: the reader's (a select's placeholder)."""
    body = sections(message.text, bold_first_line=message.kind in ("card", "nudge", "proposal", "status"))
    tail = [actions_block(message.buttons, message.ref, message.kind, lang)] if message.buttons else []
    tail.extend(extra or [])
    parts = pack(body, tail)
    if len(parts) == 1:
        return [{"text": _fallback(escape(message.text)), "blocks": parts[0]}]
    return [{"text": _fallback(_said(blocks) or escape(message.text)), "blocks": blocks} for blocks in parts]


def live_payload(
    crisis: Crisis, playbook: Playbook, directory: Directory, now: datetime, lang: str, tz: ZoneInfo
) -> dict[str, Any]:
    """The crisis channel's one message, rendered from the crisis as it is now: state,
    description, each task with its owner, done/open/overdue counts. A drill's header and
    notification start with «🧪 SIMULACRO · » (issue 14 point 2)."""
    key = {CrisisState.ACTIVE: "slack.live_active", CrisisState.CLOSING: "slack.live_closing"}.get(
        crisis.state, "slack.live_closed")
    header = marked(t(lang, key, name=playbook.name), lang, crisis.drill)
    status = render.status_text(crisis, playbook, directory, now, lang, tz)
    blocks: Blocks = [{"type": "header", "text": {"type": "plain_text", "text": header[:HEADER_LIMIT], "emoji": True}}]
    footer = t(lang, "slack.live_footer", at=render.clock_time(now, tz))
    context = {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(footer)}]}
    # One message, updated in place: what does not fit is cut («estado» gives it all).
    room = BLOCKS_TEXT_BUDGET - text_length(blocks) - text_length(context) - 1
    for block in sections(status):
        if len(blocks) >= MAX_BLOCKS - 2 or text_length(block) > room:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "…"}})
            break
        blocks.append(block)
        room -= text_length(block)
    blocks.append(context)
    summary = render.summary_text(crisis, now, lang)
    return {"text": _fallback(escape(f"{header}\n{summary}")), "blocks": blocks}


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
    "description" (the declarer's) or "input" (a task's value, such as the Entel ticket);
    a drill's too (its text starts with the drill prefix)."""
    text = unmarked(text)
    if text == t(lang, "ask_description"):
        return "description"
    if _template_regex(lang, "ask_input").match(text):
        return "input"
    return None
