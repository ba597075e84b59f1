"""Template variables WhatsApp accepts. Pure.

The rules, and where they come from:

- Meta refuses a template parameter that holds a new line, a tab or more than 4
  consecutive spaces: error 132018, details «Param text cannot have new-line/tab
  characters or more than 4 consecutive spaces»; Twilio reports it as 63013 «Channel
  policy violation» (https://www.twilio.com/docs/api/errors/63013, which also lists an
  empty or null variable) or 63005.
- An empty or null ContentVariables value: Twilio 21656
  (https://www.twilio.com/docs/api/errors/21656).
- The body with its variables filled in must fit WhatsApp's 1,024 characters: Twilio 63021
  (https://www.twilio.com/docs/errors/63021). Twilio recommends variables under 250
  characters (https://www.twilio.com/docs/content/using-variables-with-content-api).
- How lengths are counted: neither Meta nor Twilio says «code points»; Twilio counts emoji
  and other non-GSM characters as several characters (error 21617,
  https://twilio.com/de/docs/api/errors/21617). We count UTF-16 code units (an emoji
  outside the BMP is 2, a flag 4), which is never less than what either platform counts,
  so what fits here fits there.
"""

from __future__ import annotations

import re
import unicodedata

BODY_LIMIT = 1024  # an approved template's body once its variables are filled in (UTF-16 units)
SEPARATOR = " · "  # what a new line or a tab becomes
ELLIPSIS = "…"
FALLBACK = "-"  # a variable is never empty

_BREAKS = re.compile(r"[ \t]*(?:\r\n|[\r\n\t\v\f\u0085\u2028\u2029])[ \t\r\n\v\f\u0085\u2028\u2029]*")
_SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_JOINERS = "\u200d\ufe0e\ufe0f"  # zero-width joiner, variation selectors: never left dangling


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: 'a' 1, 'ñ' 1, '🚨' 2, '🇨🇱' 4."""
    return len(text.encode("utf-16-le")) // 2


def param_problems(value: str) -> list[str]:
    """What WhatsApp would refuse in one template parameter (empty list: nothing)."""
    problems = []
    if not value.strip():
        problems.append("empty")
    if re.search(r"[\r\n\t]", value):
        problems.append("new line or tab")
    if re.search(r" {5,}", value):
        problems.append("more than 4 consecutive spaces")
    return problems


def _cut(text: str, limit: int) -> str:
    """At most `limit` UTF-16 units ending in «…», cut at a whole character (never inside
    a surrogate pair, never leaving a joiner or a combining mark at the end)."""
    room = limit - utf16_len(ELLIPSIS)
    out: list[str] = []
    used = 0
    for char in text:
        size = utf16_len(char)
        if used + size > room:
            break
        out.append(char)
        used += size
    while out and (out[-1] in _JOINERS or unicodedata.combining(out[-1]) or out[-1].isspace() or out[-1] == "·"):
        out.pop()
    return "".join(out).rstrip() + ELLIPSIS


def template_param(text: str, limit: int) -> str:
    """`text` as one template parameter: new lines and tabs become « · », runs of spaces
    one space, control characters dropped, trimmed, «-» when nothing is left, and cut to
    `limit` UTF-16 code units with «…». The result always passes `param_problems`."""
    if limit < 2:
        raise ValueError("a parameter needs room for at least one character and «…»")
    value = _CONTROL.sub("", _BREAKS.sub(SEPARATOR, text))
    value = _SPACES.sub(" ", value).strip()
    value = re.sub(r"^(?:·\s*)+|(?:\s*·)+$", "", value).strip()  # no separator left at an edge
    if not value:
        return FALLBACK
    return value if utf16_len(value) <= limit else _cut(value, limit)


def placeholders(body: str) -> list[str]:
    """The variable names of a Content body, in order: 'a {{1}} b {{2}}' -> ['1', '2']."""
    return re.findall(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}", body)


def fill(body: str, variables: dict[str, str]) -> str:
    return re.sub(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}", lambda m: variables.get(m.group(1), m.group(0)), body)
