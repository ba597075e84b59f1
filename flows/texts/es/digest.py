"""Digests and coalesced reminders (issue 11, point 5)."""

TEXTS: dict[str, str] = {
}
