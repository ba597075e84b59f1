"""Cutting a long text into pieces a platform accepts (Slack sections, WhatsApp bodies)."""

from __future__ import annotations

from collections.abc import Callable


def _head(line: str, limit: int, length: Callable[[str], int]) -> int:
    """How many characters of `line` fit in `limit` as `length` counts them (at least one)."""
    size = 0
    for i, char in enumerate(line):
        size += length(char)
        if size > limit:
            return max(i, 1)
    return len(line)


def split_lines(text: str, limit: int, length: Callable[[str], int] = len) -> list[str]:
    """Pieces of at most `limit` as `length` counts (characters by default; Twilio counts a
    WhatsApp body in UTF-16 units, so an emoji is 2), cut at line ends where possible; a
    line longer than the limit is cut where it must. Never returns an empty list."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while length(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            cut = _head(line, limit, length)
            pieces.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if length(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current.strip() or not pieces:
        pieces.append(current)
    return pieces
