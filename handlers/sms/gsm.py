"""SMS text and its segments. Pure.

An SMS is coded in GSM-7 when every character is in the GSM 03.38 alphabet (160 characters
in one segment, 153 per segment of a longer message; the extension characters count 2),
else in UCS-2 (70 UTF-16 code units in one segment, 67 per segment). Source: Twilio,
«What the heck is a segment?» and error 21617 (a body over 1,600 characters). Spanish
«á í ó ú» and every emoji are outside GSM-7: one of them turns a 160-character SMS into
three segments, so the bot's SMS are written in GSM-7 (`to_gsm`).
"""

from __future__ import annotations

import math
import re
import unicodedata

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
_LOOKALIKES = {"«": '"', "»": '"', "“": '"', "”": '"', "‘": "'", "’": "'", "·": "-", "•": "-", "—": "-", "–": "-",
               "…": "...", "\u00a0": " ", "\t": " ", "↻": "", "→": "->"}


def is_gsm(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENSION for c in text)


def septets(text: str) -> int:
    return sum(2 if c in GSM_EXTENSION else 1 for c in text)


def segments(text: str) -> int:
    """How many SMS segments Twilio bills for `text` (0 for an empty text)."""
    if not text:
        return 0
    if is_gsm(text):
        n = septets(text)
        return 1 if n <= 160 else math.ceil(n / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


def to_gsm(text: str) -> str:
    """`text` in the GSM-7 alphabet: look-alikes replaced («» -> "", · -> -), accents the
    alphabet lacks dropped (á -> a; é, ñ, ü stay), emoji and other symbols removed, one
    line, spaces collapsed."""
    out = []
    for char in text:
        if char in GSM_BASIC or char in GSM_EXTENSION:
            out.append(char)
        elif char in _LOOKALIKES:
            out.append(_LOOKALIKES[char])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            out.append(base if base and is_gsm(base) else " ")
    flat = re.sub(r"[\r\n\f]+", " - ", "".join(out))
    return re.sub(r" {2,}", " ", flat).strip(" -")


def cut(text: str, room: int) -> str:
    """`text` (GSM-7) in at most `room` septets plus «...» when it had to be cut."""
    if septets(text) <= room:
        return text
    kept = []
    used = 0
    for char in text:
        used += 2 if char in GSM_EXTENSION else 1
        if used > room:
            break
        kept.append(char)
    return "".join(kept).rstrip(" -") + "..."
