"""Digests and coalesced reminders (issue 11, point 5)."""

TEXTS: dict[str, str] = {
    "digest_hint": "→ {commands}",
    "digest_button": "{label} · {number}",
    "digest_verb_claim": "take {number}",
    "digest_verb_done": "done {number}",
    "digest_verb_give_up": "can't {number}",
    "digest_verb_ack": "read {number}",
    "digest_verb_still_on": "still {number}",
    "digest_verb_correct": "correct {number}",
}
