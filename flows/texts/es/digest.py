"""Digests and coalesced reminders (issue 11, point 5)."""

TEXTS: dict[str, str] = {
    "digest_hint": "→ {commands}",
    "digest_button": "{label} · {number}",
    "digest_verb_claim": "tomo {number}",
    "digest_verb_done": "hecho {number}",
    "digest_verb_give_up": "no puedo {number}",
    "digest_verb_ack": "leído {number}",
    "digest_verb_still_on": "sigo {number}",
    "digest_verb_correct": "corregir {number}",
}
