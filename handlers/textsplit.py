"""Cutting a long text into pieces a platform accepts (Slack sections, WhatsApp bodies)."""

from __future__ import annotations


def split_lines(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at line ends where possible; a line
    longer than the limit is cut where it must. Never returns an empty list."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current.strip() or not pieces:
        pieces.append(current)
    return pieces
