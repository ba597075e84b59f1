"""The door of POST /slack/events, before Bolt: Slack's signature checked over the raw body
(slack_sdk's SignatureVerifier), then the payload parsed exactly as Bolt will parse it and
its shape checked (handlers/slack/payloads.py). Bolt builds its context from the body before
it checks the signature, so a truncated JSON body or a list where it expects an object would
otherwise be a 500 with a traceback, even unsigned.

Answers: 401 unsigned or badly signed (nothing parsed), 413 a body over MAX_BYTES, 400 a
signed payload Slack would never send, 200 a signed payload type the bot does not take
(acknowledged, so Slack does not retry it). One log line per refusal, never the body or
the signature. Slack's rules: https://api.slack.com/authentication/verifying-requests-from-slack
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from pydantic import ValidationError
from slack_bolt.request.internals import build_normalized_headers, extract_content_type, parse_body
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import String
from starlette.requests import Request

from flows.messages import Action
from handlers.body import TooLarge, read_body
from handlers.slack import payloads
from handlers.slack.blocks import REF_BLOCK
from handlers.slack.views import INPUT_CALLBACK
from persistence.tables import message_refs

log = logging.getLogger(__name__)

MAX_BYTES = 1024 * 1024  # a whole request; Slack's largest (a modal with its blocks) are tens of kilobytes
MAX_DEPTH = 32  # nesting of objects and lists in a payload
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits: int() must not fail on it ("²".isdigit() is True)
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")  # hmac.compare_digest refuses non-ASCII text with a TypeError
_REF_COLUMN = message_refs.c.ref.type  # a card's ref is kept in message_refs.ref
MAX_REF = _REF_COLUMN.length if isinstance(_REF_COLUMN, String) and _REF_COLUMN.length else 120


@dataclass(frozen=True)
class Verdict:
    """`status` 0: hand the request to Bolt; otherwise answer it with that status."""

    status: int
    reason: str = ""

    @property
    def passes(self) -> bool:
        return self.status == 0


PASS = Verdict(0)


class SlackGate:
    def __init__(self, signing_secret: str) -> None:
        self.verifier = SignatureVerifier(signing_secret)

    async def check(self, request: Request) -> Verdict:
        """Reads the body (kept for Bolt) and says what to do with the request; logs one
        line for a refusal."""
        verdict = await self._verdict(request)
        if verdict.status == 401:
            log.info("Invalid request signature detected: refused with 401 (%s)", verdict.reason)
        elif verdict.status >= 400:
            log.warning("Slack request refused with %d: %s", verdict.status, verdict.reason)
        return verdict

    async def _verdict(self, request: Request) -> Verdict:
        timestamp = request.headers.get("x-slack-request-timestamp") or ""
        signature = request.headers.get("x-slack-signature") or ""
        if not timestamp or not signature:
            return Verdict(401, "missing signature")
        if not TIMESTAMP.fullmatch(timestamp) or not SIGNATURE.fullmatch(signature):
            return Verdict(401, "malformed signature")
        try:
            body = await read_body(request, MAX_BYTES)
        except TooLarge:
            return Verdict(413, f"body over {MAX_BYTES} bytes")
        try:
            text = body.decode("utf-8")  # Slack sends UTF-8; slack_sdk's verifier decodes it too
        except UnicodeDecodeError:
            return Verdict(400, "not UTF-8")
        if not self.verifier.is_valid(text, timestamp, signature):  # also: older than 5 minutes
            return Verdict(401, "bad or stale signature")
        try:
            content_type = extract_content_type(build_normalized_headers(dict(request.headers.items())))
            payload = parse_body(text, content_type)  # exactly as Bolt will
        except (ValueError, RecursionError):
            return Verdict(400, "not JSON or a form")
        if text and not (content_type == "application/json" or text.startswith("{")):  # a form, as Bolt decides
            counts = Counter(name for name, _ in parse_qsl(text, keep_blank_values=True))
            repeated = sorted(name for name, count in counts.items() if count > 1)
            if repeated:  # Slack sends each field once; Bolt would keep the last one silently
                return Verdict(400, f"field {repeated[0][:40]!r} repeated")
        return shape(payload)


def shape(payload: Any) -> Verdict:
    """Whether Bolt and the listeners can read `payload` (what Bolt's parse_body returned)."""
    if not isinstance(payload, dict):
        return Verdict(400, "the payload is not an object")
    unsafe = _unsafe(payload, 0)
    if unsafe:
        return Verdict(400, unsafe)
    if "ssl_check" in payload:
        return PASS  # Slack's certificate check of the slash command's URL: Bolt answers it
    kind = payload.get("type")
    if kind is None and "command" in payload:
        model: type[payloads.Shape] = payloads.SlashCommand
    elif isinstance(kind, str) and kind in payloads.PAYLOADS:
        model = payloads.PAYLOADS[kind]
    elif isinstance(kind, str) and len(kind) <= 64:
        return Verdict(200, "a payload type the bot does not take")
    else:
        return Verdict(400, "no payload type")
    try:
        parsed = model.model_validate(payload)
    except ValidationError as exc:
        error = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part)[:40] for part in error["loc"]) or "payload"  # keys are the sender's: cut
        return Verdict(400, f"{kind or 'command'}: {where}: {error['msg']}")
    return _refs(parsed)


def _unsafe(value: Any, depth: int) -> str | None:
    """NUL characters (PostgreSQL refuses them in text), lone surrogates ("\\ud800" is valid
    JSON but no UTF-8 text: no database or log file takes it) and nesting deeper than MAX_DEPTH."""
    if depth > MAX_DEPTH:
        return "nested too deep"
    if isinstance(value, str):
        if "\x00" in value:
            return "a NUL character"
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "a lone surrogate"
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _unsafe(key, depth) if isinstance(key, str) else None
        found = found or _unsafe(item, depth + 1)
        if found:
            return found
    return None


def _refs(parsed: payloads.Shape) -> Verdict:
    """What the listeners keep from a press or a submission fits its column: the card a
    button belongs to (its block_id) and the modal's private metadata (the action and card
    the bot put there)."""
    if isinstance(parsed, payloads.BlockActions):
        for action in parsed.actions:
            block = action.block_id or ""
            if block.startswith(REF_BLOCK) and len(block) - len(REF_BLOCK) > MAX_REF:
                return Verdict(400, "block_actions: actions.block_id: card reference too long")
    if isinstance(parsed, payloads.ViewSubmission) and parsed.view.callback_id == INPUT_CALLBACK:
        try:
            metadata = json.loads(parsed.view.private_metadata or "")
            Action.decode(metadata["action"])
            ref, label = metadata.get("ref"), metadata.get("label", "")
            if not (ref is None or isinstance(ref, str) and len(ref) <= MAX_REF) or not isinstance(label, str):
                raise ValueError("ref or label")
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return Verdict(400, "view_submission: view.private_metadata: not the bot's")
    return PASS
