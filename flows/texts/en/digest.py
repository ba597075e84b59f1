"""Digests and coalesced reminders (issue 11, point 5)."""

TEXTS: dict[str, str] = {
    "digest_hint": "→ {commands}",
    "digest_button": "{label} · {number}",
    "digest_command": "{verb} {number}",
}
