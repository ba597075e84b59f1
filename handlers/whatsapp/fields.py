"""The fields of Twilio's webhook forms (WhatsApp, SMS, status callbacks), each checked for
type and size before anything reads it: a value Twilio never sends is refused with
`MalformedWebhook` (400), never passed on to fail later (`int("²")`, a sender longer than
the database's `String(80)` column).

Sources of the limits:
- SIDs are two letters and 32 hex digits (34 characters):
  https://www.twilio.com/docs/glossary/what-is-a-sid
- numbers are E.164, at most 15 digits: https://www.twilio.com/docs/glossary/what-e164
- a WhatsApp text is at most 4,096 characters (Meta), an SMS body at most 1,600 (Twilio):
  https://www.twilio.com/docs/whatsapp/key-concepts, https://www.twilio.com/docs/sms/api/message-resource
- at most 10 media per message (`NumMedia`): https://www.twilio.com/docs/messaging/guides/webhook-request
"""

from __future__ import annotations

import re
from collections.abc import Mapping

SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")
NUMBER = re.compile(r"(?:whatsapp:)?\+?[0-9]{1,15}")  # E.164, with or without the channel prefix
STATUS = re.compile(r"[A-Za-z_-]{1,32}")
ERROR_CODE = re.compile(r"[0-9]{1,10}")
MEDIA = re.compile(r"[0-9]{1,2}")  # ASCII digits only: "²".isdigit() is True but int("²") fails
MAX_MEDIA = 10
MAX_BODY = 4096  # characters
MAX_SHORT = 256  # characters: a button's title or payload, a profile name
MAX_FORM_BYTES = 256 * 1024  # a whole webhook form: Twilio's are a few kilobytes


class MalformedWebhook(ValueError):
    """The form lacks what every Twilio webhook of its kind has, or holds a value Twilio
    never sends. The message names the field, never its value."""


def text(form: Mapping[str, object], name: str, limit: int = MAX_SHORT) -> str:
    """A free text field ('' when absent). Raises MalformedWebhook when longer than `limit`
    characters or when it holds a NUL (which PostgreSQL refuses in text)."""
    value = form.get(name) or ""
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        raise MalformedWebhook(f"{name}: at most {limit} characters of text")
    return value


def matching(form: Mapping[str, object], name: str, pattern: re.Pattern[str], *alternatives: str) -> str:
    """The first of `name`, `alternatives` that is present ('' when none is), which must match
    `pattern` entirely. Raises MalformedWebhook otherwise."""
    for key in (name, *alternatives):
        value = form.get(key) or ""
        if value:
            if not isinstance(value, str) or not pattern.fullmatch(value):
                raise MalformedWebhook(f"{key}: not a valid value")
            return value
    return ""


def sid(form: Mapping[str, object], *names: str) -> str:
    """The message's SID, required. Raises MalformedWebhook."""
    value = matching(form, names[0], SID, *names[1:])
    if not value:
        raise MalformedWebhook(f"{names[0]} is required")
    return value


def sender(form: Mapping[str, object]) -> str:
    """`From`, required: 'whatsapp:+56911110001' or '+56911110001'. Raises MalformedWebhook."""
    value = matching(form, "From", NUMBER)
    if not value:
        raise MalformedWebhook("From (a number) is required")
    return value


def media_count(form: Mapping[str, object]) -> int:
    """`NumMedia`: 0 to 10. Raises MalformedWebhook."""
    value = matching(form, "NumMedia", MEDIA) or "0"
    if int(value) > MAX_MEDIA:
        raise MalformedWebhook(f"NumMedia: at most {MAX_MEDIA}")
    return int(value)
